package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.auth.Stages;
import java.util.concurrent.CompletableFuture;

/**
 * The server's persistent state. {@link #write} runs its work in one transaction (all or nothing);
 * {@link #read} runs it without one. Updates inside are compare-and-swap on resource revisions.
 */
public interface Store extends AutoCloseable {

    /** How often {@link #writeRetrying} runs a work that keeps losing compare-and-swap races. */
    int WRITE_ATTEMPTS = 20;

    /** Work against the store; may be run more than once by {@link #writeRetrying}. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Tx tx);
    }

    <T> T read(Work<T> work);

    /**
     * {@link #read} that may answer bots, users and roles as this server last read them rather than as stored now, for
     * a decision that a write checks again before it counts (an issuance's witnesses,
     * {@link Tx#updateIfUnchanged(Tx.Encoded, java.util.List)}): the bot and roles an issuance decides from change seldom, and
     * reading them costs PostgreSQL round trips. A row is read from the store the first time, and again by any plain
     * read; a write through this store forgets it. This default reads as {@link #read}.
     */
    default <T> T readRecent(Work<T> work) {
        return read(work);
    }

    <T> T write(Work<T> work);

    /**
     * {@link #write} without waiting: the stage completes once the work is committed, or with its exception. A caller
     * on a request thread hands the thread back meanwhile. The stage may complete on the store's own writer thread, so
     * what is chained to it must be short or run on an executor of its own. This default writes on the calling thread.
     */
    default <T> CompletableFuture<T> writeLater(Work<T> work) {
        try {
            return CompletableFuture.completedFuture(write(work));
        } catch (RuntimeException | Error e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Writes waiting for the store's single writer (SQLite), not counting the batch it is committing; 0 elsewhere. */
    default int queuedWrites() {
        return 0;
    }

    /** Describes the backend for logs and {@code ping}: "sqlite:/path" or "postgres:host/db". */
    String describe();

    @Override
    void close();

    /**
     * Runs {@code work} in a transaction and runs it again, from a fresh read, when another writer won a
     * compare-and-swap race in between. The work must be a pure function of what it reads.
     */
    default <T> T writeRetrying(Work<T> work) {
        ApiException last = null;
        for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
            try {
                return write(work);
            } catch (ApiException e) {
                if (e.code() != ErrorCode.REVISION_CONFLICT) {
                    throw e;
                }
                last = e;
                Thread.onSpinWait();
            }
        }
        throw last;
    }

    /** {@link #writeRetrying} without waiting ({@link #writeLater}). */
    default <T> CompletableFuture<T> writeRetryingLater(Work<T> work) {
        return writeRetryingLater(work, WRITE_ATTEMPTS);
    }

    private <T> CompletableFuture<T> writeRetryingLater(Work<T> work, int attemptsLeft) {
        return writeLater(work).exceptionallyCompose(failure -> {
            Throwable cause = Stages.cause(failure);
            if (attemptsLeft > 1 && cause instanceof ApiException e && e.code() == ErrorCode.REVISION_CONFLICT) {
                return writeRetryingLater(work, attemptsLeft - 1);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
