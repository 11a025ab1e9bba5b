package hudson.tasks;

import hudson.ExtensionPoint;
import hudson.model.Describable;

/** Wraps a freestyle build. */
public abstract class BuildWrapper implements Describable<BuildWrapper>, ExtensionPoint {
    public BuildWrapper() {
    }
}
