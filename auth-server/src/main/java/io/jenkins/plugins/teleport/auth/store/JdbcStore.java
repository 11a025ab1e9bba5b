package io.jenkins.plugins.teleport.auth.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Resource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;

/** The store over JDBC: an embedded SQLite file, or PostgreSQL for several auth servers sharing state. */
public final class JdbcStore implements Store {

    private enum Dialect {
        SQLITE("INTEGER PRIMARY KEY AUTOINCREMENT", "json_extract(body, '$.spec.%s')"),
        POSTGRES("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "(CAST(body AS jsonb) -> 'spec' ->> '%s')");

        final String idColumn;
        /** An SQL expression for a top-level text field of a resource's spec, e.g. its state. */
        final String specField;

        Dialect(String idColumn, String specField) {
            this.idColumn = idColumn;
            this.specField = specField;
        }
    }

    private static final TypeReference<AuditEvent> EVENT = new TypeReference<>() {};

    private static final String EVENT_INSERT = "INSERT INTO audit_events (uid, time_ms, event, code, username, request_id, body)";
    private static final String CERTIFICATE_INSERT =
            "INSERT INTO certificates (kind, serial, subject, request_id, issued_at, expires_at, revoked_at, usage_json)";

    /**
     * A swap as {@code JdbcTx.swap} builds it: its SQL, and what it binds: the next revision, body and time, the
     * resource and the revision it must still be at, then each witness's kind, name and text (NULL if read as absent).
     */
    private record Swap(String sql, Tx.Encoded<? extends Resource> next, List<Tx.AsRead> witnessed, long now) {

        int witnesses() {
            return witnessed.size();
        }

        /** Binds from parameter {@code from} on; the next free parameter. */
        int bind(PreparedStatement ps, int from) throws SQLException {
            Resource stored = next.value();
            int i = from;
            ps.setLong(i++, stored.metadata().revision());
            ps.setString(i++, next.json());
            ps.setLong(i++, now);
            ps.setString(i++, stored.kind());
            ps.setString(i++, stored.name());
            ps.setLong(i++, stored.metadata().revision() - 1);
            for (Tx.AsRead read : witnessed) {
                ps.setString(i++, read.kind());
                ps.setString(i++, read.name());
                if (read.json().isPresent()) {
                    ps.setString(i++, read.json().get());
                } else {
                    ps.setNull(i++, Types.VARCHAR);
                }
            }
            return i;
        }
    }

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final Clock clock;
    private final String description;
    // SQLite has one writer at a time: its writes go through one thread that commits what is waiting together
    // (GroupCommit), instead of queueing in SQLite's busy handler, which sleeps and polls. PostgreSQL has concurrent
    // writers and needs none.
    private final Optional<GroupCommit> writer;
    // SQLite: its WAL copied back into the file by a thread of its own, not by the writer's commits.
    private final Optional<WalCheckpoints> checkpoints;
    private final DecodedResources decoded = new DecodedResources();
    private final RecentRows recent = new RecentRows();

    private JdbcStore(HikariDataSource pool, Dialect dialect, Clock clock, String description,
                      Optional<GroupCommit.Connections> writerConnections, Optional<GroupCommit.Connections> checkpointConnections) {
        this.pool = pool;
        this.dialect = dialect;
        this.clock = clock;
        this.description = description;
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("id_column", dialect.idColumn))
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.writer = writerConnections.map(open -> new GroupCommit(pool.getPoolName(), open, JdbcTx::new));
        this.checkpoints = checkpointConnections.map(open -> new WalCheckpoints(pool.getPoolName(), open));
    }

    /**
     * Opens (creating if needed) the SQLite file and migrates it. A directory made for it is 0700; the file and its
     * {@code -wal} and {@code -shm} companions are 0600 (SQLite gives the companions the database file's mode).
     */
    public static JdbcStore sqlite(Path file, Clock clock) {
        return sqlite(file, clock, UnaryOperator.identity());
    }

    /** {@link #sqlite(Path, Clock)} with the writer's connections passed through {@code writerConnections} (tests). */
    static JdbcStore sqlite(Path file, Clock clock, UnaryOperator<Connection> writerConnections) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            PrivateFiles.directory(parent);
        }
        PrivateFiles.file(file);
        for (String companion : List.of("-wal", "-shm", "-journal")) {
            PrivateFiles.restrictIfPresent(Path.of(file + companion));
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(30_000);
        // Deleted and overwritten bytes are zeroed where that costs no extra I/O, so that the plain CA keys of a store
        // written before they were encrypted do not linger in free space once they are sealed (CaKeyEncryption).
        config.setPragma(SQLiteConfig.Pragma.SECURE_DELETE, "FAST");
        // Writers take the lock when the transaction begins, so two read-modify-write transactions
        // queue up instead of failing on lock upgrade.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        // Each work of a group commit runs in a savepoint, whose statement journal SQLite would otherwise keep in a
        // temporary file created and deleted by every batch (measured: 3 % of the writer thread's time in open, close
        // and unlink). In memory it holds at most one batch's undo.
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Nothing here reads generated keys; with them on, the driver looks for them after every INSERT (measured on the
        // issuance's writes alone: 15 - 30 µs per issuance).
        config.setGetGeneratedKeys(false);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        HikariConfig hikari = new HikariConfig();
        hikari.setDataSource(ds);
        hikari.setMaximumPoolSize(8);
        hikari.setPoolName("sqlite");
        return new JdbcStore(new HikariDataSource(hikari), Dialect.SQLITE, clock, "sqlite:" + file.toAbsolutePath(),
                Optional.of(() -> writerConnections.apply(WalCheckpoints.configureWriter(ds.getConnection()))),
                Optional.of(ds::getConnection));
    }

    /** Connects to PostgreSQL and migrates the schema. */
    public static JdbcStore postgres(String jdbcUrl, String user, String password, Clock clock) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(16);
        hikari.setPoolName("postgres");
        return new JdbcStore(new HikariDataSource(hikari), Dialect.POSTGRES, clock,
                "postgres:" + jdbcUrl.replaceFirst("^jdbc:postgresql://", ""), Optional.empty(), Optional.empty());
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public <T> T read(Work<T> work) {
        return read(work, false);
    }

    /** {@link #read} whose bots, users and roles may be answered as this server last read them ({@link RecentRows}). */
    @Override
    public <T> T readRecent(Work<T> work) {
        return read(work, true);
    }

    private <T> T read(Work<T> work, boolean fromRecent) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(true);
            return work.apply(new JdbcTx(c, fromRecent));
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public <T> T write(Work<T> work) {
        return writer.isPresent() ? writer.get().write(work) : writeInTransaction(work);
    }

    /**
     * SQLite: queued to the writer thread, the stage completing on it once the batch is committed. PostgreSQL, which has
     * concurrent writers: written on the calling thread.
     */
    @Override
    public <T> CompletableFuture<T> writeLater(Work<T> work) {
        return writer.isPresent() ? writer.get().submit(work) : Store.super.writeLater(work);
    }

    /** SQLite: the writes waiting for the writer thread; 0 for PostgreSQL. */
    @Override
    public int queuedWrites() {
        return writer.map(GroupCommit::queued).orElse(0);
    }

    private <T> T writeInTransaction(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(new JdbcTx(c));
                c.commit();
                return result;
            } catch (RuntimeException | Error e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void close() {
        writer.ifPresent(GroupCommit::close);
        checkpoints.ifPresent(WalCheckpoints::close);
        pool.close();
    }

    private static ApiException unavailable(SQLException e) {
        return new ApiException(ErrorCode.UNAVAILABLE, "the store is unavailable: " + e.getMessage());
    }

    /**
     * A statement of the issuance path, for SQLite prepared once per connection and kept (parsing and planning the SQL
     * cost about as much as running it); PostgreSQL's driver keeps its own, so there it is prepared and closed as usual.
     */
    private record Kept(PreparedStatement ps, boolean shared) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            if (shared) {
                ps.clearParameters();
            } else {
                ps.close();
            }
        }
    }

    /**
     * SQLite's kept statements, by the driver's own connection (not Hikari's proxy, which closes its statements when the
     * connection goes back to the pool). A connection's map is only used by the one thread holding the connection.
     */
    private final Map<Connection, Map<String, PreparedStatement>> keptStatements = new ConcurrentHashMap<>();

    private final class JdbcTx implements Tx {
        private final Connection c;
        /** Whether bots, users and roles may be answered from {@link #recent} ({@link #readRecent}). */
        private final boolean fromRecent;

        JdbcTx(Connection c) {
            this(c, false);
        }

        JdbcTx(Connection c, boolean fromRecent) {
            this.c = c;
            this.fromRecent = fromRecent;
        }

        private Kept kept(String sql) throws SQLException {
            if (dialect != Dialect.SQLITE) {
                return new Kept(c.prepareStatement(sql), false);
            }
            Connection raw = c.unwrap(SQLiteConnection.class);
            Map<String, PreparedStatement> statements = keptStatements.get(raw);
            if (statements == null) {
                // A new connection (Hikari replaces them now and then): forget those it closed.
                keptStatements.keySet().removeIf(JdbcStore::isClosed);
                statements = new HashMap<>();
                keptStatements.put(raw, statements);
            }
            PreparedStatement ps = statements.get(sql);
            if (ps == null || ps.isClosed()) {
                ps = raw.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return new Kept(ps, true);
        }

        /** {@link #kept(String)} for a statement of at most {@code MAX_KEPT_NAMES} names or rows; a one-off otherwise. */
        private Kept kept(String sql, int size) throws SQLException {
            return size <= MAX_KEPT_NAMES ? kept(sql) : new Kept(c.prepareStatement(sql), false);
        }

        @Override
        public <T extends Resource> Optional<T> get(Class<T> type, String name) {
            Optional<String> known = fromRecent && RecentRows.keeps(type) ? recent.get(type, name) : null;
            if (known != null) {
                return known.map(body -> decoded.get(type, body, JdbcStore::decode));
            }
            try (Kept kept = kept("SELECT body FROM resources WHERE kind = ? AND name = ?")) {
                PreparedStatement ps = kept.ps();
                ps.setString(1, Kind.of(type).wireName());
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    Optional<String> body = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                    recent.read(type, name, body);
                    return body.map(text -> decoded.get(type, text, JdbcStore::decode));
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public <T extends Resource> List<T> getAll(Class<T> type, List<String> names) {
            List<String> distinct = List.copyOf(new LinkedHashSet<>(names));
            if (fromRecent && RecentRows.keeps(type)) {
                List<Optional<String>> known = new ArrayList<>(distinct.size());
                for (String name : distinct) {
                    known.add(recent.get(type, name));
                }
                if (!known.contains(null)) {
                    return known.stream().flatMap(Optional::stream).map(body -> decoded.get(type, body, JdbcStore::decode)).toList();
                }
            }
            Map<String, T> found = new HashMap<>();
            Map<String, String> bodies = new HashMap<>();
            for (int from = 0; from < distinct.size(); from += MAX_NAMES_PER_STATEMENT) {
                List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + MAX_NAMES_PER_STATEMENT));
                String sql = "SELECT name, body FROM resources WHERE kind = ? AND name IN (" + marks(chunk.size()) + ")";
                try (Kept kept = kept(sql, chunk.size())) {
                    PreparedStatement ps = kept.ps();
                    ps.setString(1, Kind.of(type).wireName());
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            bodies.put(rs.getString(1), rs.getString(2));
                            found.put(rs.getString(1), decoded.get(type, rs.getString(2), JdbcStore::decode));
                        }
                    }
                } catch (SQLException e) {
                    throw unavailable(e);
                }
            }
            distinct.forEach(name -> recent.read(type, name, Optional.ofNullable(bodies.get(name))));
            return distinct.stream().map(found::get).filter(Objects::nonNull).toList();
        }

        @Override
        public <T extends Resource> List<T> list(Class<T> type) {
            try (Kept kept = kept(LIST_SQL.get(Kind.of(type)))) {
                PreparedStatement ps = kept.ps();
                List<T> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(decoded.get(type, rs.getString(1), JdbcStore::decode));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public Map<String, Long> revisions(Class<? extends Resource> type, List<String> names) {
            Map<String, Long> out = new java.util.HashMap<>();
            for (int from = 0; from < names.size(); from += MAX_NAMES_PER_STATEMENT) {
                List<String> chunk = names.subList(from, Math.min(names.size(), from + MAX_NAMES_PER_STATEMENT));
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT name, revision FROM resources WHERE kind = ? AND name IN (" + marks(chunk.size()) + ")")) {
                    ps.setString(1, Kind.of(type).wireName());
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 2, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                } catch (SQLException e) {
                    throw unavailable(e);
                }
            }
            return out;
        }

        @Override
        public <T extends Resource> T create(T resource) {
            recent.forget(resource.kind(), resource.name());
            T stored = withRevision(resource, 1);
            long now = clock.millis();
            try (Kept kept = kept(
                    "INSERT INTO resources (kind, name, revision, body, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?) "
                            + "ON CONFLICT (kind, name) DO NOTHING")) {
                PreparedStatement ps = kept.ps();
                ps.setString(1, resource.kind());
                ps.setString(2, resource.name());
                String body = Encoded.json(stored);
                ps.setString(3, body);
                ps.setLong(4, now);
                ps.setLong(5, now);
                if (ps.executeUpdate() == 0) {
                    throw new ApiException(ErrorCode.ALREADY_EXISTS, resource.kind() + " '" + resource.name()
                            + "' already exists: choose another name, or replace it (create -f --force)");
                }
                decoded.written(stored, body, JdbcStore::decode);
                return stored;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public <T extends Resource> T update(Encoded<T> next) {
            T stored = next.value();
            if (updateIfUnchanged(next)) {
                return stored;
            }
            long expected = stored.metadata().revision() - 1;
            if (get(stored.getClass(), stored.name()).isEmpty()) {
                throw new ApiException(ErrorCode.NOT_FOUND, stored.kind() + " '" + stored.name() + "' does not exist");
            }
            throw new ApiException(ErrorCode.REVISION_CONFLICT, stored.kind() + " '" + stored.name()
                    + "' was changed by someone else since revision " + expected + ": read it again and retry");
        }

        @Override
        public <T extends Resource> boolean updateIfUnchanged(Encoded<T> next, List<AsRead> decidedBy) {
            recent.forget(next.value().kind(), next.value().name());
            Swap swap = swap(next, decidedBy);
            try (Kept kept = kept(swap.sql(), swap.witnesses())) {
                PreparedStatement ps = kept.ps();
                swap.bind(ps, 1);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
                decoded.written(next.value(), next.json(), JdbcStore::decode);
                return true;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public <T extends Resource> Optional<List<Lock>> updateIfUnchangedThenRecord(Encoded<T> next, List<AsRead> decidedBy,
                                                                                     List<IssuedCertificate> certificates,
                                                                                     Encoded<AuditEvent> event) {
            if (dialect == Dialect.SQLITE || certificates.isEmpty()) {
                return Tx.super.updateIfUnchangedThenRecord(next, decidedBy, certificates, event);
            }
            recent.forget(next.value().kind(), next.value().name());
            // One statement, one round trip: the swap; the inserts and the locks' read only if it swapped (data-modifying
            // CTEs see each other's RETURNING rows). The BIGINT columns are cast: a VALUES list takes its types from its
            // parameters. Its rows: one (part 0) if it swapped, then one per lock (part 1).
            Swap swap = swap(next, decidedBy);
            String sql = "WITH swapped AS (" + swap.sql() + " RETURNING 1), "
                    + "certificates_added AS (" + CERTIFICATE_INSERT + " SELECT * FROM (VALUES "
                    + String.join(", ", Collections.nCopies(certificates.size(),
                            "(?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), ?)"))
                    + ") AS added WHERE EXISTS (SELECT 1 FROM swapped)), "
                    + "event_added AS (" + EVENT_INSERT + " SELECT ?, CAST(? AS BIGINT), ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM swapped)) "
                    + "SELECT 0 AS part, NULL AS body FROM swapped "
                    // The kind as a literal, as LIST_SQL has it: bound as a parameter, the same statement cost PostgreSQL 250 us more
                    // per issuance (its plan cannot know that locks are few).
                    + "UNION ALL SELECT 1, body FROM resources WHERE kind = '" + Kind.of(Lock.class).wireName()
                    + "' AND EXISTS (SELECT 1 FROM swapped)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = swap.bind(ps, 1);
                i = bindCertificates(ps, i, certificates);
                bindEvent(ps, i, event);
                boolean swapped = false;
                List<Lock> locks = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getInt(1) == 0) {
                            swapped = true;
                        } else {
                            locks.add(decoded.get(Lock.class, rs.getString(2), JdbcStore::decode));
                        }
                    }
                }
                if (!swapped) {
                    return Optional.empty();
                }
                decoded.written(next.value(), next.json(), JdbcStore::decode);
                return Optional.of(locks);
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        /**
         * The swap of {@link #updateIfUnchanged(Encoded, List)}: the UPDATE held to the stored revision and to each
         * witness (one of each kind and name), and how many witnesses it names.
         */
        private Swap swap(Encoded<? extends Resource> next, List<AsRead> decidedBy) {
            Map<List<String>, AsRead> witnesses = new LinkedHashMap<>();
            for (AsRead read : decidedBy) {
                // One of each kind and name, as first read: a decision reads a bot's and a request's roles, which may overlap.
                witnesses.putIfAbsent(List.of(read.kind(), read.name()), read);
            }
            StringBuilder sql = new StringBuilder(
                    "UPDATE resources SET revision = ?, body = ?, updated_at = ? WHERE kind = ? AND name = ? AND revision = ?");
            if (!witnesses.isEmpty()) {
                // No witness whose row is stored otherwise: with other text, gone, or there although read as absent (its
                // text NULL). One join of the witnesses to the table: PostgreSQL spent 112 - 148 us per swap of six
                // witnesses on the earlier two counts over ORs of lookups (an executor node per lookup), 75 - 83 us on
                // this (docs/BENCHMARKS.md, fifteenth step).
                sql.append(" AND NOT EXISTS (WITH witnesses (kind, name, body) AS (VALUES ")
                        .append(String.join(", ", Collections.nCopies(witnesses.size(), "(?, ?, ?)")))
                        .append(") SELECT 1 FROM witnesses LEFT JOIN resources stored")
                        .append(" ON stored.kind = witnesses.kind AND stored.name = witnesses.name")
                        .append(" WHERE stored.body IS DISTINCT FROM witnesses.body)");
            }
            return new Swap(sql.toString(), next, List.copyOf(witnesses.values()), clock.millis());
        }

        @Override
        public AsRead asRead(Resource resource) {
            String body = decoded.bodyOf(resource).orElseGet(() -> Encoded.json(resource));
            return new AsRead(resource.kind(), resource.name(), Optional.of(body));
        }

        @Override
        public boolean delete(Class<? extends Resource> type, String name) {
            recent.forget(Kind.of(type).wireName(), name);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM resources WHERE kind = ? AND name = ?")) {
                ps.setString(1, Kind.of(type).wireName());
                ps.setString(2, name);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public void append(Encoded<AuditEvent> encoded) {
            try (Kept kept = kept(EVENT_INSERT + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                bindEvent(kept.ps(), 1, encoded);
                kept.ps().executeUpdate();
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        /** Binds an event's seven columns of {@link #EVENT_INSERT} from parameter {@code from} on. */
        private static int bindEvent(PreparedStatement ps, int from, Encoded<AuditEvent> encoded) throws SQLException {
            AuditEvent event = encoded.value();
            int i = from;
            ps.setString(i++, event.uid());
            ps.setLong(i++, event.time().toEpochMilli());
            ps.setString(i++, event.event());
            ps.setString(i++, event.code());
            ps.setString(i++, event.user());
            ps.setString(i++, event.requestId().orElse(null));
            ps.setString(i++, encoded.json());
            return i;
        }

        @Override
        public List<AuditEvent> events(Optional<String> requestId, Optional<Instant> from, Optional<Instant> to, int limit) {
            StringBuilder sql = new StringBuilder("SELECT seq, body FROM audit_events WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            requestId.ifPresent(id -> {
                sql.append(" AND request_id = ?");
                args.add(id);
            });
            from.ifPresent(t -> {
                sql.append(" AND time_ms >= ?");
                args.add(t.toEpochMilli());
            });
            to.ifPresent(t -> {
                sql.append(" AND time_ms < ?");
                args.add(t.toEpochMilli());
            });
            sql.append(" ORDER BY seq LIMIT ?");
            args.add(limit);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<AuditEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        AuditEvent e = Json.mapper().readValue(rs.getString(2), EVENT);
                        out.add(new AuditEvent(rs.getLong(1), e.uid(), e.event(), e.code(), e.time(), e.user(),
                                e.requestId(), e.fields()));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw unavailable(e);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("unreadable audit event in the store", e);
            }
        }

        @Override
        public Optional<StoredAuthority> authority(String name) {
            try (PreparedStatement ps = c.prepareStatement("SELECT cert_pem, key_pem FROM cert_authorities WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new StoredAuthority(rs.getString(1), rs.getString(2))) : Optional.empty();
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public StoredAuthority insertAuthorityIfAbsent(String name, StoredAuthority authority) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO cert_authorities (name, cert_pem, key_pem, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setString(2, authority.publicPart());
                ps.setString(3, authority.privateKey());
                ps.setLong(4, clock.millis());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw unavailable(e);
            }
            return authority(name).orElseThrow();
        }

        @Override
        public boolean replaceAuthorityKey(String name, String expected, String replacement) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cert_authorities SET key_pem = ? WHERE name = ? AND key_pem = ?")) {
                ps.setString(1, replacement);
                ps.setString(2, name);
                ps.setString(3, expected);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public Map<IssuedCertificate.Kind, Long> liveCertificateCounts(Instant now) {
            Map<IssuedCertificate.Kind, Long> out = new java.util.EnumMap<>(IssuedCertificate.Kind.class);
            for (IssuedCertificate.Kind kind : IssuedCertificate.Kind.values()) {
                out.put(kind, 0L);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT kind, COUNT(*) FROM certificates WHERE revoked_at IS NULL AND expires_at > ? GROUP BY kind")) {
                ps.setLong(1, now.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(IssuedCertificate.Kind.valueOf(rs.getString(1).toUpperCase()), rs.getLong(2));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public long pendingAccessRequests(Instant now) {
            // Times of requests are kept to the second and written as ISO-8601 text, so text order is time order.
            String sql = "SELECT COUNT(*) FROM resources WHERE kind = ? AND " + dialect.specField.formatted("state")
                    + " = 'PENDING' AND " + dialect.specField.formatted("expires") + " > ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, Kind.ACCESS_REQUEST.wireName());
                ps.setString(2, now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public boolean recordTokenId(String issuer, String jti, Instant expires) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO used_token_ids (issuer, jti, expires_at) VALUES (?, ?, ?) ON CONFLICT (issuer, jti) DO NOTHING")) {
                ps.setString(1, issuer);
                ps.setString(2, jti);
                ps.setLong(3, expires.toEpochMilli());
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public int forgetTokenIdsExpiredBefore(Instant before) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM used_token_ids WHERE expires_at < ?")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public boolean replaceAuthority(String name, String expectedPublicPart, StoredAuthority authority) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE cert_authorities SET cert_pem = ?, key_pem = ? WHERE name = ? AND cert_pem = ?")) {
                ps.setString(1, authority.publicPart());
                ps.setString(2, authority.privateKey());
                ps.setString(3, name);
                ps.setString(4, expectedPublicPart);
                return ps.executeUpdate() == 1;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public long counter(Counter counter) {
            try (Kept kept = kept("SELECT value FROM counters WHERE name = ?")) {
                PreparedStatement ps = kept.ps();
                ps.setString(1, counter.dbName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("counter " + counter.dbName() + " is missing from the store");
                    }
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public long add(Counter counter, long amount) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE counters SET value = value + ? WHERE name = ? RETURNING value")) {
                ps.setLong(1, amount);
                ps.setString(2, counter.dbName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException("counter " + counter.dbName() + " is missing from the store");
                    }
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        @Override
        public WebAccounts webAccounts() {
            return new JdbcWebAccounts(c, clock);
        }

        @Override
        public void record(List<IssuedCertificate> certs) {
            if (certs.isEmpty()) {
                return;
            }
            String sql = CERTIFICATE_INSERT + " VALUES " + String.join(", ", Collections.nCopies(certs.size(), "(?, ?, ?, ?, ?, ?, ?, ?)"));
            try (Kept kept = kept(sql, certs.size())) {
                bindCertificates(kept.ps(), 1, certs);
                kept.ps().executeUpdate();
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }

        /** Binds the eight columns of {@link #CERTIFICATE_INSERT} of each certificate from parameter {@code from} on. */
        private static int bindCertificates(PreparedStatement ps, int from, List<IssuedCertificate> certs) throws SQLException {
            int i = from;
            String usage = null;
            Map<String, String> usageOf = null;
            for (IssuedCertificate cert : certs) {
                if (cert.usage() != usageOf) {
                    usageOf = cert.usage();
                    usage = usageOf.isEmpty() ? null : Tx.Encoded.json(usageOf);
                }
                ps.setString(i++, cert.kind().wireName());
                ps.setString(i++, cert.serial());
                ps.setString(i++, cert.subject());
                ps.setString(i++, cert.requestId().orElse(null));
                ps.setLong(i++, cert.issuedAt().toEpochMilli());
                ps.setLong(i++, cert.expiresAt().toEpochMilli());
                if (cert.revokedAt().isPresent()) {
                    ps.setLong(i++, cert.revokedAt().get().toEpochMilli());
                } else {
                    ps.setNull(i++, java.sql.Types.BIGINT);
                }
                ps.setString(i++, usage);
            }
            return i;
        }

        @Override
        public Optional<IssuedCertificate> certificate(IssuedCertificate.Kind kind, String serial) {
            List<IssuedCertificate> found = selectCertificates("kind = ? AND serial = ?", List.of(kind.wireName(), serial));
            return found.stream().findFirst();
        }

        @Override
        public List<IssuedCertificate> revokeForRequest(String requestId, String subject, Instant at) {
            List<IssuedCertificate> open = selectCertificates(
                    "request_id = ? AND subject = ? AND revoked_at IS NULL", List.of(requestId, subject));
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE certificates SET revoked_at = ? WHERE request_id = ? AND subject = ? AND revoked_at IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, requestId);
                ps.setString(3, subject);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw unavailable(e);
            }
            return open.stream().map(x -> new IssuedCertificate(x.kind(), x.serial(), x.subject(), x.requestId(), x.issuedAt(),
                    x.expiresAt(), Optional.of(at), x.usage())).toList();
        }

        @Override
        public List<IssuedCertificate> certificates(IssuedCertificate.Kind kind, CertificateQuery query, Instant now) {
            String where;
            Object value;
            if (query.revoked()) {
                where = "revoked_at IS NOT NULL";
                value = null;
            } else if (query.requestId().isPresent()) {
                where = "request_id = ?";
                value = query.requestId().get();
            } else if (query.subject().isPresent()) {
                where = "subject = ?";
                value = query.subject().get();
            } else {
                where = "serial = ?";
                value = query.serial().orElseThrow();
            }
            List<Object> args = new ArrayList<>();
            args.add(kind.wireName());
            if (value != null) {
                args.add(value);
            }
            args.add(now.toEpochMilli());
            return selectCertificates("kind = ? AND " + where + " AND expires_at > ?", args);
        }

        private List<IssuedCertificate> selectCertificates(String where, List<Object> args) {
            try (Kept kept = kept("SELECT kind, serial, subject, request_id, issued_at, expires_at, "
                    + "revoked_at, usage_json FROM certificates WHERE " + where + " ORDER BY issued_at, serial")) {
                PreparedStatement ps = kept.ps();
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<IssuedCertificate> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long revoked = rs.getLong(7);
                        Optional<Instant> revokedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(revoked));
                        out.add(new IssuedCertificate(IssuedCertificate.Kind.valueOf(rs.getString(1).toUpperCase()),
                                rs.getString(2), rs.getString(3), Optional.ofNullable(rs.getString(4)),
                                Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), revokedAt,
                                usage(rs.getString(8))));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw unavailable(e);
            }
        }
    }

    private static final TypeReference<Map<String, String>> USAGE = new TypeReference<>() {};

    private static Map<String, String> usage(String json) {
        try {
            return json == null ? Map.of() : Json.mapper().readValue(json, USAGE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable certificate usage in the store", e);
        }
    }

    /** The most names one {@code IN (...)} list takes (both databases take far more; this keeps statements short). */
    private static final int MAX_NAMES_PER_STATEMENT = 500;

    /** Statements with at most this many names or rows are kept on SQLite; longer ones are one-offs. */
    private static final int MAX_KEPT_NAMES = 16;

    /** {@code n} parameter marks separated by commas. */
    private static String marks(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /**
     * {@link JdbcTx#list}'s statement for each kind, with the kind written into the SQL (Kind's constant wire names,
     * checked here to be lower-case letters and underscores, never input). With the kind as a parameter, PostgreSQL
     * planned the statement anew at every execution (pg_prepared_statements: 46 custom plans in 50 runs, 0 generic;
     * its estimate for the average kind's rows made the generic plan look worse), and an issuance lists the locks
     * twice (authentication, its transaction).
     */
    private static final Map<Kind, String> LIST_SQL = new java.util.EnumMap<>(Kind.class);

    static {
        for (Kind kind : Kind.values()) {
            if (!kind.wireName().matches("[a-z_]+")) {
                throw new IllegalStateException("kind " + kind + " has a wire name unfit for SQL: " + kind.wireName());
            }
            LIST_SQL.put(kind, "SELECT body FROM resources WHERE kind = '" + kind.wireName() + "' ORDER BY name");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Resource> T withRevision(T resource, long revision) {
        return (T) resource.withMetadata(resource.metadata().withRevision(revision));
    }

    private static <T extends Resource> T decode(Class<T> type, String body) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + " in the store", e);
        }
    }
}
