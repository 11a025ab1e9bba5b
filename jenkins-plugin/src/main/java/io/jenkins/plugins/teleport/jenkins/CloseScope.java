package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.PendingReleases;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.Release;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The end of a block, however it ended: the agent deletes the files while the controller releases the request
 * (both at once), with the bot's join identity over the connection the block used (after a restart, the credentials
 * are looked up and join again). A release that cannot be done within {@link #RELEASE_BUDGET} becomes a pending
 * release ({@link PendingReleaseRetry} finishes it in the background); only a release the server refuses for good
 * fails the build. An agent that went away only leaves a warning: its certificates are revoked anyway.
 */
final class CloseScope {

    /** How long a block's end retries a release before leaving it to the background. */
    static final Duration RELEASE_BUDGET = Duration.ofSeconds(5);
    /** The longest a request's certificates can live when none were seen issued (the server caps access at 14 days). */
    static final Duration LONGEST_ACCESS = Duration.ofDays(14);

    private static final ExecutorService RELEASES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "teleport-release");
        t.setDaemon(true);
        return t;
    });

    private CloseScope() {}

    static void close(ScopeHandle h, Run<?, ?> run, FilePath workspace, TaskListener listener, Clock clock)
            throws IOException, InterruptedException {
        Progress progress = BuildContext.progress(listener);
        boolean interrupted = Thread.interrupted(); // an aborted build still cleans up
        AwsWebIdentities.stop(h); // before the files go: no token is written after
        try {
            if (!h.releases()) {
                delete(h, workspace, progress);
                return;
            }
            TeleportServer server = TeleportGlobalConfiguration.get().server(java.util.Optional.of(h.serverName()));
            CompletableFuture<Release.Outcome> release = CompletableFuture.supplyAsync(() -> release(h, server, run, progress, clock),
                    RELEASES);
            delete(h, workspace, progress);
            Release.Outcome outcome;
            try {
                outcome = release.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String message = cause instanceof AuthServerException a ? a.getMessage() : String.valueOf(cause);
                status(run, h, "release refused: " + message, true);
                throw new AbortException("The release of access request " + h.requestId() + " was refused: " + message);
            }
            if (outcome instanceof Release.Done) {
                status(run, h, "released at " + clock.instant(), false);
            } else {
                status(run, h, "release pending (retried in the background until the certificates expire)", true);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Release.Outcome release(ScopeHandle h, TeleportServer server, Run<?, ?> run, Progress progress, Clock clock) {
        Instant until = h.validBefore().isEmpty() ? clock.instant().plus(LONGEST_ACCESS) : Instant.parse(h.validBefore());
        PendingReleases.Pending record = new PendingReleases.Pending(URI.create(server.getUrl()), server.getCaPin(), h.requestId().value(),
                h.bot(), h.serials(), until, BuildContext.usage(run), h.credentialsId(), run.getExternalizableId());
        Supplier<AuthClient> asBot = () -> {
            BotSessions.Session session = h.session();
            if (session != null && session.identity().validFor(Duration.ofSeconds(30), clock.instant())) {
                return session.client();
            }
            try {
                return BotSessions.asBot(server, BotCredentialsLookup.find(server, h.credentialsId(), run), run, clock).client();
            } catch (AbortException e) {
                throw new TeleportException(e.getMessage());
            }
        };
        try {
            return BlockPhases.time(BlockPhases.Phase.RELEASE,
                    () -> new Release(PendingReleaseRetry.store(clock), clock, Release.Wait.REAL).release(asBot, record, RELEASE_BUDGET, progress));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeleportException("interrupted while releasing");
        }
    }

    private static void delete(ScopeHandle h, FilePath workspace, Progress progress) throws InterruptedException {
        if (h.bundleDir().isEmpty()) {
            return;
        }
        if (workspace == null) {
            progress.line("the agent is not reachable: the identity directory " + h.bundleDir() + " could not be deleted; "
                    + "its certificates are revoked now");
            return;
        }
        FilePath dir = new FilePath(workspace.getChannel(), h.bundleDir());
        try {
            BlockPhases.time(BlockPhases.Phase.DELETE, () -> dir.act(new AgentBundle.Delete()));
            progress.line("identity directory deleted");
        } catch (IOException | RuntimeException e) {
            progress.line("the identity directory " + h.bundleDir() + " could not be deleted (" + e.getMessage()
                    + "); its certificates are revoked now");
        }
    }

    /**
     * The run action's release status. The build record is saved at once only when the status needs an administrator's
     * eye (pending, refused); a plain release is saved with the build when it ends, which saves a write per block.
     */
    static void status(Run<?, ?> run, ScopeHandle h, String status, boolean saveNow) throws IOException, InterruptedException {
        TeleportRequestAction action = run.getActions(TeleportRequestAction.class).stream()
                .filter(a -> a.getRequestId().equals(h.requestId().value())).findFirst().orElse(null);
        if (action == null) {
            return;
        }
        action.setReleaseStatus(status);
        if (saveNow) {
            BlockPhases.time(BlockPhases.Phase.SAVE, () -> {
                run.save();
                return null;
            });
        }
    }
}
