package org.jenkinsci.plugins.workflow.steps;

import hudson.model.Result;
import java.util.List;
import jenkins.model.CauseOfInterruption;

/** A build interrupted (aborted) with a result. */
public final class FlowInterruptedException extends InterruptedException {
    private static final long serialVersionUID = 1L;
    private final Result result;
    private final List<CauseOfInterruption> causes;

    public FlowInterruptedException(Result result, CauseOfInterruption... causes) {
        this(result, true, causes);
    }

    public FlowInterruptedException(Result result, boolean actualInterruption, CauseOfInterruption... causes) {
        this.result = result;
        this.causes = List.of(causes);
    }

    public Result getResult() {
        return result;
    }

    public List<CauseOfInterruption> getCauses() {
        return causes;
    }
}
