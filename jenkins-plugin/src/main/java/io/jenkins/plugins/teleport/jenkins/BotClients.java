package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
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
        return BotSessions.asBot(server, bot, run, clock).client();
    }

    /** Outside any build: the "Build with Parameters" page. */
    static AuthClient outsideBuild(TeleportServer server, BotCredentialsLookup.Found bot, Clock clock) throws AbortException {
        if (bot.credentials().joinMethod() == TeleportBotCredentials.JoinMethod.JENKINS) {
            // A jenkins join signs an ID token for a build: outside one there is nothing to sign it for.
            throw new AbortException("bot credentials '" + bot.credentials().getId() + "' join with the jenkins join method, "
                    + "which needs a running build; give the parameter token credentials of the same bot to list its requests");
        }
        return BotSessions.asBot(server, bot, null, clock).client();
    }
}
