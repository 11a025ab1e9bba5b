package hudson.triggers;

import java.util.TimerTask;

/** A timer task that logs what it throws instead of killing the timer. */
public abstract class SafeTimerTask extends TimerTask {

    protected SafeTimerTask() {
    }

    @Override
    public final void run() {
        try {
            doRun();
        } catch (Throwable t) {
            java.util.logging.Logger.getLogger(getClass().getName()).log(java.util.logging.Level.SEVERE, "timer task failed", t);
        }
    }

    protected abstract void doRun() throws Exception;
}
