package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * SQLite's one writer, with group commit. SQLite lets one connection write at a time, so the works of concurrent
 * {@link Store#write} and {@link Store#writeLater} calls are queued to one thread, which runs all that are waiting in
 * one transaction, each in a savepoint of its own, and commits them together; each caller returns (or its stage
 * completes) once the commit holding its work is done.
 * A work that fails is rolled back to its savepoint and its caller gets its exception; the others still commit.
 * If the commit itself fails, every work of the batch fails with it (none of them was written).
 *
 * <p>One commit for many works is what lets SQLite keep up: each commit appends a WAL frame for every page it
 * changed (the request's row, the certificates' and the audit table's last pages and their indexes), and works of one
 * batch change the same pages; and no caller holds a lock while another thread runs, so a writer preempted by the
 * request threads' signing no longer stalls everyone waiting for the lock (the convoy a fair lock made).
 *
 * <p>When others are writing too (the batch taken, or the one before it, holds more than one work), the writer waits
 * up to {@link #GATHER} for more works to join the batch, until it holds {@link #GATHER_TARGET}: as PostgreSQL's
 * {@code commit_delay} with {@code commit_siblings}, a little latency for fewer commits. A lone write never waits.
 */
final class GroupCommit implements AutoCloseable {

    /** Works in one transaction at most; the queue holds the rest for the next one. */
    static final int MAX_BATCH = 128;

    /**
     * How long the writer waits for more works to join a batch while others are writing. Measured under issuance load
     * (docs/BENCHMARKS.md, twelfth step): batches of 12 - 15 works instead of 3 - 4, a quarter fewer WAL pages per
     * write and about 5 % less CPU per issuance.
     */
    static final Duration GATHER = Duration.ofNanos(1_500_000);

    /** The batch size at which the writer stops waiting for more. */
    static final int GATHER_TARGET = 16;

    /** Opens the writer's own connection; it is kept (and its page cache with it) until it fails or the store closes. */
    @FunctionalInterface
    interface Connections {
        Connection open() throws SQLException;
    }

    private record Queued<T>(Store.Work<T> work, CompletableFuture<T> done) {}

    private final Connections connections;
    private final Function<Connection, Tx> transaction;
    private final LinkedBlockingQueue<Queued<?>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final long gatherNanos;
    private volatile boolean closed;
    /** The writer's connection: only the writer thread uses it. */
    private Connection connection;

    GroupCommit(String name, Connections connections, Function<Connection, Tx> transaction) {
        this(name, connections, transaction, GATHER);
    }

    GroupCommit(String name, Connections connections, Function<Connection, Tx> transaction, Duration gather) {
        this.connections = connections;
        this.transaction = transaction;
        this.gatherNanos = gather.toNanos();
        this.writer = new Thread(this::run, name + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Runs {@code work} in the next batch and returns its result once that batch is committed. */
    <T> T write(Store.Work<T> work) {
        if (Thread.currentThread() == writer) {
            throw new IllegalStateException("a store write inside a store write: SQLite has one writer, this would wait for itself");
        }
        try {
            return submit(work).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Queues {@code work} for the next batch; the stage completes, on the writer thread, once that batch is committed
     * (or with the work's own exception, or as unavailable). No thread waits for it. Queuing from the writer thread
     * itself (a retry chained to a failed work) is allowed: it waits for nothing.
     */
    <T> CompletableFuture<T> submit(Store.Work<T> work) {
        Queued<T> queued = new Queued<>(work, new CompletableFuture<>());
        queue.add(queued);
        if (closed) {
            // close() may have drained the queue before this work was added: fail it here rather than never.
            queue.remove(queued);
            queued.done().completeExceptionally(storeClosed());
        }
        return queued.done();
    }

    /** Works waiting for the writer (not counting the batch it is running). */
    int queued() {
        return queue.size();
    }

    private void run() {
        List<Queued<?>> batch = new ArrayList<>(MAX_BATCH);
        int previous = 0;
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            if (batch.size() > 1 || previous > 1) {
                gather(batch);
            }
            previous = batch.size();
            commit(batch);
            batch.clear();
        }
        closeConnection();
    }

    /** Adds to {@code batch} the works that come within {@link #gatherNanos}, until it holds {@link #GATHER_TARGET}. */
    private void gather(List<Queued<?>> batch) {
        long deadline = System.nanoTime() + gatherNanos;
        while (batch.size() < GATHER_TARGET) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Queued<?> next;
            try {
                next = queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return; // close() interrupts: commit what was taken, then stop
            }
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    private void commit(List<Queued<?>> batch) {
        List<Object> results = new ArrayList<>(batch.size());
        try {
            if (connection == null) {
                connection = connections.open();
            }
            Connection c = connection;
            c.setAutoCommit(false);
            Tx tx = transaction.apply(c);
            for (Queued<?> queued : batch) {
                results.add(runOne(c, tx, queued));
            }
            c.commit();
        } catch (SQLException | RuntimeException | Error e) {
            // Closing the connection rolls back whatever of the batch was not committed; the next batch opens another.
            closeConnection();
            ApiException unavailable = new ApiException(ErrorCode.UNAVAILABLE, "the store is unavailable: " + e.getMessage());
            batch.forEach(queued -> queued.done().completeExceptionally(unavailable));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
        try {
            // Out of the transaction between batches (the driver begins the next one at once when auto-commit is off),
            // so that the file is not locked while nothing is written. The batch is committed whatever happens here.
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            closeConnection();
        }
    }

    /** One work in its own savepoint: its result, or the {@link Failed} it threw after rolling it back. */
    private static Object runOne(Connection c, Tx tx, Queued<?> queued) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            Object result = queued.work().apply(tx);
            c.releaseSavepoint(savepoint);
            return result;
        } catch (RuntimeException | Error e) {
            c.rollback(savepoint);
            c.releaseSavepoint(savepoint);
            return new Failed(e);
        }
    }

    private record Failed(Throwable cause) {}

    @SuppressWarnings("unchecked")
    private static <T> void complete(Queued<T> queued, Object result) {
        if (result instanceof Failed failed) {
            queued.done().completeExceptionally(failed.cause());
        } else {
            queued.done().complete((T) result);
        }
    }

    /** After a failure, or at the end: the next batch opens a fresh connection. */
    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Nothing more to do with it.
            }
            connection = null;
        }
    }

    private static ApiException storeClosed() {
        return new ApiException(ErrorCode.UNAVAILABLE, "the store is closed: the server is stopping");
    }

    /** Stops the writer after the batch it is running; works still queued fail as the store being closed. */
    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Queued<?>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(queued -> queued.done().completeExceptionally(storeClosed()));
    }
}
