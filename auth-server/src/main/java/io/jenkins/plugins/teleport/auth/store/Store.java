package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;

/**
 * The server's persistent state. {@link #write} runs its work in one transaction (all or nothing);
 * {@link #read} runs it without one. Updates inside are compare-and-swap on resource revisions.
 */
public interface Store extends AutoCloseable {

    /** Work against the store; may be run more than once by {@link #writeRetrying}. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Tx tx);
    }

    <T> T read(Work<T> work);

    <T> T write(Work<T> work);

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
        for (int attempt = 0; attempt < 20; attempt++) {
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
}
