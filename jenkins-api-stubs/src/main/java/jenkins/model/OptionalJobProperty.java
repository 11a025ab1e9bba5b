package jenkins.model;

import hudson.model.Job;
import hudson.model.JobProperty;

/** A job property that is either on or off in the job's configuration. */
public abstract class OptionalJobProperty<J extends Job<?, ?>> extends JobProperty<J> {
    protected OptionalJobProperty() {
    }
}
