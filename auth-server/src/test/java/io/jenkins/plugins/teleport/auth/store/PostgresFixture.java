package io.jenkins.plugins.teleport.auth.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** A real throwaway PostgreSQL server, started once per JVM from Debian's /usr/lib/postgresql binaries. */
public final class PostgresFixture {

    private static final Path PG_ROOT = Paths.get("/usr/lib/postgresql");
    private static final String USER = "test";

    private static Optional<PostgresFixture> shared;
    private static RuntimeException startFailure;

    private final Path bin;
    private final Path base;
    private final Path data;
    private final String osUser; // null when the JVM is not root
    private final int port;
    private final AtomicInteger dbCounter = new AtomicInteger();

    private PostgresFixture(Path bin, Path base, String osUser, int port) {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.osUser = osUser;
        this.port = port;
    }

    /** Returns the JVM-wide server, starting it on first use; empty if no PostgreSQL binaries are installed. */
    public static synchronized Optional<PostgresFixture> shared() {
        // Remember a failed start so each test fails fast instead of waiting for another timeout.
        if (startFailure != null) {
            throw startFailure;
        }
        if (shared == null) {
            try {
                shared = findBinDir().map(PostgresFixture::start);
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return shared;
    }

    /** Returns the shared server, failing on CI and skipping elsewhere when PostgreSQL is not installed. */
    public static PostgresFixture requireOrSkip() {
        Optional<PostgresFixture> pg = shared();
        if (pg.isEmpty() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("PostgreSQL binaries missing: .ci/run must install postgresql");
        }
        if (pg.isEmpty()) {
            return Assumptions.abort("skipped: PostgreSQL server binaries (/usr/lib/postgresql/*/bin) not installed;"
                    + " apt-get install postgresql to run the PostgreSQL tests");
        }
        return pg.get();
    }

    /** Creates a new empty database and returns its JDBC URL. */
    public String createDatabase() {
        String name = "test_" + dbCounter.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return jdbcUrl(name);
    }

    /** Returns the database user name. */
    public String user() {
        return USER;
    }

    /** Returns the password, empty because the server uses trust authentication. */
    public String password() {
        return "";
    }

    /** Returns the TCP port the server listens on at 127.0.0.1. */
    public int port() {
        return port;
    }

    private String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    private static Optional<Path> findBinDir() {
        if (!Files.isDirectory(PG_ROOT)) {
            return Optional.empty();
        }
        List<Path> bins = new ArrayList<>();
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(PG_ROOT)) {
            for (Path v : versions) {
                Path bin = v.resolve("bin");
                if (v.getFileName().toString().matches("\\d+(\\.\\d+)*")
                        && Files.isExecutable(bin.resolve("initdb"))
                        && Files.isExecutable(bin.resolve("pg_ctl"))
                        && Files.isExecutable(bin.resolve("postgres"))) {
                    bins.add(bin);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return bins.stream().max(Comparator.comparing(b -> b.getParent().getFileName().toString(),
                PostgresFixture::compareVersions));
    }

    private static int compareVersions(String a, String b) {
        int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
        return Arrays.compare(x, y);
    }

    private static PostgresFixture start(Path bin) {
        try {
            // Explicitly /tmp: java.io.tmpdir may point into the workspace, which the postgres user may not
            // traverse, and the unix socket path must stay short.
            Path base = Files.createTempDirectory(Paths.get("/tmp"), "pgfixture-");
            String osUser = null;
            // PostgreSQL refuses to run as root, so drop to an unprivileged user that must own the data dir.
            if (isRoot()) {
                osUser = exec(List.of("id", "-u", "postgres"), base).exitCode() == 0 ? "postgres" : "nobody";
            }
            PostgresFixture pg = new PostgresFixture(bin, base, osUser, freePort());
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL from " + bin, e);
        }
    }

    private void startServer() throws IOException {
        Path sock = base.resolve("sock");
        Files.createDirectory(data);
        Files.createDirectory(sock);
        if (osUser != null) {
            check(exec(List.of("chown", "-R", osUser + ":", base.toString()), base), "chown");
        }
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "postgres-fixture-stop"));

        // --locale=C keeps initdb independent of whatever locales the machine has generated.
        check(pgExec("initdb", "-D", data.toString(), "-A", "trust", "-U", USER, "--encoding=UTF8",
                "--locale=C", "--no-sync"), "initdb");
        check(pgExec("pg_ctl", "-w", "-t", "60", "-D", data.toString(), "-l", logFile().toString(),
                "-o", "-p " + port + " -k " + sock + " -c listen_addresses=127.0.0.1"
                        + " -c fsync=off -c max_connections=200",
                "start"), "pg_ctl start");
    }

    private void stop() {
        try {
            pgExec("pg_ctl", "stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", "30");
        } catch (IOException | RuntimeException ignored) {
            // Best effort at JVM exit; the data dir is removed below either way.
        }
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: /tmp is cleaned eventually.
        }
    }

    private Path logFile() {
        return data.resolveSibling("pg.log");
    }

    private Result pgExec(String tool, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (osUser != null) {
            cmd.addAll(List.of("runuser", "-u", osUser, "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, base);
    }

    private void check(Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exitCode() + "): " + r.command()
                    + "\n--- output ---\n" + r.output() + "\n--- tail of " + logFile() + " ---\n" + logTail());
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static boolean isRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            return "0".equals(exec(List.of("id", "-u"), Paths.get("/")).output().trim());
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // Output goes to a file, not a pipe: the forked postmaster could otherwise keep the pipe open.
    // The working dir is the fixture dir because the unprivileged user may not be able to read the JVM's cwd.
    private static Result exec(List<String> cmd, Path dir) throws IOException {
        Path out = Files.createTempFile("pgfixture-cmd-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(cmd, -1, "timed out after 120s\n" + read(out));
            }
            return new Result(cmd, p.exitValue(), read(out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + cmd, e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private record Result(List<String> command, int exitCode, String output) {}
}
