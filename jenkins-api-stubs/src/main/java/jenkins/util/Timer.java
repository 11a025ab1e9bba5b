package jenkins.util;

import hudson.security.ACL;
import hudson.security.ACLContext;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Jenkins' one scheduler for background tasks. As in Jenkins: made on first use, ten daemon threads named
 * {@code jenkins.util.Timer [#n]}, and every task runs as {@link ACL#SYSTEM2} (Jenkins wraps it in an
 * impersonating executor), whoever scheduled it.
 */
public class Timer {

    static ScheduledExecutorService executorService;

    private Timer() {
    }

    public static synchronized ScheduledExecutorService get() {
        if (executorService == null) {
            int[] n = {0};
            executorService = new ScheduledThreadPoolExecutor(10, r -> {
                Thread t = new Thread(r, "jenkins.util.Timer [#" + (++n[0]) + "]");
                t.setDaemon(true);
                return t;
            }) {
                @Override
                protected <V> RunnableScheduledFuture<V> decorateTask(Runnable r, RunnableScheduledFuture<V> task) {
                    return asSystem(task);
                }

                @Override
                protected <V> RunnableScheduledFuture<V> decorateTask(Callable<V> c, RunnableScheduledFuture<V> task) {
                    return asSystem(task);
                }
            };
        }
        return executorService;
    }

    public static synchronized void shutdown() {
        if (executorService != null) {
            executorService.shutdownNow();
            executorService = null;
        }
    }

    private static <V> RunnableScheduledFuture<V> asSystem(RunnableScheduledFuture<V> task) {
        return new RunnableScheduledFuture<>() {
            @Override
            public void run() {
                try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
                    task.run();
                }
            }

            @Override
            public boolean isPeriodic() {
                return task.isPeriodic();
            }

            @Override
            public long getDelay(TimeUnit unit) {
                return task.getDelay(unit);
            }

            @Override
            public int compareTo(Delayed o) {
                return task.compareTo(o);
            }

            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                return task.cancel(mayInterruptIfRunning);
            }

            @Override
            public boolean isCancelled() {
                return task.isCancelled();
            }

            @Override
            public boolean isDone() {
                return task.isDone();
            }

            @Override
            public V get() throws InterruptedException, java.util.concurrent.ExecutionException {
                return task.get();
            }

            @Override
            public V get(long timeout, TimeUnit unit) throws InterruptedException, java.util.concurrent.ExecutionException,
                    java.util.concurrent.TimeoutException {
                return task.get(timeout, unit);
            }
        };
    }
}
