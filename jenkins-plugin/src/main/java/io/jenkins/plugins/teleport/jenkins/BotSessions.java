package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Run;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.TeleportException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the controller keeps between blocks, in memory only: one client (one connection pool, kept warm) per auth
 * server, and each bot's join identity while it stays valid, so a block does not join again for every run. An
 * identity is shared only by blocks whose credentials are the same in every respect that matters: the server and its
 * pin, the credentials' ID, bot name and store, and their join token (by its SHA-256, never the token itself), so
 * that credentials with the same ID and bot name elsewhere, or a rotated token, never get another's identity. An
 * identity that joined through Jenkins names the build's job and branch, so it is shared only by builds of that job
 * and branch (and with the same token resource).
 */
final class BotSessions {

    /** An identity is reused only while it has at least this long to live. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    private static final Map<String, AuthClient> CLIENTS = new ConcurrentHashMap<>();
    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();
    private static final Map<String, String> CLUSTERS = new ConcurrentHashMap<>();

    private BotSessions() {}

    /** A bot's identity and the client that calls with it (its TLS set-up is made once per identity). */
    record Session(BotIdentity identity, AuthClient client) {}

    /** The client of a server, made once. */
    static AuthClient client(TeleportServer server) {
        return CLIENTS.computeIfAbsent(server.getUrl() + " " + server.getCaPin(),
                k -> AuthClient.create(URI.create(server.getUrl()), server.getCaPin()));
    }

    /** The server's cluster name, asked once (the ping also proves its CA is the pinned one). */
    static String clusterName(TeleportServer server) {
        return CLUSTERS.computeIfAbsent(server.getUrl() + " " + server.getCaPin(), k -> client(server).ping().clusterName());
    }

    /**
     * A session as the bot for {@code run}'s block: the cached identity if still valid, else a fresh join, with the join
     * token or (join method jenkins) with an ID token Jenkins signs for the build.
     */
    static Session asBot(TeleportServer server, BotCredentialsLookup.Found bot, Run<?, ?> run, Clock clock) {
        TeleportBotCredentials c = bot.credentials();
        boolean jenkins = c.joinMethod() == TeleportBotCredentials.JoinMethod.JENKINS;
        String branch = jenkins ? jobEnvironment(() -> TeleportOidcIssuer.branch(run.getParent())) : "";
        return SESSIONS.compute(key(server, bot, run, branch), (k, cached) -> {
            if (cached != null && cached.identity().validFor(MARGIN, clock.instant())) {
                return cached;
            }
            AuthClient client = client(server);
            BotIdentity identity = jenkins ? client.joinWithIdToken(c.getBotName(), c.getTokenName(), idToken(server, run, clock))
                    : client.join(c.getBotName(), c.getToken().getPlainText());
            return new Session(identity, client.as(identity));
        });
    }

    /** For the log: " (join method jenkins, job J, branch B)" for a bot that joins through Jenkins, else nothing. */
    static String joinedFor(BotCredentialsLookup.Found bot, Run<?, ?> run) {
        if (bot.credentials().joinMethod() != TeleportBotCredentials.JoinMethod.JENKINS) {
            return "";
        }
        String branch = jobEnvironment(() -> TeleportOidcIssuer.branch(run.getParent()));
        return " (join method jenkins, token resource " + bot.credentials().getTokenName() + ", job " + run.getParent().getFullName()
                + (branch.isEmpty() ? "" : ", branch " + branch) + ")";
    }

    /** The build's ID token for the server's cluster (its name is the audience a jenkins token resource expects by default). */
    private static String idToken(TeleportServer server, Run<?, ?> run, Clock clock) {
        return jobEnvironment(() -> TeleportOidcIssuer.idToken(run, clusterName(server), clock));
    }

    /** Reads from the job's environment (for its branch). */
    private interface JobRead {
        String read() throws IOException, InterruptedException;
    }

    private static String jobEnvironment(JobRead read) {
        try {
            return read.read();
        } catch (IOException e) {
            throw new TeleportException("cannot read the job's environment for its ID token: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TeleportException("interrupted while reading the job's environment for its ID token");
        }
    }

    static String key(TeleportServer server, BotCredentialsLookup.Found bot, Run<?, ?> run, String branch) {
        TeleportBotCredentials c = bot.credentials();
        String method = c.joinMethod() == TeleportBotCredentials.JoinMethod.JENKINS
                ? String.join(" ", "jenkins", c.getTokenName(), "job", run.getParent().getFullName(), "branch", branch)
                : "token " + sha256(c.getToken().getPlainText());
        return String.join(" ", server.getUrl(), server.getCaPin(), c.getId(), c.getBotName(), bot.store(), method);
    }

    static int size() {
        return SESSIONS.size();
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets everything, as a controller restart does. */
    static void clear() {
        CLIENTS.clear();
        SESSIONS.clear();
        CLUSTERS.clear();
    }
}
