package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.slaves.WorkspaceList;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import io.jenkins.plugins.teleport.client.scope.RequestScope;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Everything up to the body, the client's phases with Jenkins around them: the request is checked on the controller
 * while the agent makes the keys, issuance does not wait for the check, the agent writes the certificates, the run
 * gets its action. What it made is reported to an {@link Observer} as it goes, so a stopped or failed opening is
 * cleaned up ({@link CloseScope}) whatever phase it reached.
 */
final class OpenScope {

    /** Files under {@code <workspace>@tmp/teleport-access-request/<random>}, never inside the workspace. */
    static final String TEMP_DIR_NAME = "teleport-access-request";

    /** Follows an opening: what exists so far, and whether the block was stopped meanwhile. */
    interface Observer {
        /** There is now something to clean up: keys on the agent, maybe certificates. */
        void reached(ScopeHandle partial);

        /** True once the block was stopped: the opening gives up at its next phase. */
        boolean stopped();

        Observer NONE = new Observer() {
            @Override
            public void reached(ScopeHandle partial) {
            }

            @Override
            public boolean stopped() {
                return false;
            }
        };
    }

    /** An open scope: its handle, and the masking filter for the body's log. */
    record Opened(ScopeHandle handle, PrivateKeyMaskingFilter filter) {}

    private OpenScope() {}

    static Opened open(BlockParameters p, Run<?, ?> run, FilePath workspace, TaskListener listener, Clock clock, Observer observer)
            throws IOException, InterruptedException {
        RequestId id = p.requestId();
        if (workspace == null) {
            throw new AbortException("withTeleportAccessRequest needs a workspace on an agent: put it inside node { ... }");
        }
        TeleportServer server = TeleportGlobalConfiguration.get().server(p.server());
        BotCredentialsLookup.Found bot = BotCredentialsLookup.forBuild(server,
                p.credentialsId().orElse(server.getCredentialsId()), run);
        String botName = bot.credentials().getBotName();
        Progress progress = BuildContext.progress(listener);
        BotSessions.Session session;
        try {
            session = BotSessions.asBot(server, bot, run, clock);
        } catch (TeleportException e) {
            throw new AbortException(e.getMessage());
        }
        progress.line("auth server " + server.getUrl() + " (" + server.getName() + "): bot '" + botName + "'"
                + BotSessions.joinedFor(bot, run) + ", access request " + id);

        long checkStart = System.nanoTime();
        CompletableFuture<Optional<AccessRequest>> check = RequestScope.startCheck(session.client(), id, progress)
                .whenComplete((r, e) -> BlockPhases.record(BlockPhases.Phase.CHECK, System.nanoTime() - checkStart));
        FilePath parent = WorkspaceList.tempDir(workspace).child(TEMP_DIR_NAME);
        PreparedKeys keys = BlockPhases.time(BlockPhases.Phase.KEYS, () -> parent.act(new AgentBundle.PrepareKeys("bot " + botName)));
        ScopeHandle partial = new ScopeHandle(server.getName(), bot.credentials().getId(), id.value(), botName, keys.dir(), "",
                List.of(), session);
        observer.reached(partial);
        giveUpIfStopped(observer);

        Optional<java.time.Duration> ttl;
        try {
            ttl = server.ttlFor(p.ttl());
        } catch (IllegalArgumentException e) {
            throw new AbortException("withTeleportAccessRequest's ttl '" + p.ttl() + "' is not a duration such as 30m: " + e.getMessage());
        }
        RequestScope.Assumed assumed;
        try {
            assumed = BlockPhases.time(BlockPhases.Phase.ISSUE, () -> RequestScope.issue(session.client(),
                    new IssueCertificates(id.value(), keys.sshPublicKey(), keys.tlsPublicKeyPem(), ttl,
                            BuildContext.usage(run)), check, progress));
        } catch (AuthServerException refused) {
            observer.reached(partial.nothingIssued()); // the server answered no: there is nothing to release
            throw new AbortException(refused.getMessage());
        } catch (TeleportException e) {
            throw new AbortException(e.getMessage()); // unreachable mid-call: it may have issued, so the end releases
        }
        IssuedCertificates issued = assumed.issued();
        ScopeHandle handle = new ScopeHandle(server.getName(), bot.credentials().getId(), issued.accessRequestId(), botName, keys.dir(),
                issued.validBefore().toString(), RequestScope.serials(issued), session);
        observer.reached(handle);
        giveUpIfStopped(observer);

        FilePath dir = new FilePath(workspace.getChannel(), keys.dir());
        String cluster;
        try {
            cluster = BotSessions.clusterName(server);
        } catch (TeleportException e) {
            throw new AbortException(e.getMessage());
        }
        CertificateFiles files = new CertificateFiles(RequestScope.contents(cluster, botName, issued));
        BlockPhases.time(BlockPhases.Phase.WRITE, () -> dir.act(new AgentBundle.WriteCertificates(keys, files)));
        progress.line("identity written on the agent to " + keys.dir());
        ScopeHandle open = handle;
        if (p.awsIntegration().isPresent()) {
            WebIdentityGrant token = AwsWebIdentities.fetch(dir, server, p.awsIntegration().get());
            var g = token.grant();
            progress.line("AWS web identity token for integration " + g.integration() + " written on the agent (role " + g.roleArn()
                    + ", session " + g.roleSessionName() + ", token " + g.tokenId() + ", valid until " + g.expires()
                    + "); it is fetched again before it expires");
            open = handle.withWebIdentity(token);
            observer.reached(open);
            AwsWebIdentities.keepFresh(open, Optional.of(token), fixed(dir, listener), clock);
        }
        run.addAction(TeleportRequestAction.of(server, assumed.request(), issued, botName, open.awsIntegration().orElse("")));
        giveUpIfStopped(observer);
        return new Opened(open, new PrivateKeyMaskingFilter(keys.secretLines(), run.getCharset()));
    }

    /** The block's identity directory and log as the opening knows them. */
    static AwsWebIdentities.Block fixed(FilePath dir, TaskListener listener) {
        return new AwsWebIdentities.Block() {
            @Override
            public FilePath identityDir() {
                return dir;
            }

            @Override
            public TaskListener listener() {
                return listener;
            }
        };
    }

    private static void giveUpIfStopped(Observer observer) throws InterruptedException {
        if (observer.stopped()) {
            throw new InterruptedException("the block was stopped while its certificates were being issued");
        }
    }
}
