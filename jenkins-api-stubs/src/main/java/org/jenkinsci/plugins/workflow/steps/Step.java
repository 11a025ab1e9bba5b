package org.jenkinsci.plugins.workflow.steps;

import hudson.ExtensionPoint;
import hudson.model.AbstractDescribableImpl;

/** A Pipeline step: its configuration; {@link #start} makes its execution. */
public abstract class Step extends AbstractDescribableImpl<Step> implements ExtensionPoint {

    public Step() {
    }

    public abstract StepExecution start(StepContext context) throws Exception;

    @Override
    public StepDescriptor getDescriptor() {
        return (StepDescriptor) super.getDescriptor();
    }
}
