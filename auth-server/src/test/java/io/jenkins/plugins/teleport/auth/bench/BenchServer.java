package io.jenkins.plugins.teleport.auth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.Bootstrap;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.store.PostgresFixture;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The auth server of the issuance benchmark, in a JVM of its own (started by the load generator,
 * {@code client/src/test/.../bench/IssuanceLoad}): the real {@link AuthServer} with the system clock on a loopback
 * port, SQLite in a fresh data directory or a fresh PostgreSQL database, the walkthrough's resources, {@code --requests}
 * approved access requests for bot {@code jenkins-deploy} (one per load client) and a reusable join token, all made
 * through the API; then {@code --seed} more stored requests with their certificates and audit events, written
 * straight into the store's tables ({@link StoreSeeder}). It prints one line {@code READY {json}} on stdout and
 * serves until its standard input closes; {@code jfr start <file>} and {@code jfr stop} on standard input record a
 * JFR profile of the measured window ({@code --profiled true} turns JFR's events on from the start).
 *
 * <pre>BenchServer --dir DIR [--store sqlite|postgres] [--requests 64] [--seed 1000] [--profiled false]</pre>
 */
public final class BenchServer {

    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        Path dir = Path.of(opts.getOrDefault("dir", Files.createTempDirectory("bench-server").toString()));
        String storeType = opts.getOrDefault("store", "sqlite");
        int requests = Integer.parseInt(opts.getOrDefault("requests", "64"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "1000"));
        // Turning JFR's profiling events on retransforms JDK classes and throws compiled code away; done at start, the
        // warm-up recompiles it, and the measured window's recording changes nothing.
        jdk.jfr.Recording background = null;
        if (Boolean.parseBoolean(opts.getOrDefault("profiled", "false"))) {
            background = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            background.setToDisk(false);
            background.setMaxAge(Duration.ofSeconds(10));
            background.start();
        }

        ServerConfig config = ServerConfig.defaults().withClusterName("bench").withListenAddr("127.0.0.1:0").withDataDir(dir);
        Path key = CaKeyEncryption.ensureKeyFile(io.jenkins.plugins.teleport.auth.store.PrivateFiles.directory(dir)
                .resolve("ca-encryption.key"));
        config = config.withCaKeyEncryption(new ServerConfig.CaKeyEncryption(ServerConfig.KeySource.ofFile(key), null));
        StoreSeeder.Target target;
        Optional<Long> postmaster = Optional.empty();
        if (storeType.equals("postgres")) {
            PostgresFixture pg = PostgresFixture.shared().orElseThrow(() -> new IllegalStateException(
                    "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed: apt-get install postgresql"));
            String url = pg.createDatabase();
            target = StoreSeeder.Target.postgres(url, pg.user(), pg.password());
            postmaster = Optional.of(durableLikeSqlite(target));
            config = config.withStorage(new ServerConfig.Storage("postgres", null, url, pg.user(), null));
        } else {
            target = StoreSeeder.Target.sqlite(config.sqlitePath());
        }

        // -Dbench.http.threads=N (in SERVER_JAVA_OPTS): another number of request threads than the server's default
        // (twice the cores, at least 4).
        int threads = Integer.getInteger("bench.http.threads", 0);
        if (threads > 0) {
            config = config.withHttp(new ServerConfig.Http(0, threads, null, null, null, null, 0, 0));
        }
        AuthServer server = AuthServer.start(config, Clock.systemUTC());
        IdentityFile adminId = Bootstrap.adminIdentity(server.store(), server.ca(), Clock.systemUTC(), "admin", Duration.ofHours(12));
        TestClient admin = new TestClient(server.url(), adminId.sslContext());
        applyWalkthrough(admin);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            ids.add(approvedRequest(server, "bench client " + i));
        }
        TestClient.Response token = admin.post("/v1/tokens", Map.of("bot_name", "jenkins-deploy", "reusable", true));
        check(token, 201, "join token");

        long seeded = System.nanoTime();
        StoreSeeder.Counts counts = StoreSeeder.seed(target, seed);
        double seedSeconds = (System.nanoTime() - seeded) / 1e9;
        System.err.printf("event=bench_seeded requests=%d certificates=%d events=%d seconds=%.1f%n", counts.requests(),
                counts.certificates(), counts.events(), seedSeconds);

        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("url", server.url().toString());
        ready.put("pin", server.ca().pin());
        ready.put("token", token.json().path("token").asText());
        ready.put("requests", ids);
        ready.put("pid", ProcessHandle.current().pid());
        ready.put("store", server.store().describe());
        ready.put("seeded_requests", counts.requests());
        ready.put("seeded_certificates", counts.certificates());
        ready.put("seeded_events", counts.events());
        ready.put("seed_seconds", seedSeconds);
        postmaster.ifPresent(pid -> ready.put("postmaster_pid", pid));
        System.out.println("READY " + Json.mapper().writeValueAsString(ready));
        System.out.flush();

        Profiler profiler = new Profiler();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] cmd = line.strip().split("\\s+");
                if (cmd.length >= 3 && cmd[0].equals("jfr") && cmd[1].equals("start")) {
                    profiler.start(Path.of(cmd[2]));
                } else if (cmd.length >= 2 && cmd[0].equals("jfr") && cmd[1].equals("stop")) {
                    profiler.stop();
                } else if (cmd[0].equals("stats")) {
                    System.out.println("OK stats " + Json.mapper().writeValueAsString(jvmStats()));
                    System.out.flush();
                    continue;
                }
                System.out.println("OK " + line.strip());
                System.out.flush();
            }
        } finally {
            profiler.stop();
            if (background != null) {
                background.close();
            }
            server.close();
        }
        System.exit(0);
    }

    /**
     * What this JVM spent outside the request threads so far, in milliseconds: compiling (the JIT's compile time,
     * summed over its threads) and collecting garbage; the load generator warms up until compiling has settled.
     */
    private static Map<String, Object> jvmStats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("compile_ms", java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
        out.put("gc_ms", java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum());
        return out;
    }

    /** A JFR recording of the measured window (the "profile" settings: method samples every 10-20 ms, allocations, locks). */
    private static final class Profiler {
        private jdk.jfr.Recording recording;

        void start(Path file) throws IOException, java.text.ParseException {
            stop();
            recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            recording.setDestination(file);
            recording.start();
        }

        void stop() {
            if (recording != null) {
                recording.stop();
                recording.close();
                recording = null;
            }
        }
    }

    /**
     * Commits on the benchmark's PostgreSQL are as durable as SQLite's in WAL mode with {@code synchronous=NORMAL}
     * (the server's setting): written to the log at once, flushed to disk in the background
     * ({@code synchronous_commit=off}), with {@code fsync} back on (the shared test fixture turns it off). Returns
     * the postmaster's PID, so the load generator can count the database's CPU time too.
     */
    private static long durableLikeSqlite(StoreSeeder.Target target) throws Exception {
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password());
                Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET fsync = on");
            st.execute("ALTER SYSTEM SET synchronous_commit = off");
            st.execute("SELECT pg_reload_conf()");
            try (ResultSet rs = st.executeQuery("SELECT pg_read_file('postmaster.pid')")) {
                rs.next();
                return Long.parseLong(rs.getString(1).lines().findFirst().orElseThrow().strip());
            }
        }
    }

    private static void applyWalkthrough(TestClient admin) throws IOException {
        Path file = Files.exists(Path.of("examples", "walkthrough.yaml")) ? Path.of("examples", "walkthrough.yaml")
                : Path.of("..", "examples", "walkthrough.yaml");
        for (Object doc : Json.yaml().readerFor(JsonNode.class).readValues(Files.readString(file)).readAll()) {
            JsonNode node = (JsonNode) doc;
            Kind kind = Kind.fromWireName(node.path("kind").asText()).orElseThrow();
            Resource r = Json.mapper().treeToValue(node, kind.type());
            check(admin.post("/v1/" + kind.collection(), r), 201, kind.wireName() + " " + r.name());
        }
    }

    /** A request for bot jenkins-deploy created by alice and approved by bob and carol (the walkthrough's change board). */
    private static String approvedRequest(AuthServer server, String reason) {
        TestClient alice = client(server, "alice");
        TestClient.Response created = alice.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), reason, Optional.of(Duration.ofHours(2)), Optional.empty(), false));
        check(created, 201, "access request");
        String id = created.json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            check(client(server, reviewer).post("/v1/access-requests/" + id + "/reviews",
                    new SubmitReview(ReviewVerdict.APPROVED, "approved for the benchmark")), 200, "review");
        }
        return id;
    }

    private static final Map<String, TestClient> USERS = new java.util.HashMap<>();

    private static TestClient client(AuthServer server, String user) {
        return USERS.computeIfAbsent(user, u -> {
            var key = io.jenkins.plugins.teleport.auth.ca.CertificateAuthority.newKeyPair();
            IdentityFile id = new IdentityFile(key.getPrivate(), server.ca().issueClient(key.getPublic(),
                    io.jenkins.plugins.teleport.auth.ca.ClientIdentity.user(u), Duration.ofHours(12), java.time.Instant.now()),
                    List.of(server.ca().certificate()));
            return new TestClient(server.url(), id.sslContext());
        });
    }

    private static void check(TestClient.Response r, int status, String what) {
        if (r.status() != status) {
            throw new IllegalStateException("bench set-up: " + what + ": " + r);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("usage: BenchServer --dir DIR [--store sqlite|postgres] [--requests N] [--seed N]");
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }
}
