package hudson.model;

import java.util.List;
import jenkins.model.CauseOfInterruption;

/** The thread running a build. The stand-in records how it was interrupted. */
public class Executor {
    private volatile Result interruptResult;
    private volatile List<CauseOfInterruption> causes = List.of();

    /** Interrupts the build: it ends with {@code result}, and shows {@code causes}. */
    public void interrupt(Result result, CauseOfInterruption... causes) {
        this.interruptResult = result;
        this.causes = List.of(causes);
    }

    /** Test-only: the result the build was interrupted with, or null. */
    public Result interruptedWith() {
        return interruptResult;
    }

    /** Test-only: why. */
    public List<CauseOfInterruption> interruptionCauses() {
        return causes;
    }
}
