package io.jenkins.plugins.teleport.client.scope;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.client.Answers;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.OwnerOnly;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Releases that could not be done when their scope ended, kept as small files (owner-only, in an owner-only
 * directory) until they are done or the certificates they release have expired. A record holds no key material: the
 * server, its CA pin, the request, the serials, and a reference to the credentials that join again to release it
 * (a Jenkins credentials ID, or a join token file), which the caller resolves.
 */
public final class PendingReleases {

    /**
     * One pending release, as stored. {@code credentials} and {@code context} are the caller's: where to find the join
     * credentials again (and in which context, e.g. the Jenkins build that used them).
     */
    public record Pending(URI server, String caPin, String accessRequestId, String bot, List<String> serials,
                          Instant validBefore, Map<String, String> usage, String credentials, String context) {
        public Pending {
            serials = serials == null ? List.of() : List.copyOf(serials);
            usage = usage == null ? Map.of() : Map.copyOf(usage);
            credentials = credentials == null ? "" : credentials;
            context = context == null ? "" : context;
        }

        public RequestId requestId() {
            return new RequestId(accessRequestId);
        }
    }

    /** Joins again to release a pending record: the caller knows where its credentials are. */
    @FunctionalInterface
    public interface Rejoin {
        /** A client calling as the record's bot; a {@link TeleportException} when that cannot be done now. */
        AuthClient asBot(Pending pending);
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
        OwnerOnly.createDirectories(dir);
        Path tmp = OwnerOnly.createTempFile(dir, ".pending", ".tmp");
        Files.write(tmp, Json.mapper().writeValueAsBytes(pending));
        Path file = dir.resolve(pending.accessRequestId() + "-" + Long.toHexString(clock.millis()) + "-"
                + Long.toHexString(System.nanoTime()) + ".json");
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
        return Answers.reader().readValue(file.toFile(), Pending.class);
    }

    /**
     * Tries the recorded releases, server by server, each server for at most {@code budgetPerServer}: a server that
     * cannot be reached is not tried again in this round, so one dead server delays only its own records. A record
     * is removed when its release is done or its certificates have expired, never otherwise. Returns how many remain.
     */
    public int retry(Rejoin rejoin, Duration budgetPerServer, Progress progress) throws IOException {
        return retry(rejoin, budgetPerServer, progress, p -> { });
    }

    /** As {@link #retry(Rejoin, Duration, Progress)}, telling {@code done} of each release it finished. */
    public int retry(Rejoin rejoin, Duration budgetPerServer, Progress progress, java.util.function.Consumer<Pending> done)
            throws IOException {
        Map<URI, List<Path>> byServer = new LinkedHashMap<>();
        for (Path file : files()) {
            try {
                byServer.computeIfAbsent(read(file).server(), k -> new ArrayList<>()).add(file);
            } catch (IOException unreadable) {
                progress.line("pending release " + file.getFileName() + " is unreadable and was removed: " + unreadable.getMessage());
                Files.deleteIfExists(file);
            }
        }
        int left = 0;
        for (Map.Entry<URI, List<Path>> server : byServer.entrySet()) {
            Instant deadline = clock.instant().plus(budgetPerServer);
            boolean reachable = true;
            for (Path file : server.getValue()) {
                Pending p = read(file);
                if (!clock.instant().isBefore(p.validBefore())) {
                    progress.line("pending release of access request " + p.accessRequestId() + " given up: its certificates "
                            + "expired at " + p.validBefore());
                    Files.deleteIfExists(file);
                } else if (!reachable || !clock.instant().isBefore(deadline)) {
                    left++;
                } else {
                    Attempt a = attempt(p, rejoin, progress);
                    if (a == Attempt.DONE) {
                        Files.deleteIfExists(file);
                        done.accept(p);
                    } else {
                        left++;
                        reachable = a != Attempt.UNREACHABLE;
                    }
                }
            }
            if (!reachable) {
                progress.line("auth server " + server.getKey() + " is not reachable: its pending releases wait for the next round");
            }
        }
        return left;
    }

    /** How one attempt went. */
    enum Attempt { DONE, UNREACHABLE, REFUSED }

    private static Attempt attempt(Pending p, Rejoin rejoin, Progress progress) {
        try {
            rejoin.asBot(p).release(p.requestId(), p.usage());
            progress.line("pending release of access request " + p.accessRequestId() + " done");
            return Attempt.DONE;
        } catch (TeleportException.UnreachableException e) {
            progress.line("pending release of access request " + p.accessRequestId() + " still cannot reach the server: "
                    + e.getMessage());
            return Attempt.UNREACHABLE;
        } catch (TeleportException e) {
            progress.line("pending release of access request " + p.accessRequestId() + " waits (kept until its certificates "
                    + "expire at " + p.validBefore() + "): " + e.getMessage());
            return Attempt.REFUSED;
        }
    }

    /** Refusals that may pass later: the store was down, or a lock (which an administrator may remove) was in force. */
    static boolean worthRetrying(AuthServerException e) {
        return e.code() == io.jenkins.plugins.teleport.api.ErrorCode.UNAVAILABLE
                || e.code() == io.jenkins.plugins.teleport.api.ErrorCode.LOCKED;
    }
}
