package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state at rest is readable by the server's user only, whatever the umask (issue 10, finding 5): the real
 * {@code teleport-auth dev} and {@code start}, run in their own process under umask 022 (and 000), make the data
 * directory 0700 and {@code auth.db}, its {@code -wal} and {@code -shm}, the admin identity, the CA pin file and the
 * CA encryption key 0600.
 */
class FileModesTest {

    @TempDir
    Path dir;

    private Process launch(String umask, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh",
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "io.jenkins.plugins.teleport.auth.cli.AuthServerCommand"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitOrFail(Process p, Path log, Predicate<Void> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!ready.test(null)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the server did not start: " + Files.readString(log));
            }
            Thread.sleep(100); // polling another process's output
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "umask {0}")
    @ValueSource(strings = {"022", "000"})
    void devMakesItsStatePrivate(String umask) throws Exception {
        Path data = dir.resolve("dev-auth");
        Path log = dir.resolve("dev.log");
        Process p = launch(umask, log, "dev", "--listen", "127.0.0.1:0", "--data-dir", data.toString());
        try {
            awaitOrFail(p, log, x -> Files.exists(data.resolve("ca-pin")));
            assertEquals("rwx------", mode(data));
            for (String file : List.of("auth.db", "auth.db-wal", "auth.db-shm", "admin.pem", "ca-pin", "ca-encryption.key")) {
                assertTrue(Files.exists(data.resolve(file)), file + " exists while the server runs");
                assertEquals("rw-------", mode(data.resolve(file)), file);
            }
        } finally {
            stop(p);
        }
    }

    @ParameterizedTest(name = "umask {0}")
    @ValueSource(strings = {"022", "000"})
    void startMakesItsStatePrivate(String umask) throws Exception {
        Path key = dir.resolve("keys/ca.key");
        Process keygen = launch(umask, dir.resolve("keygen.log"), "new-encryption-key", "--out", key.toString());
        assertEquals(0, keygen.waitFor(), Files.readString(dir.resolve("keygen.log")));
        assertEquals("rw-------", mode(key));
        assertEquals("rwx------", mode(key.getParent()));

        Path data = dir.resolve("var/lib/auth");
        Path config = dir.resolve("auth.yaml");
        Files.writeString(config, "listen_addr: 127.0.0.1:0\ndata_dir: " + data + "\nca_key_encryption:\n  key: {file: " + key + "}\n");
        Path log = dir.resolve("start.log");
        Process p = launch(umask, log, "start", "--config", config.toString());
        try {
            awaitOrFail(p, log, x -> {
                try {
                    return Files.readString(log).contains("listening on");
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals("rwx------", mode(data));
            assertEquals("rwx------", mode(data.getParent()), "missing parents are made private too");
            for (String file : List.of("auth.db", "auth.db-wal", "auth.db-shm")) {
                assertEquals("rw-------", mode(data.resolve(file)), file);
            }
        } finally {
            stop(p);
        }
    }
}
