package io.jenkins.plugins.teleport.jenkins;

import hudson.EnvVars;
import hudson.model.ParameterValue;
import hudson.model.Run;

/** The chosen access request: its ID, in the build's environment under the parameter's name. Not secret. */
public class TeleportAccessRequestParameterValue extends ParameterValue {
    private static final long serialVersionUID = 1L;

    private final String requestId;

    public TeleportAccessRequestParameterValue(String name, String requestId, String description) {
        super(name, description);
        this.requestId = requestId == null ? "" : requestId;
    }

    public String getRequestId() {
        return requestId;
    }

    @Override
    public Object getValue() {
        return requestId;
    }

    @Override
    public void buildEnvironment(Run<?, ?> build, EnvVars env) {
        env.put(name, requestId);
    }

    @Override
    public String getShortDescription() {
        return name + "=" + requestId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TeleportAccessRequestParameterValue v && v.name.equals(name) && v.requestId.equals(requestId);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + requestId.hashCode();
    }

    @Override
    public String toString() {
        return "(TeleportAccessRequestParameterValue) " + getShortDescription();
    }
}
