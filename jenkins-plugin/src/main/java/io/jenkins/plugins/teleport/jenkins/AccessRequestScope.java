package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.Keys;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.scope.PendingReleases;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.RequestScope;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import jenkins.model.Jenkins;

/**
 * The request scope in Jenkins, shared by the Pipeline step and the freestyle build wrapper: the controller talks to
 * the auth server; the agent makes the keys and holds the files. {@link #open} does everything up to the body and
 * cleans up after itself if it fails; {@link #close} deletes the files and releases, whatever the body did.
 */
final class AccessRequestScope {

    /** Files under {@code <workspace>@tmp/teleport-access-request/<random>}, never inside the workspace. */
    static final String TEMP_DIR_NAME = "teleport-access-request";

    private AccessRequestScope() {}

    /**
     * What a block asks for: the request, and optionally the server, the bot credentials and the lifetime. A plain
     * class, not a record: it is saved with the build's program, whose serialization predates records.
     */
    static final class Parameters implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String requestId;
        private final String server;
        private final String credentialsId;
        private final String ttl;

        Parameters(String requestId, String server, String credentialsId, String ttl) {
            this.requestId = requestId;
            this.server = server;
            this.credentialsId = credentialsId;
            this.ttl = ttl;
        }

        String requestId() {
            return requestId;
        }

        String server() {
            return server;
        }

        String credentialsId() {
            return credentialsId;
        }

        String ttl() {
            return ttl;
        }
    }

    /**
     * What an open scope leaves for its end: identifiers only, never key material (it is saved with the build's
     * program, so the scope survives a controller restart).
     */
    static final class Handle implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String serverName;
        private final String credentialsId;
        private final String requestId;
        private final String bot;
        private final String bundleDir;
        private final String validBefore;

        Handle(String serverName, String credentialsId, String requestId, String bot, String bundleDir, String validBefore) {
            this.serverName = serverName;
            this.credentialsId = credentialsId;
            this.requestId = requestId;
            this.bot = bot;
            this.bundleDir = bundleDir;
            this.validBefore = validBefore;
        }

        String serverName() {
            return serverName;
        }

        String credentialsId() {
            return credentialsId;
        }

        String requestId() {
            return requestId;
        }

        String bot() {
            return bot;
        }

        String bundleDir() {
            return bundleDir;
        }

        String validBefore() {
            return validBefore;
        }

        /** The variables the body sees (the same as teleport-ci exec sets). */
        Map<String, String> environment() {
            return new BundleFiles(Path.of(bundleDir), requestId, bot, validBefore).environment();
        }
    }

    static Handle open(Parameters p, Run<?, ?> run, FilePath workspace, TaskListener listener, Clock clock)
            throws IOException, InterruptedException {
        if (p.requestId() == null || p.requestId().isBlank()) {
            throw new AbortException("withTeleportAccessRequest needs the ID of an approved access request, e.g. "
                    + "withTeleportAccessRequest(params.REQUEST_ID) { ... }");
        }
        if (workspace == null) {
            throw new AbortException("withTeleportAccessRequest needs a workspace on an agent: put it inside node { ... }");
        }
        TeleportServer server = TeleportGlobalConfiguration.get().server(optional(p.server()));
        TeleportBotCredentials bot = credentials(server, optional(p.credentialsId()).orElse(server.getCredentialsId()), run);
        Progress progress = progress(listener);
        retryPendingReleases(progress, clock);

        AuthClient asBot;
        try {
            asBot = BotSessions.asBot(server, bot, clock);
            progress.line("auth server " + server.getUrl() + " (" + server.getName() + "): bot '" + bot.getBotName()
                    + "', access request " + p.requestId());
            Optional<AccessRequest> request = BlockPhases.time(BlockPhases.Phase.CHECK, () -> RequestScope.checkRequest(asBot, p.requestId(), progress));
            return issue(p, run, workspace, listener, clock, server, bot, asBot, request, progress);
        } catch (TeleportException e) {
            throw new AbortException(e.getMessage());
        }
    }

    private static Handle issue(Parameters p, Run<?, ?> run, FilePath workspace, TaskListener listener, Clock clock,
                                TeleportServer server, TeleportBotCredentials bot, AuthClient asBot,
                                Optional<AccessRequest> request, Progress progress) throws IOException, InterruptedException {
        FilePath parent = WorkspaceList.tempDir(workspace).child(TEMP_DIR_NAME);
        String[] prepared = BlockPhases.time(BlockPhases.Phase.KEYS, () -> parent.act(new AgentBundle.Prepare("bot " + bot.getBotName())));
        FilePath dir = new FilePath(workspace.getChannel(), prepared[0]);
        IssuedCertificates issued;
        try {
            issued = BlockPhases.time(BlockPhases.Phase.ISSUE, () -> asBot.issue(new IssueCertificates(p.requestId(), prepared[1], prepared[2], server.ttlFor(p.ttl()), usage(run))));
        } catch (RuntimeException e) {
            deleteQuietly(dir, listener);
            throw e;
        }
        progress.line("certificates issued: principals " + String.join(", ", issued.principals()) + ", valid until "
                + issued.validBefore() + " (ssh serial " + issued.sshSerial() + ", x509 serial " + issued.tlsSerial() + ")");
        Handle handle = new Handle(server.getName(), bot.getId(), issued.accessRequestId(), bot.getBotName(), prepared[0],
                issued.validBefore().toString());
        try {
            AgentBundle.Complete complete = new AgentBundle.Complete(prepared[1], prepared[2], new String[] {BotSessions.clusterName(server), issued.accessRequestId(),
                bot.getBotName(), issued.sshCertificate(), issued.tlsCertificate(), String.join("", issued.tlsCaCertificates()),
                issued.sshSerial(), issued.tlsSerial(), issued.validAfter().toString(), issued.validBefore().toString()},
                issued.principals(), issued.sshCaKeys());
            BlockPhases.time(BlockPhases.Phase.WRITE, () -> dir.act(complete));
        } catch (IOException | RuntimeException | InterruptedException e) {
            try {
                close(handle, run, workspace, listener, clock);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        progress.line("identity written on the agent to " + prepared[0]);
        run.addAction(TeleportRequestAction.of(server, request, issued, bot.getBotName()));
        return handle;
    }

    /**
     * Deletes the files on the agent (best effort: an agent that went away cannot be reached, and its certificates
     * are revoked anyway) and releases the request from the controller (a release that cannot reach the server is
     * kept and retried). Only a release the server refuses for good fails the build.
     */
    static void close(Handle h, Run<?, ?> run, FilePath workspace, TaskListener listener, Clock clock)
            throws IOException, InterruptedException {
        Progress progress = progress(listener);
        if (workspace == null) {
            progress.line("the agent is not reachable: the identity directory " + h.bundleDir() + " could not be deleted; "
                    + "its certificates are revoked now");
        } else {
            FilePath dir = new FilePath(workspace.getChannel(), h.bundleDir());
            try {
                BlockPhases.time(BlockPhases.Phase.DELETE, () -> dir.act(new AgentBundle.Delete()));
                progress.line("identity directory deleted");
            } catch (IOException e) {
                progress.line("the identity directory " + h.bundleDir() + " could not be deleted (" + e.getMessage()
                        + "); its certificates are revoked now");
            }
        }
        TeleportServer server = TeleportGlobalConfiguration.get().server(Optional.of(h.serverName()));
        TeleportBotCredentials bot = credentials(server, h.credentialsId(), run);
        TeleportRequestAction action = run.getActions(TeleportRequestAction.class).stream()
                .filter(a -> a.getRequestId().equals(h.requestId())).findFirst().orElse(null);
        try {
            Released released = BlockPhases.time(BlockPhases.Phase.RELEASE, () -> BotSessions.asBot(server, bot, clock).release(h.requestId(), usage(run)));
            progress.line("released access request " + h.requestId() + ": revoked " + String.join(", ", released.revokedSerials())
                    + (released.consumed() ? " (one-shot request consumed)" : ""));
            setStatus(run, action, "released at " + clock.instant());
        } catch (TeleportException.UnreachableException | AuthServerException e) {
            if (e instanceof AuthServerException a && a.code() != ErrorCode.UNAVAILABLE && a.code() != ErrorCode.LOCKED) {
                setStatus(run, action, "release refused: " + a.getMessage());
                throw new AbortException("The release of access request " + h.requestId() + " was refused: " + a.getMessage());
            }
            BotIdentity identity = BotSessions.identity(server, bot);
            if (identity == null) {
                setStatus(run, action, "release failed: " + e.getMessage());
                throw new AbortException("The release of access request " + h.requestId() + " failed (" + e.getMessage()
                        + ") and the bot has no identity to retry with; its certificates expire at " + h.validBefore());
            }
            Path file = pending(clock).record(new PendingReleases.Pending(URI.create(server.getUrl()), server.getCaPin(),
                    h.requestId(), h.bot(), Instant.parse(h.validBefore()), identityPem(identity), usage(run)));
            progress.line("the release could not reach the auth server (" + e.getMessage() + "); it is kept in " + file
                    + " and retried when the next block starts, until the certificates expire at " + h.validBefore());
            setStatus(run, action, "release pending (server unreachable)");
        }
    }

    private static TeleportBotCredentials credentials(TeleportServer server, String id, Run<?, ?> run) throws AbortException {
        if (id == null || id.isBlank()) {
            throw new AbortException("No bot credentials: set credentialsId on the step, or default credentials on auth server '"
                    + server.getName() + "'");
        }
        TeleportBotCredentials found = CredentialsProvider.findCredentialById(id, TeleportBotCredentials.class, run);
        if (found == null) {
            throw new AbortException("No Teleport bot credentials with ID '" + id + "' are visible to this build: add them "
                    + "(kind \"Teleport bot\") to the job's folder or globally, or correct the ID");
        }
        return CredentialsProvider.track(run, found);
    }

    /** Where the build comes from, for the auth server's audit events. */
    static Map<String, String> usage(Run<?, ?> run) {
        Map<String, String> usage = new LinkedHashMap<>();
        usage.put("ci_system", "jenkins");
        usage.put("job", run.getParent().getFullName());
        usage.put("build_number", Integer.toString(run.getNumber()));
        String root = Jenkins.get().getRootUrl();
        usage.put("build_url", (root == null ? "" : root.endsWith("/") ? root : root + "/") + run.getUrl());
        return usage;
    }

    private static void setStatus(Run<?, ?> run, TeleportRequestAction action, String status) throws IOException, InterruptedException {
        if (action != null) {
            action.setReleaseStatus(status);
            BlockPhases.time(BlockPhases.Phase.SAVE, () -> {
                run.save();
                return null;
            });
        }
    }

    private static void retryPendingReleases(Progress progress, Clock clock) {
        try {
            int left = pending(clock).retryAll(AuthClient.Settings.DEFAULT, progress);
            if (left > 0) {
                progress.line(left + " earlier release(s) are still pending");
            }
        } catch (IOException e) {
            progress.line("pending releases could not be read: " + e.getMessage());
        }
    }

    private static PendingReleases pending(Clock clock) {
        return new PendingReleases(Jenkins.get().getRootDir().toPath().resolve(TEMP_DIR_NAME).resolve("pending-releases"), clock);
    }

    private static String identityPem(BotIdentity identity) {
        StringBuilder pem = new StringBuilder(Keys.privateKeyPem(identity.key())).append(Keys.certificatePem(identity.certificate()));
        identity.caCertificates().forEach(c -> pem.append(Keys.certificatePem(c)));
        return pem.toString();
    }

    private static void deleteQuietly(FilePath dir, TaskListener listener) {
        try {
            dir.act(new AgentBundle.Delete());
        } catch (IOException | InterruptedException | RuntimeException e) {
            progress(listener).line("could not delete " + dir.getRemote() + ": " + e.getMessage());
        }
    }

    static Progress progress(TaskListener listener) {
        return line -> listener.getLogger().println("[teleport] " + line);
    }

    private static Optional<String> optional(String s) {
        return Optional.ofNullable(s).map(String::trim).filter(v -> !v.isEmpty());
    }
}
