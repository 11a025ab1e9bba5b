package hudson.model;

import hudson.EnvVars;
import java.io.Serializable;

/** A build parameter's value, saved with the build; it adds to the build's environment. */
public abstract class ParameterValue implements Serializable {
    private static final long serialVersionUID = 1L;

    protected final String name;
    private String description;

    protected ParameterValue(String name, String description) {
        this.name = name;
        this.description = description;
    }

    protected ParameterValue(String name) {
        this(name, null);
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public final String getName() {
        return name;
    }

    /** Adds this value to the build's environment (Pipeline's {@code env} and {@code params} see it). */
    public void buildEnvironment(Run<?, ?> build, EnvVars env) {
    }

    public String getShortDescription() {
        return toString();
    }

    public boolean isSensitive() {
        return false;
    }

    public Object getValue() {
        return null;
    }
}
