package io.jenkins.plugins.teleport.auth;

import java.util.concurrent.CompletionException;

/** What the server's asynchronous stages ({@link java.util.concurrent.CompletableFuture}) share. */
public final class Stages {

    private Stages() {}

    /**
     * The exception a stage failed with: a stage that depends on a failed one gets its exception wrapped in a
     * {@link CompletionException}, which says nothing to a caller deciding what to answer or whether to retry.
     */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
