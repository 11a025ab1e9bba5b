package io.jenkins.plugins.teleport.auth.requests;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callers waiting for an access request to change ({@code GET /v1/access-requests/{id}?wait=30s&after_revision=N}),
 * without a thread each: a waiter is a future. Changes made by this server wake their waiters at once; changes made by
 * other servers on the same store are seen by one batched read of the watched requests' revisions every
 * {@code pollInterval}, made only while someone waits. A waiter whose wait ends is completed too; either way the
 * caller then reads the request and answers.
 */
public final class RequestWatch implements AutoCloseable {

    /** The longest wait a caller may ask for. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** How often the watched requests' revisions are read while someone waits (changes by other servers). */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    private static final Logger LOG = LoggerFactory.getLogger(RequestWatch.class);

    private record Waiter(long afterRevision, CompletableFuture<Void> done) {}

    private final Store store;
    private final ScheduledExecutorService timer;
    /** Where waiters' answers are made, so that neither the timer nor a reviewer's thread does that work. */
    private final java.util.concurrent.ExecutorService answers;
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public RequestWatch(Store store, Duration pollInterval) {
        this.store = store;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "request-watch");
            t.setDaemon(true);
            return t;
        });
        this.answers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "request-watch-answer");
            t.setDaemon(true);
            return t;
        });
        long every = pollInterval.toMillis();
        timer.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Completes when request {@code id} has a revision above {@code afterRevision}, or after {@code wait} (capped at
     * {@link #MAX_WAIT}), whichever comes first; at once when it has one already.
     */
    public CompletableFuture<Void> changed(String id, long afterRevision, Duration wait) {
        if (closed) {
            // The server is stopping: answer with the request as it is now, as at the end of a wait.
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Waiter waiter = new Waiter(afterRevision, done);
        waiters.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        // The answer depends on the waiter being forgotten first: a future runs its dependents last-registered first,
        // so an answer chained on `done` itself could reach the caller while the waiter still counted in waiting().
        CompletableFuture<Void> forgotten = done.whenComplete((v, e) -> forget(id, waiter));
        Duration capped = wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        try {
            timer.schedule(() -> done.complete(null), capped.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            done.complete(null);
        }
        // A change between the caller's read and this registration must not be missed.
        check(Map.of(id, Set.of(waiter)));
        return forgotten.thenApplyAsync(v -> v, this::answer);
    }

    /** This server changed request {@code id}: wake its waiters now (they read the request again). */
    public void touched(String id) {
        Set<Waiter> set = waiters.get(id);
        if (set != null) {
            set.forEach(w -> w.done().complete(null));
        }
    }

    /** How many callers are waiting (for metrics and tests). */
    public int waiting() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    /** Runs an answer on the answer threads; once they are stopped (the server stops), on the caller's thread. */
    private void answer(Runnable r) {
        try {
            answers.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private void forget(String id, Waiter waiter) {
        waiters.computeIfPresent(id, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    private void poll() {
        try {
            if (!waiters.isEmpty()) {
                check(Map.copyOf(waiters));
            }
        } catch (RuntimeException e) {
            LOG.warn("event=request_watch_poll_failed error={}", e.toString());
        }
    }

    private void check(Map<String, Set<Waiter>> watched) {
        Map<String, Long> revisions = store.read(tx -> tx.revisions(AccessRequest.class, List.copyOf(watched.keySet())));
        watched.forEach((id, set) -> {
            long now = revisions.getOrDefault(id, Long.MAX_VALUE);
            set.stream().filter(w -> now > w.afterRevision()).forEach(w -> w.done().complete(null));
        });
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        // Waiters are answered with the request as it is (their answers are queued before the answer threads stop).
        waiters.values().forEach(set -> set.forEach(w -> w.done().complete(null)));
        answers.shutdown();
    }
}
