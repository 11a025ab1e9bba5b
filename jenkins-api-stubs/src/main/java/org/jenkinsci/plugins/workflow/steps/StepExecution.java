package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;

/** A running step; serialized with the build's program so that it survives a controller restart. */
public abstract class StepExecution implements Serializable {
    private static final long serialVersionUID = 1L;

    private StepContext context;

    @Deprecated
    protected StepExecution() {
    }

    protected StepExecution(StepContext context) {
        this.context = context;
    }

    public StepContext getContext() {
        if (context == null) {
            throw new IllegalStateException("no context");
        }
        return context;
    }

    public abstract boolean start() throws Exception;

    public void stop(Throwable cause) throws Exception {
        getContext().onFailure(cause);
    }

    public void onResume() {
    }

    public String getStatus() {
        return null;
    }

    public boolean blocksRestart() {
        return false;
    }
}
