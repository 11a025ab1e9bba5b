package io.jenkins.plugins.teleport.auth.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's write-ahead log copied back into the database file by a thread of its own, so that the writer's
 * {@code COMMIT} does not do it. SQLite's default is the opposite: the commit that takes the WAL past 1,000 pages
 * runs the checkpoint itself (copies every page, syncs the WAL and the file), and every write waiting for the
 * writer waits for it too (measured: commits of 27 - 51 ms several times a second under issuance load, against
 * 2 ms otherwise).
 *
 * <p>Every {@link #INTERVAL} this thread runs a {@code PASSIVE} checkpoint on its own connection, which copies what
 * no reader still needs and never blocks the writer or a reader. A passive checkpoint alone cannot let the WAL start
 * over while the writer keeps appending (the file is rewound only when everything in it was copied), so the writer
 * keeps a backstop: its connection checkpoints itself once the WAL holds {@link #WRITER_BACKSTOP_PAGES}, by then
 * mostly copied already, and the next write starts the WAL from its beginning.
 */
final class WalCheckpoints implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpoints.class);

    /** How often the WAL is copied back into the database file. */
    static final Duration INTERVAL = Duration.ofMillis(200);

    /**
     * The writer connection's {@code wal_autocheckpoint}: the WAL's size (pages of 4 KiB, so 256 MiB) at which the
     * writer rewinds it. Under steady load it is the only rewind (a passive checkpoint never catches a writer that
     * keeps appending), and it stalls the writer for its two {@code fsync}s (the WAL's frames and the database's pages
     * written since this thread's last sync: 25 - 35 ms on the benchmark's disk) while every write queues behind it.
     * At 64 MiB that came every 2 s at 3,000 issuances/s and made the issuance p99; at 256 MiB it comes every 3 - 8 s
     * (an issuance writes 10 - 40 KiB of WAL, more when fewer share a commit; docs/BENCHMARKS.md, eleventh and twelfth
     * steps). Asking the writer for more frequent, smaller rewinds was tried and made the tail worse (twelfth step): its
     * two {@code fsync}s cost nearly as much for a few hundred pages as for all of them.
     */
    static final int WRITER_BACKSTOP_PAGES = 65_536;

    private final GroupCommit.Connections connections;
    private final Thread thread;
    private volatile boolean closed;

    WalCheckpoints(String name, GroupCommit.Connections connections) {
        this.connections = connections;
        this.thread = new Thread(this::run, name + "-checkpoints");
        thread.setDaemon(true);
        thread.start();
    }

    /** What the writer's own connection is set to on open: the backstop above instead of SQLite's 1,000 pages. */
    static Connection configureWriter(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA wal_autocheckpoint = " + WRITER_BACKSTOP_PAGES);
        } catch (SQLException e) {
            writer.close();
            throw e;
        }
        return writer;
    }

    private void run() {
        Connection connection = null;
        while (!closed) {
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                continue;
            }
            try {
                if (connection == null) {
                    connection = connections.open();
                    connection.setAutoCommit(true);
                }
                checkpoint(connection);
            } catch (SQLException | RuntimeException e) {
                // The writer's backstop still bounds the WAL; try again with a fresh connection next time.
                LOG.warn("event=wal_checkpoint_failed error={}", e.toString());
                connection = close(connection);
            }
        }
        close(connection);
    }

    /** One passive checkpoint: copies the WAL's pages that no reader still needs; blocks no one. */
    private static void checkpoint(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet ignored = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            // The row (busy, pages in the WAL, pages copied) is not needed: the next round copies what this one left.
        }
    }

    private static Connection close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Nothing more to do with it.
            }
        }
        return null;
    }

    /** Stops the thread after the checkpoint it is running; what is left in the WAL is checkpointed by SQLite on close. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
