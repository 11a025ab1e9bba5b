package io.jenkins.plugins.teleport.client.scope;

import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The release phase, the same for every caller: the bot's join identity gives the request's certificates back at
 * once; transient failures (unreachable, store down, a lock in force, no identity to call with) are retried with
 * doubling waits within a budget, then recorded as a pending release, never dropped. A refusal that retrying cannot
 * change fails with the server's message.
 */
public final class Release {

    /** How the phase waits between attempts (tests pass one that advances their clock instead). */
    @FunctionalInterface
    public interface Wait {
        void sleep(Duration duration) throws InterruptedException;

        Wait REAL = d -> Thread.sleep(d.toMillis());
    }

    /** What the phase did. */
    public sealed interface Outcome permits Done, Kept {}

    /** Released: the certificates are revoked. */
    public record Done(Released released) implements Outcome {}

    /** Not released yet: kept in {@code file}, retried later, because of {@code reason}. */
    public record Kept(Path file, String reason) implements Outcome {}

    static final Duration FIRST_WAIT = Duration.ofMillis(250);

    private final PendingReleases pending;
    private final Clock clock;
    private final Wait wait;

    public Release(PendingReleases pending, Clock clock, Wait wait) {
        this.pending = pending;
        this.clock = clock;
        this.wait = wait;
    }

    /**
     * Releases {@code record}'s request with the client {@code asBot} gives (which may join again). An interrupted
     * thread (an aborted build) still releases: the flag is cleared for the calls and set again afterwards.
     */
    public Outcome release(Supplier<AuthClient> asBot, PendingReleases.Pending record, Duration budget, Progress progress)
            throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            return attempts(asBot, record, budget, progress);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Outcome attempts(Supplier<AuthClient> asBot, PendingReleases.Pending record, Duration budget, Progress progress)
            throws IOException {
        Instant deadline = clock.instant().plus(budget);
        Duration next = FIRST_WAIT;
        while (true) {
            String reason;
            AuthClient client;
            try {
                client = asBot.get();
            } catch (TeleportException e) {
                client = null;
                reason = "no identity to release with: " + e.getMessage();
                progress.line("the release cannot join the auth server now (" + e.getMessage() + ")");
                if (!clock.instant().plus(next).isBefore(deadline)) {
                    return keep(record, reason, progress);
                }
                if (!pause(next)) {
                    return keep(record, reason, progress);
                }
                next = next.multipliedBy(2);
                continue;
            }
            try {
                Released released = client.release(record.requestId(), record.usage());
                progress.line("released access request " + released.accessRequestId() + ": revoked "
                        + String.join(", ", released.revokedSerials()) + (released.consumed() ? " (one-shot request consumed)" : ""));
                return new Done(released);
            } catch (TeleportException.UnreachableException e) {
                reason = e.getMessage();
            } catch (AuthServerException e) {
                if (!PendingReleases.worthRetrying(e)) {
                    throw e;
                }
                reason = e.getMessage();
            }
            if (!clock.instant().plus(next).isBefore(deadline) || !pause(next)) {
                return keep(record, reason, progress);
            }
            progress.line("retrying the release (" + reason + ")");
            next = next.multipliedBy(2);
        }
    }

    private boolean pause(Duration d) {
        try {
            wait.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Outcome keep(PendingReleases.Pending record, String reason, Progress progress) throws IOException {
        Path file = pending.record(record);
        progress.line("the release of access request " + record.accessRequestId() + " could not be done now (" + reason
                + "); it is kept in " + file + " and retried until the certificates expire at " + record.validBefore());
        return new Kept(file, reason);
    }
}
