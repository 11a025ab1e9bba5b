package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;
import java.util.Collection;
import java.util.concurrent.Future;

/** A running body. */
public abstract class BodyExecution implements Future<Object>, Serializable {
    private static final long serialVersionUID = 1L;

    public abstract Collection<StepExecution> getCurrentExecutions();

    public boolean cancel(Throwable t) {
        return cancel(true);
    }
}
