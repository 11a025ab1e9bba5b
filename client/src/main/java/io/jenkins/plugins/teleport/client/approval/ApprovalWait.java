package io.jenkins.plugins.teleport.client.approval;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.Release;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Waits for a request on the calling thread with the server's long poll ({@code GET …?wait=30s&after_revision=N}),
 * printing a line at each change, until it is resolved or the deadline passes. For a process that has nothing else to
 * do meanwhile ({@code teleport-ci exec --wait}); the Jenkins step waits without a thread instead.
 */
public final class ApprovalWait {

    /** How long one long poll asks the server to hold the call. */
    public static final Duration POLL = Duration.ofSeconds(30);
    /** The pause after a poll that could not reach the server, before the next. */
    static final Duration UNREACHABLE_PAUSE = Duration.ofSeconds(5);

    private final AuthClient asBot;
    private final Clock clock;
    private final Release.Wait pause;
    private final Progress progress;

    public ApprovalWait(AuthClient asBot, Clock clock, Release.Wait pause, Progress progress) {
        this.asBot = asBot;
        this.clock = clock;
        this.pause = pause;
        this.progress = progress;
    }

    /** Waits until {@code created} is resolved or {@code deadline}; never {@link Approval.Waiting}. */
    public Approval await(AccessRequest created, Instant deadline) throws InterruptedException {
        RequestId id = new RequestId(created.id());
        AccessRequest seen = created;
        String line = Approval.line(created);
        progress.line(line);
        boolean unreachable = false;
        while (true) {
            Approval now = Approval.of(seen);
            if (!(now instanceof Approval.Waiting)) {
                return now;
            }
            Duration left = Duration.between(clock.instant(), deadline);
            if (left.isNegative() || left.isZero()) {
                return new Approval.TimedOut(deadline, line);
            }
            try {
                seen = asBot.watch(id, seen.metadata().revision(), left.compareTo(POLL) < 0 ? left : POLL);
                if (unreachable) {
                    progress.line("the auth server answers again");
                    unreachable = false;
                }
            } catch (TeleportException.UnreachableException e) {
                if (!unreachable) {
                    progress.line("still waiting, but " + e.getMessage());
                    unreachable = true;
                }
                Duration rest = Duration.between(clock.instant(), deadline);
                pause.sleep(rest.compareTo(UNREACHABLE_PAUSE) < 0 ? rest.isNegative() ? Duration.ZERO : rest : UNREACHABLE_PAUSE);
                continue;
            }
            String next = Approval.line(seen);
            if (!next.equals(line)) {
                progress.line(next);
                line = next;
            }
        }
    }
}
