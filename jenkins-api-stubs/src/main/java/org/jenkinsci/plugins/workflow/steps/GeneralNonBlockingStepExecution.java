package org.jenkinsci.plugins.workflow.steps;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A step execution whose work (and whose body's tail) runs on a background thread, never on the Pipeline's CPS
 * thread. As the real one: {@link #run} is a no-op once {@link #stop} was called, and stop cancels the work.
 */
public abstract class GeneralNonBlockingStepExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "GeneralNonBlockingStepExecution");
        t.setDaemon(true);
        return t;
    });

    private transient volatile Future<?> task;
    private transient volatile String threadName;
    private transient volatile Throwable stopping;

    protected GeneralNonBlockingStepExecution(StepContext context) {
        super(context);
    }

    /** Work to run in the background. */
    @FunctionalInterface
    protected interface Block {
        void run() throws Exception;
    }

    protected final void run(Block block) {
        if (stopping != null) {
            return;
        }
        task = EXECUTOR.submit(() -> {
            threadName = Thread.currentThread().getName();
            try {
                block.run();
            } catch (Throwable t) {
                if (stopping != null) {
                    stopping.addSuppressed(t);
                } else {
                    getContext().onFailure(t);
                }
            } finally {
                threadName = null;
            }
        });
    }

    @Override
    public void stop(Throwable cause) throws Exception {
        stopping = cause;
        if (task != null) {
            task.cancel(true);
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
                finished(context);
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
