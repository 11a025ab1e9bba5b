package hudson.model;

import hudson.ExtensionPoint;

/** Something configured on a job (its parameters, for one). Declared: the type. */
public abstract class JobProperty<J extends Job<?, ?>> implements ExtensionPoint {
    protected transient J owner;

    protected JobProperty() {
    }
}
