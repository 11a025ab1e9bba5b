package hudson.tasks;

import hudson.model.AbstractProject;
import hudson.model.Descriptor;

/** Descriptor of build wrappers. */
public abstract class BuildWrapperDescriptor extends Descriptor<BuildWrapper> {
    protected BuildWrapperDescriptor() {
        super();
    }

    public abstract boolean isApplicable(AbstractProject<?, ?> item);
}
