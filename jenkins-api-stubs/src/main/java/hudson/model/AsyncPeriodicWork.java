package hudson.model;

import java.io.IOException;
import java.io.PrintStream;

/**
 * Periodic work that may take long: {@link #doRun} starts {@link #execute} on a thread of its own (unless the last
 * run is still going) with a listener writing to {@code $JENKINS_HOME/logs/tasks/NAME.log}. The stand-in runs it on the
 * caller's thread and logs to standard error, so that tests see it finish.
 */
public abstract class AsyncPeriodicWork extends PeriodicWork {

    public final String name;

    protected AsyncPeriodicWork(String name) {
        this.name = name;
    }

    @Override
    public final void doRun() {
        TaskListener listener = new TaskListener() {
            private static final long serialVersionUID = 1L;

            @Override
            public PrintStream getLogger() {
                return System.err;
            }
        };
        try {
            execute(listener);
        } catch (IOException | InterruptedException e) {
            e.printStackTrace(System.err);
        }
    }

    protected abstract void execute(TaskListener listener) throws IOException, InterruptedException;
}
