package io.jenkins.plugins.teleport.auth.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Fills a benchmark store with history, fast: {@code n} finished access requests, each with its two certificates
 * (SSH and X.509, released) and two audit events, written straight into the store's tables with multi-row
 * {@code INSERT}s of 250 rows in transactions of 50,000 requests. Bodies are copies of the first stored request and of
 * its real {@code access_request.create} and {@code access_request.review} events with new IDs, so rows have the size
 * real ones have. Every certificate belongs to the benchmark's bot, as a busy pipeline bot's would, so the indexes by
 * subject are as long as they get. No {@code ANALYZE} is run: the server does not run one either.
 */
final class StoreSeeder {

    private static final int ROWS_PER_INSERT = 250;
    private static final int REQUESTS_PER_TRANSACTION = 50_000;
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);

    private StoreSeeder() {}

    /** Where the store's tables are. */
    record Target(String url, String user, String password, boolean sqlite) {
        static Target sqlite(Path file) {
            return new Target("jdbc:sqlite:" + file.toAbsolutePath(), null, null, true);
        }

        static Target postgres(String url, String user, String password) {
            return new Target(url, user, password, false);
        }
    }

    /** What was written. */
    record Counts(long requests, long certificates, long events) {}

    static Counts seed(Target target, long n) throws SQLException {
        if (n <= 0) {
            return new Counts(0, 0, 0);
        }
        if (n % ROWS_PER_INSERT != 0) {
            throw new IllegalArgumentException("seed a multiple of " + ROWS_PER_INSERT + " requests, not " + n);
        }
        try (Connection c = target.sqlite() ? DriverManager.getConnection(target.url())
                : DriverManager.getConnection(target.url(), target.user(), target.password())) {
            if (target.sqlite()) {
                try (Statement st = c.createStatement()) {
                    // This connection only: the seeding is not part of what is measured.
                    st.execute("PRAGMA synchronous = OFF");
                    st.execute("PRAGMA cache_size = -1000000");
                    st.execute("PRAGMA busy_timeout = 30000");
                }
            }
            String request = first(c, "SELECT body FROM resources WHERE kind = 'access_request' ORDER BY created_at");
            String requestId = first(c, "SELECT name FROM resources WHERE kind = 'access_request' ORDER BY created_at");
            String created = first(c, "SELECT body FROM audit_events WHERE event = 'access_request.create' ORDER BY seq");
            String reviewed = first(c, "SELECT body FROM audit_events WHERE event = 'access_request.review' ORDER BY seq");
            String requestTemplate = request.replace(requestId, "@ID@").replace("\"APPROVED\"", "\"CONSUMED\"");
            String[] eventTemplates = {template(created, requestId), template(reviewed, requestId)};
            String[] eventNames = {"access_request.create", "access_request.review"};
            String[] eventCodes = {code(c, eventNames[0]), code(c, eventNames[1])};

            SplittableRandom random = new SplittableRandom(42);
            long now = System.currentTimeMillis();
            c.setAutoCommit(false);
            try (PreparedStatement resources = c.prepareStatement(insert("INSERT INTO resources "
                            + "(kind, name, revision, body, created_at, updated_at) VALUES ", "('access_request', ?, 3, ?, ?, ?)"));
                    PreparedStatement certificates = c.prepareStatement(insert("INSERT INTO certificates (kind, serial, subject, "
                            + "request_id, issued_at, expires_at, revoked_at, usage_json) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?)"));
                    PreparedStatement events = c.prepareStatement(insert("INSERT INTO audit_events "
                            + "(uid, time_ms, event, code, username, request_id, body) VALUES ", "(?, ?, ?, ?, ?, ?, ?)"))) {
                int r = 0;
                int k = 0;
                int e = 0;
                for (long i = 0; i < n; i++) {
                    String id = uuid(random);
                    long at = now - random.nextLong(30 * DAY_MS) - DAY_MS;
                    r = bind(resources, r, id, requestTemplate.replace("@ID@", id), at, at);
                    long expires = at + TimeUnit.MINUTES.toMillis(10);
                    k = bind(certificates, k, "ssh", Long.toString(random.nextLong() & Long.MAX_VALUE), "bot:jenkins-deploy", id,
                            at, expires, at + TimeUnit.MINUTES.toMillis(5), "{\"ci_system\":\"bench\"}");
                    k = bind(certificates, k, "tls", tlsSerial(random), "bot:jenkins-deploy", id, at, expires,
                            at + TimeUnit.MINUTES.toMillis(5), "{\"ci_system\":\"bench\"}");
                    for (int j = 0; j < 2; j++) {
                        String uid = uuid(random);
                        e = bind(events, e, uid, at + j, eventNames[j], eventCodes[j], j == 0 ? "alice" : "bob", id,
                                eventTemplates[j].replace("@ID@", id).replace("@UID@", uid));
                    }
                    if ((i + 1) % REQUESTS_PER_TRANSACTION == 0) {
                        c.commit();
                    }
                }
                c.commit();
            }
            c.setAutoCommit(true);
            if (target.sqlite()) {
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
            } else {
                try (Statement st = c.createStatement()) {
                    st.execute("VACUUM ANALYZE"); // what autovacuum would have done by the time a store holds this much
                }
            }
            return new Counts(n, 2 * n, 2 * n);
        }
    }

    private static String insert(String head, String row) {
        StringBuilder sql = new StringBuilder(head);
        for (int i = 0; i < ROWS_PER_INSERT; i++) {
            sql.append(i == 0 ? "" : ", ").append(row);
        }
        return sql.toString();
    }

    /** Binds one row's values at row {@code row} of the statement; executes it when full; returns the next row. */
    private static int bind(PreparedStatement ps, int row, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(row * values.length + i + 1, values[i]);
        }
        if (row + 1 == ROWS_PER_INSERT) {
            ps.executeUpdate();
            return 0;
        }
        return row + 1;
    }

    private static String template(String body, String requestId) {
        String uid = body.replaceFirst("(?s).*\"uid\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        return body.replace(requestId, "@ID@").replace(uid, "@UID@");
    }

    private static String code(Connection c, String event) throws SQLException {
        return first(c, "SELECT code FROM audit_events WHERE event = '" + event + "' ORDER BY seq");
    }

    private static String first(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("the benchmark store has nothing to copy for: " + sql);
            }
            return rs.getString(1);
        }
    }

    /** A random (version 4) UUID; SplittableRandom, as the seeding needs millions and no secrecy. */
    private static String uuid(SplittableRandom random) {
        return new java.util.UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
    }

    private static String tlsSerial(SplittableRandom random) {
        return new java.math.BigInteger(1, new byte[] {(byte) (0x40 | random.nextInt(0x40)), (byte) random.nextInt(),
                (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(),
                (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(),
                (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt(),
                (byte) random.nextInt(), (byte) random.nextInt()}).toString(16);
    }
}
