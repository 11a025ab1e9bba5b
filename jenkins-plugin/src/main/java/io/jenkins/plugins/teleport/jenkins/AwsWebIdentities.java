package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.oidc.AwsWebIdentity;
import io.jenkins.plugins.teleport.client.oidc.WebIdentityRefresh;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jenkins.MasterToSlaveFileCallable;
import jenkins.util.Timer;

/**
 * A block's AWS web identity in Jenkins: the token is asked on the agent, where the request-bound TLS key is, by a
 * small callable using the client ({@link AwsWebIdentity}); the controller learns only its role, ID and expiry. Its
 * refreshes ({@link WebIdentityRefresh}) run as tasks of {@code jenkins.util.Timer}, each an agent call, holding no
 * executor and no Pipeline thread; they live in memory, keyed by the identity directory, and stop when the block
 * ends ({@link #stop}, from {@link CloseScope}). After a controller restart the step starts them again.
 */
final class AwsWebIdentities {

    /** Where a block's identity directory and log are; after a restart both come from the step's context. */
    interface Block {
        FilePath identityDir() throws IOException, InterruptedException;

        TaskListener listener() throws IOException, InterruptedException;
    }

    /** Where refresh tasks run: Jenkins' timer (tests run them by hand). */
    static volatile WebIdentityRefresh.Scheduler scheduler =
            (task, delay) -> Timer.get().schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);

    private static final Map<String, WebIdentityRefresh> RUNNING = new ConcurrentHashMap<>();

    private AwsWebIdentities() {}

    /** Fetches a token on the agent into the identity directory {@code dir}; an error naming the integration otherwise. */
    static WebIdentityGrant fetch(FilePath dir, TeleportServer server, String integration) throws IOException, InterruptedException {
        try {
            return dir.act(new Fetch(server.getUrl(), server.getCaPin(), integration));
        } catch (AbortException e) {
            throw new AbortException("No AWS web identity token for integration '" + integration + "': " + e.getMessage());
        }
    }

    /** Keeps {@code h}'s token fresh until {@link #stop}; {@code current} is the token just written (none after a restart). */
    static void keepFresh(ScopeHandle h, Optional<WebIdentityGrant> current, Block block, Clock clock) {
        if (h.awsIntegration().isEmpty() || h.validBefore().isEmpty()) {
            return;
        }
        String integration = h.awsIntegration().get();
        WebIdentityRefresh.Fetch fetch = () -> {
            TeleportServer server = TeleportGlobalConfiguration.get().server(Optional.of(h.serverName()));
            return fetch(block.identityDir(), server, integration).grant();
        };
        WebIdentityRefresh refresh = WebIdentityRefresh.start(current.map(WebIdentityGrant::grant), Instant.parse(h.validBefore()), fetch,
                scheduler, clock, line -> {
                    try {
                        BuildContext.progress(block.listener()).line(line);
                    } catch (IOException | InterruptedException | RuntimeException noLog) {
                        // the build's log is not reachable now; the next attempt says it again
                    }
                });
        WebIdentityRefresh previous = RUNNING.put(h.bundleDir(), refresh);
        if (previous != null) {
            previous.close();
        }
    }

    /** Stops refreshing {@code h}'s token (a fetch under way is waited for, so nothing is written after). */
    static void stop(ScopeHandle h) {
        WebIdentityRefresh refresh = RUNNING.remove(h.bundleDir());
        if (refresh != null) {
            refresh.close();
        }
    }

    /** How many blocks' tokens are being kept fresh. */
    static int running() {
        return RUNNING.size();
    }

    /** On the agent: asks for a token as the request-bound identity of the directory it runs on, and writes it there. */
    static final class Fetch extends MasterToSlaveFileCallable<WebIdentityGrant> {
        private static final long serialVersionUID = 1L;
        private final String server;
        private final String caPin;
        private final String integration;

        Fetch(String server, String caPin, String integration) {
            this.server = server;
            this.caPin = caPin;
            this.integration = integration;
        }

        @Override
        public WebIdentityGrant invoke(File dir, VirtualChannel channel) throws IOException {
            try {
                return new WebIdentityGrant(AwsWebIdentity.fetch(URI.create(server), caPin, dir.toPath(), integration, Clock.systemUTC()));
            } catch (TeleportException e) {
                // Only Jenkins' own types cross the channel back: the client's exception classes would be refused.
                throw new AbortException(e.getMessage());
            }
        }
    }
}
