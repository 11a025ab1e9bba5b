package jenkins.model;

import java.io.Serializable;

/** Why a build was interrupted. */
public abstract class CauseOfInterruption implements Serializable {
    private static final long serialVersionUID = 1L;

    public abstract String getShortDescription();
}
