package io.jenkins.plugins.teleport.jenkins;

import hudson.model.Run;
import io.jenkins.plugins.teleport.client.AuthClient;
import java.time.Clock;

/**
 * The bot's client for the requests it makes for itself, lists and checks (the waiting block, the build parameter):
 * the one place those ask {@link BotSessions} for a session, in a build or outside one (a page render).
 */
final class BotClients {

    private BotClients() {}

    /** For {@code run}'s block or start check. */
    static AuthClient forBuild(TeleportServer server, BotCredentialsLookup.Found bot, Run<?, ?> run, Clock clock) {
        return BotSessions.asBot(server, bot, clock).client();
    }

    /** Outside any build: the "Build with Parameters" page. */
    static AuthClient outsideBuild(TeleportServer server, BotCredentialsLookup.Found bot, Clock clock) {
        return BotSessions.asBot(server, bot, clock).client();
    }
}
