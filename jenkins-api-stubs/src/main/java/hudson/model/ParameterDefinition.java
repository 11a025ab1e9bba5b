package hudson.model;

import hudson.AbortException;
import hudson.ExtensionPoint;
import hudson.cli.CLICommand;
import java.io.IOException;
import java.io.Serializable;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * A build parameter's definition: its name, its description, and how a submitted value becomes a
 * {@link ParameterValue} (the form of "Build with Parameters", the query of {@code buildWithParameters}, the CLI).
 */
public abstract class ParameterDefinition implements Describable<ParameterDefinition>, ExtensionPoint, Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private String description;

    protected ParameterDefinition(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a parameter needs a name");
        }
        this.name = name;
    }

    @Deprecated
    protected ParameterDefinition(String name, String description) {
        this(name);
        setDescription(description);
    }

    public ParameterDefinition copyWithDefaultValue(ParameterValue defaultValue) {
        return this;
    }

    public String getType() {
        return getClass().getSimpleName();
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    @DataBoundSetter
    public void setDescription(String description) {
        this.description = description == null || description.isEmpty() ? null : description;
    }

    public String getFormattedDescription() {
        return description == null ? "" : description;
    }

    @Override
    public ParameterDescriptor getDescriptor() {
        return (ParameterDescriptor) Jenkins.get().getDescriptorOrDie(getClass());
    }

    /** The value from the "Build with Parameters" form ({@code jo} is this parameter's object). */
    public ParameterValue createValue(StaplerRequest2 req, JSONObject jo) {
        throw new AbstractMethodError("createValue(StaplerRequest2, JSONObject) is not overridden by " + getClass());
    }

    /** The value from the query of {@code buildWithParameters}; null when absent and no default applies. */
    public ParameterValue createValue(StaplerRequest2 req) {
        throw new AbstractMethodError("createValue(StaplerRequest2) is not overridden by " + getClass());
    }

    /** The value from the CLI's {@code -p NAME=VALUE}; an {@link AbortException} is shown without a stack trace. */
    public ParameterValue createValue(CLICommand command, String value) throws IOException, InterruptedException {
        throw new AbortException("CLI parameter submission is not supported for the " + getClass() + " type");
    }

    /** The value of a build started without one (by SCM, a timer, the REST API without the parameter); null if none. */
    public ParameterValue getDefaultParameterValue() {
        return null;
    }

    /** Whether a value is acceptable; Jenkins refuses a submission whose value is not. */
    public boolean isValid(ParameterValue value) {
        return true;
    }

    /** The descriptor of a parameter type; its value page is the type's {@code index.jelly}. */
    public abstract static class ParameterDescriptor extends Descriptor<ParameterDefinition> {

        protected ParameterDescriptor(Class<? extends ParameterDefinition> klazz) {
            super(klazz);
        }

        protected ParameterDescriptor() {
        }

        public String getValuePage() {
            return "index.jelly";
        }

        @Override
        public String getDisplayName() {
            return "Parameter";
        }
    }
}
