package org.jenkinsci.plugins.workflow.steps;

import hudson.model.Descriptor;
import java.util.Set;

/** Describes a step: its function name, the context it needs, whether it takes a body. */
public abstract class StepDescriptor extends Descriptor<Step> {

    public StepDescriptor() {
        super();
    }

    public abstract Set<? extends Class<?>> getRequiredContext();

    public abstract String getFunctionName();

    public boolean takesImplicitBlockArgument() {
        return false;
    }
}
