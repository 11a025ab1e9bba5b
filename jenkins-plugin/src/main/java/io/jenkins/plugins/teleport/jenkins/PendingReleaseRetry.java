package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.PendingReleases;
import io.jenkins.plugins.teleport.client.scope.Progress;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import jenkins.model.Jenkins;

/**
 * Finishes pending releases in the background, every minute, never inside a build: each auth server gets at most
 * {@link #BUDGET_PER_SERVER} per round (one that cannot be reached is left for the next round after its first
 * failure), and the release joins again with the credentials the build used, looked up in that build's context. A
 * record is given up only once its certificates have expired. Progress goes to this task's log
 * ({@code $JENKINS_HOME/logs/tasks/Teleport pending releases.log}) and to the build's action.
 */
@Extension
public final class PendingReleaseRetry extends AsyncPeriodicWork {

    static final Duration BUDGET_PER_SERVER = Duration.ofSeconds(20);

    public PendingReleaseRetry() {
        super("Teleport pending releases");
    }

    @Override
    public long getRecurrencePeriod() {
        return MIN;
    }

    /** Where pending releases are kept: {@code $JENKINS_HOME/teleport-access-request/pending-releases}. */
    static PendingReleases store(Clock clock) {
        return new PendingReleases(Jenkins.get().getRootDir().toPath().resolve(OpenScope.TEMP_DIR_NAME).resolve("pending-releases"),
                clock);
    }

    @Override
    protected void execute(TaskListener listener) throws IOException {
        retry(Clock.systemUTC(), BuildContext.progress(listener));
    }

    /** One round; returns how many releases are still pending. */
    static int retry(Clock clock, Progress progress) throws IOException {
        removeOldRecordsWithKeys(store(clock), progress);
        return store(clock).retry(p -> rejoin(p, clock), BUDGET_PER_SERVER, progress, p -> {
            Run<?, ?> run = build(p);
            if (run != null) {
                try {
                    CloseScope.status(run, new ScopeHandle("", "", p.accessRequestId(), p.bot(), "", "", p.serials(), null),
                            "released at " + clock.instant() + " (retried in the background)", true);
                } catch (IOException | InterruptedException e) {
                    progress.line("the build " + p.context() + " could not be updated: " + e.getMessage());
                }
            }
        });
    }

    /** Versions before 0.1 kept the bot's join identity in the record: such a file is removed, key and all. */
    static void removeOldRecordsWithKeys(PendingReleases store, Progress progress) throws IOException {
        for (java.nio.file.Path file : store.files()) {
            if (java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).contains("PRIVATE KEY")) {
                java.nio.file.Files.delete(file);
                progress.line("removed " + file.getFileName() + ": an older version of the plugin kept a bot identity in it; "
                        + "its release is not retried (its certificates expire by themselves)");
            }
        }
    }

    private static AuthClient rejoin(PendingReleases.Pending p, Clock clock) {
        TeleportServer server = TeleportGlobalConfiguration.get().getServers().stream()
                .filter(s -> s.getUrl().equals(p.server().toString()) && s.getCaPin().equals(p.caPin())).findFirst()
                .orElseThrow(() -> new TeleportException("no configured auth server has address " + p.server() + " and its CA pin"));
        Run<?, ?> run = build(p);
        if (run == null) {
            throw new TeleportException("the build " + p.context() + " is gone, so its credentials cannot be looked up");
        }
        try {
            return BotSessions.asBot(server, BotCredentialsLookup.find(server, p.credentials(), run), run, clock).client();
        } catch (AbortException e) {
            throw new TeleportException(e.getMessage());
        }
    }

    private static Run<?, ?> build(PendingReleases.Pending p) {
        try {
            return Run.fromExternalizableId(p.context());
        } catch (IllegalArgumentException | org.springframework.security.access.AccessDeniedException e) {
            return null;
        }
    }
}
