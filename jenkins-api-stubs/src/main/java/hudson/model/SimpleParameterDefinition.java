package hudson.model;

import hudson.cli.CLICommand;
import java.io.IOException;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * A parameter whose value is one string: the query of {@code buildWithParameters} and the CLI both come down to
 * {@link #createValue(String)}, and so does a plain string value another job passes (Pipeline's {@code build} step and
 * the parameterized trigger convert a {@code StringParameterValue} into this definition's type through it).
 */
public abstract class SimpleParameterDefinition extends ParameterDefinition {
    private static final long serialVersionUID = 1L;

    protected SimpleParameterDefinition(String name) {
        super(name);
    }

    @Deprecated
    protected SimpleParameterDefinition(String name, String description) {
        super(name, description);
    }

    /** The value of the string {@code value}. */
    public abstract ParameterValue createValue(String value);

    /** As Jenkins: no value gives the default, more than one is refused. */
    @Override
    public final ParameterValue createValue(StaplerRequest2 req) {
        String[] value = req.getParameterValues(getName());
        if (value == null) {
            return getDefaultParameterValue();
        } else if (value.length != 1) {
            throw new IllegalArgumentException("Illegal number of parameter values for " + getName() + ": " + value.length);
        }
        return createValue(value[0]);
    }

    @Override
    public final ParameterValue createValue(CLICommand command, String value) throws IOException, InterruptedException {
        return createValue(value);
    }
}
