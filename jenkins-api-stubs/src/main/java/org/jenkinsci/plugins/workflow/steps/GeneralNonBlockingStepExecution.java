package org.jenkinsci.plugins.workflow.steps;

import hudson.security.ACL;
import hudson.security.ACLContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;

/**
 * A step execution whose work (and whose body's tail) runs on a background thread, never on the Pipeline's CPS
 * thread. As the real one: the work runs as the caller's authentication; the name of the thread doing background work
 * is saved with the program (not transient), so a controller that restarts while background work was running finds
 * it in {@link #onResume} and fails the step; once {@link #stop} was called, {@link #run} does nothing, stop cancels
 * the work, and what the work throws afterwards is added to the stop's cause instead of failing the step again.
 */
public abstract class GeneralNonBlockingStepExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "GeneralNonBlockingStepExecution");
        t.setDaemon(true);
        return t;
    });

    private transient volatile Future<?> task;
    private volatile String threadName;
    private transient volatile Throwable stopCause;

    protected GeneralNonBlockingStepExecution(StepContext context) {
        super(context);
    }

    /** Work to run in the background. */
    @FunctionalInterface
    protected interface Block {
        void run() throws Exception;
    }

    protected final void run(Block block) {
        if (stopCause != null) {
            return;
        }
        Authentication auth = Jenkins.getAuthentication2();
        task = EXECUTOR.submit(() -> {
            threadName = Thread.currentThread().getName();
            try {
                try (ACLContext acl = ACL.as2(auth)) {
                    block.run();
                }
            } catch (Throwable t) {
                if (stopCause == null) {
                    getContext().onFailure(t);
                } else {
                    stopCause.addSuppressed(t);
                }
            } finally {
                threadName = null;
                task = null;
            }
        });
    }

    @Override
    public void stop(Throwable cause) throws Exception {
        stopCause = cause;
        Future<?> running = task;
        if (running != null) {
            running.cancel(true);
        }
        super.stop(cause);
    }

    @Override
    public void onResume() {
        if (threadName != null) {
            getContext().onFailure(new Exception("Resume after a restart not supported while running background code"));
        }
    }

    @Override
    public String getStatus() {
        return threadName != null ? "running in thread: " + threadName : "not currently scheduled, or running blocks";
    }

    @Override
    public boolean blocksRestart() {
        return threadName != null;
    }

    /** A body callback whose {@link #finished} runs in the background too, then completes the step. */
    protected abstract class TailCall extends BodyExecutionCallback {
        private static final long serialVersionUID = 1L;

        protected abstract void finished(StepContext context) throws Exception;

        @Override
        public final void onSuccess(StepContext context, Object result) {
            run(() -> {
                try {
                    finished(context);
                } catch (Exception x) {
                    if (stopCause == null) {
                        context.onFailure(x);
                    } else {
                        stopCause.addSuppressed(x);
                    }
                    return;
                }
                context.onSuccess(result);
            });
        }

        @Override
        public final void onFailure(StepContext context, Throwable t) {
            run(() -> {
                try {
                    finished(context);
                } catch (Exception x) {
                    t.addSuppressed(x);
                }
                context.onFailure(t);
            });
        }
    }
}
