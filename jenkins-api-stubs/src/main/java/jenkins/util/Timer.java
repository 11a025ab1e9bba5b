package jenkins.util;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The scheduled executor for Jenkins' background tasks (the real one runs them as SYSTEM, on up to 10 daemon threads,
 * and is shut down and thrown away when Jenkins stops).
 */
public class Timer {
    static ScheduledExecutorService executorService;

    private Timer() {
    }

    public static synchronized ScheduledExecutorService get() {
        if (executorService == null) {
            executorService = new ScheduledThreadPoolExecutor(10, r -> {
                Thread t = new Thread(r, "jenkins.util.Timer");
                t.setDaemon(true);
                return t;
            });
        }
        return executorService;
    }

    public static synchronized void shutdown() {
        if (executorService != null) {
            executorService.shutdownNow();
            executorService = null;
        }
    }
}
