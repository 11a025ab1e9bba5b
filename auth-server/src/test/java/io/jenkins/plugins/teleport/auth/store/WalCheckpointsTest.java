package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's WAL copied back into the database file by a thread of its own ({@link WalCheckpoints}), not the writer. */
class WalCheckpointsTest {

    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void writesReachTheDatabaseFileLongBeforeTheWalHoldsSqlitesThousandPages() throws Exception {
        Path file = dir.resolve("auth.db");
        try (JdbcStore store = JdbcStore.sqlite(file, Clock.systemUTC())) {
            long before = Files.size(file);
            // About 200 pages of events: a fifth of the 1,000 at which SQLite's own commit would checkpoint, so
            // only the checkpoint thread copies them into the file.
            String filler = "x".repeat(3_000);
            for (int i = 0; i < 200; i++) {
                AuditEvent event = new AuditEvent(0, UUID.randomUUID().toString(), "test.event", "T0000I", Instant.now(), "alice",
                        Optional.of("r" + i), Map.of("filler", filler));
                store.write(tx -> {
                    tx.append(event);
                    return null;
                });
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (Files.size(file) < before + 150L * PAGE && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.size(file) >= before + 150L * PAGE,
                    "the database file grew from " + before + " to only " + Files.size(file) + " bytes: the WAL was not checkpointed");
        }
    }

    @Test
    void theWritersConnectionCheckpointsOnlyAsABackstop() throws Exception {
        try (Connection c = WalCheckpoints.configureWriter(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA wal_autocheckpoint")) {
            assertTrue(rs.next());
            assertEquals(WalCheckpoints.WRITER_BACKSTOP_PAGES, rs.getInt(1));
        }
    }
}
