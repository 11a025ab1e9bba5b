package hudson.model;

import hudson.ExtensionPoint;
import hudson.triggers.SafeTimerTask;

/** Work Jenkins runs every {@link #getRecurrencePeriod()} milliseconds, found as an extension. */
public abstract class PeriodicWork extends SafeTimerTask implements ExtensionPoint {

    protected static final long MIN = 1000 * 60;
    protected static final long HOUR = 60 * MIN;
    protected static final long DAY = 24 * HOUR;

    protected PeriodicWork() {
    }

    public abstract long getRecurrencePeriod();

    public long getInitialDelay() {
        return getRecurrencePeriod();
    }
}
