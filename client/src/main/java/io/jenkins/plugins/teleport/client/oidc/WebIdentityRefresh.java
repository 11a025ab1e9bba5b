package io.jenkins.plugins.teleport.client.oidc;

import io.jenkins.plugins.teleport.client.scope.Progress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a block's web identity token fresh until the block ends: the next token is fetched at
 * {@link AwsWebIdentity.Grant#refreshAt} (before the current one expires), a failed fetch is tried again after
 * {@link AwsWebIdentity#RETRY_AFTER_FAILURE} while the certificates last, and {@link #close} stops it, waiting for a
 * fetch under way so that nothing is written after the block's files are deleted. How to fetch (in this process, or
 * on a Jenkins agent) and where tasks run (an executor, Jenkins' timer) are the caller's; no thread is held between
 * fetches.
 */
public final class WebIdentityRefresh implements AutoCloseable {

    /** Fetches a new token and writes it (wherever the identity directory is). */
    @FunctionalInterface
    public interface Fetch {
        AwsWebIdentity.Grant fetch() throws Exception;
    }

    /** Runs a task once after a delay. */
    @FunctionalInterface
    public interface Scheduler {
        Future<?> schedule(Runnable task, Duration delay);

        static Scheduler of(ScheduledExecutorService executor) {
            return (task, delay) -> executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private final Fetch fetch;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Progress progress;
    private final Instant validBefore;
    private final Object lock = new Object();
    private volatile boolean closed;
    private volatile Future<?> next;
    private volatile Optional<AwsWebIdentity.Grant> current;

    private WebIdentityRefresh(Optional<AwsWebIdentity.Grant> current, Instant validBefore, Fetch fetch, Scheduler scheduler,
                               Clock clock, Progress progress) {
        this.current = current;
        this.validBefore = validBefore;
        this.fetch = fetch;
        this.scheduler = scheduler;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Starts keeping the token fresh: from {@code current} (the token just written), or, when there is none known (after
     * a controller restart), with a fetch right away. The certificates end at {@code validBefore}, and so does this.
     */
    public static WebIdentityRefresh start(Optional<AwsWebIdentity.Grant> current, Instant validBefore, Fetch fetch,
                                           Scheduler scheduler, Clock clock, Progress progress) {
        WebIdentityRefresh r = new WebIdentityRefresh(current, validBefore, fetch, scheduler, clock, progress);
        synchronized (r.lock) {
            if (current.isPresent()) {
                r.scheduleAfter(current.get());
            } else {
                r.scheduleAt(clock.instant());
            }
        }
        return r;
    }

    /** The token last written, if known. */
    public Optional<AwsWebIdentity.Grant> current() {
        return current;
    }

    /** Whether a fetch is planned. */
    public boolean scheduled() {
        Future<?> f = next;
        return !closed && f != null && !f.isDone();
    }

    /** One fetch, as the scheduled task runs it; then the next is planned. */
    void refresh() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                AwsWebIdentity.Grant g = fetch.fetch();
                current = Optional.of(g);
                progress.line("AWS web identity token for integration " + g.integration() + " refreshed (token " + g.tokenId()
                        + ", valid until " + g.expires() + ")");
                scheduleAfter(g);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                Instant retry = clock.instant().plus(AwsWebIdentity.RETRY_AFTER_FAILURE);
                if (retry.isBefore(validBefore) && !closed) {
                    progress.line("the AWS web identity token could not be refreshed (" + e.getMessage() + "); trying again at "
                            + retry + (current.map(g -> ", the current one is valid until " + g.expires()).orElse("")));
                    scheduleAt(retry);
                } else {
                    progress.line("the AWS web identity token could not be refreshed (" + e.getMessage()
                            + "); the certificates end at " + validBefore + ", so it is not tried again");
                }
            }
        }
    }

    private void scheduleAfter(AwsWebIdentity.Grant g) {
        Optional<Instant> at = g.refreshAt(validBefore);
        if (at.isEmpty()) {
            next = null; // this token lasts as long as the certificates: nothing to refresh
            return;
        }
        scheduleAt(at.get());
    }

    private void scheduleAt(Instant at) {
        if (!closed) {
            next = scheduler.schedule(this::refresh, Duration.between(clock.instant(), at));
        }
    }

    /** Stops refreshing; a fetch under way is waited for, so that none writes after this returns. */
    @Override
    public void close() {
        closed = true;
        Future<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
        synchronized (lock) {
            next = null;
        }
    }
}
