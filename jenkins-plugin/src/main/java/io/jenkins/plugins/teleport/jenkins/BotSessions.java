package io.jenkins.plugins.teleport.jenkins;

import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.BotIdentity;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the controller keeps between blocks, in memory only: one client (one connection pool) per auth server, and
 * each bot's identity while it stays valid, so a block does not join again for every run.
 */
final class BotSessions {

    /** An identity is reused only while it has at least this long to live. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    private static final Map<String, AuthClient> CLIENTS = new ConcurrentHashMap<>();
    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();
    private static final Map<String, String> CLUSTERS = new ConcurrentHashMap<>();

    private BotSessions() {}

    /** The client of a server, made once. */
    static AuthClient client(TeleportServer server) {
        return CLIENTS.computeIfAbsent(server.getUrl() + " " + server.getCaPin(),
                k -> AuthClient.create(URI.create(server.getUrl()), server.getCaPin()));
    }

    /** The server's cluster name, asked once (the ping also proves its CA is the pinned one). */
    static String clusterName(TeleportServer server) {
        return CLUSTERS.computeIfAbsent(server.getUrl() + " " + server.getCaPin(), k -> client(server).ping().clusterName());
    }

    /** A bot's identity and the client that calls with it (its TLS set-up is made once per identity). */
    private record Session(BotIdentity identity, AuthClient client) {}

    /** A client calling as the bot: its cached identity if still valid, else a fresh join with its token. */
    static AuthClient asBot(TeleportServer server, TeleportBotCredentials bot, Clock clock) {
        return SESSIONS.compute(key(server, bot), (k, cached) -> {
            if (cached != null && cached.identity().validFor(MARGIN, clock.instant())) {
                return cached;
            }
            AuthClient client = client(server);
            BotIdentity identity = client.join(bot.getBotName(), bot.getToken().getPlainText());
            return new Session(identity, client.as(identity));
        }).client();
    }

    /** The identity in use for a bot, if any (for a pending release). */
    static BotIdentity identity(TeleportServer server, TeleportBotCredentials bot) {
        Session session = SESSIONS.get(key(server, bot));
        return session == null ? null : session.identity();
    }

    private static String key(TeleportServer server, TeleportBotCredentials bot) {
        return server.getUrl() + " " + bot.getId() + " " + bot.getBotName();
    }

    /** Forgets everything, as a controller restart does. */
    static void clear() {
        CLIENTS.clear();
        SESSIONS.clear();
        CLUSTERS.clear();
    }
}
