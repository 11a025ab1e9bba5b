package io.jenkins.plugins.teleport.client.scope;

import com.fasterxml.jackson.databind.DeserializationFeature;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.Keys;
import io.jenkins.plugins.teleport.client.TeleportException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Releases that could not reach the auth server, kept as small files (0600, in a 0700 directory) until they are
 * done or the certificates they release have expired. Each holds what the retry needs: the server, its CA pin,
 * the request, and the request-bound TLS identity that may release it (valid exactly as long as the release
 * matters).
 */
public final class PendingReleases {

    /** One pending release, as stored. */
    public record Pending(URI server, String caPin, String accessRequestId, String bot, Instant validBefore,
                          String identityPem, Map<String, String> usage) {

        BotIdentity identity() {
            List<X509Certificate> certs = Keys.certificates(identityPem);
            return new BotIdentity(bot, Keys.readPrivateKey(identityPem), certs.get(0), certs.subList(1, certs.size()));
        }

        @Override
        public String toString() {
            return "Pending[request=" + accessRequestId + ", server=" + server + ", until=" + validBefore + "]";
        }
    }

    private final Path dir;
    private final Clock clock;

    public PendingReleases(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** The default place: {@code $XDG_STATE_HOME/teleport-ci/pending-releases} (or under {@code ~/.local/state}). */
    public static Path defaultDir() {
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() ? Path.of(state) : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("teleport-ci").resolve("pending-releases");
    }

    public Path dir() {
        return dir;
    }

    /** Records a release to retry; the file is written whole (atomic rename) so a crash leaves no half file. */
    public Path record(Pending pending) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = Files.createTempFile(dir, ".pending", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, Json.mapper().writeValueAsBytes(pending));
        Path file = dir.resolve(pending.accessRequestId() + "-" + Long.toHexString(clock.millis()) + ".json");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** The recorded releases, by file. */
    public List<Path> files() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            files.forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    public Pending read(Path file) throws IOException {
        return Json.mapper().readerFor(Pending.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(file.toFile());
    }

    /**
     * Tries every recorded release once: done or no longer needed (expired, or refused for good) removes the
     * file; a server still unreachable keeps it. Returns how many are still pending.
     */
    public int retryAll(AuthClient.Settings settings, Progress progress) throws IOException {
        int left = 0;
        for (Path file : files()) {
            Pending p;
            try {
                p = read(file);
            } catch (IOException unreadable) {
                progress.line("pending release " + file.getFileName() + " is unreadable and was removed: " + unreadable.getMessage());
                Files.deleteIfExists(file);
                continue;
            }
            if (!attempt(p, settings, progress)) {
                left++;
                continue;
            }
            Files.deleteIfExists(file);
        }
        return left;
    }

    /**
     * One attempt; true when nothing remains to do. A release refused for good (e.g. the request was deleted) is
     * reported and dropped: retrying cannot change it, and the certificates expire anyway.
     */
    boolean attempt(Pending p, AuthClient.Settings settings, Progress progress) {
        if (!clock.instant().isBefore(p.validBefore())) {
            progress.line("pending release of access request " + p.accessRequestId() + " dropped: its certificates expired at "
                    + p.validBefore());
            return true;
        }
        try {
            AuthClient.create(p.server(), p.caPin(), settings).as(p.identity()).release(p.accessRequestId(), p.usage());
            progress.line("pending release of access request " + p.accessRequestId() + " done");
            return true;
        } catch (TeleportException.UnreachableException e) {
            progress.line("pending release of access request " + p.accessRequestId() + " still cannot reach the server: "
                    + e.getMessage());
            return false;
        } catch (AuthServerException e) {
            if (worthRetrying(e)) {
                progress.line("pending release of access request " + p.accessRequestId() + " waits: " + e.getMessage());
                return false;
            }
            progress.line("pending release of access request " + p.accessRequestId() + " refused, dropped: " + e.getMessage());
            return true;
        } catch (TeleportException e) {
            progress.line("pending release of access request " + p.accessRequestId() + " cannot be done, dropped: " + e.getMessage());
            return true;
        }
    }

    /** Refusals that may pass later: the store was down, or a lock (which an administrator may remove) was in force. */
    static boolean worthRetrying(AuthServerException e) {
        return e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.LOCKED;
    }

    /** Retries {@code p} with doubling waits within {@code budget}; true if it was done in time. */
    public boolean retryWithin(Pending p, Duration budget, AuthClient.Settings settings, Progress progress) {
        Instant deadline = clock.instant().plus(budget);
        Duration wait = Duration.ofSeconds(1);
        while (true) {
            if (attempt(p, settings, progress)) {
                return true;
            }
            Instant next = clock.instant().plus(wait);
            if (next.isAfter(deadline)) {
                return false;
            }
            progress.line("retrying the release in " + wait.toSeconds() + "s");
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            wait = wait.multipliedBy(2);
        }
    }
}
