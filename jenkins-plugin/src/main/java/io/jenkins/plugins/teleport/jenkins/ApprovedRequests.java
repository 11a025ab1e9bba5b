package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.AbortException;
import hudson.model.Job;
import hudson.security.ACL;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.client.TeleportException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The choices of a "Teleport access request" parameter: the bot's requests that are APPROVED now and not expired (nor
 * a one-shot request another build has claimed), each shown with its ID, reason, roles, approvers and expiry. Whatever
 * goes wrong (no server configured, no credentials, the server unreachable) gives one empty choice that says what and
 * how to fix it, so the page still renders.
 */
final class ApprovedRequests {

    private static final Logger LOGGER = Logger.getLogger(ApprovedRequests.class.getName());

    private ApprovedRequests() {}

    static ListBoxModel choices(TeleportAccessRequestParameterDefinition definition, Job<?, ?> job, Clock clock) {
        ListBoxModel items = new ListBoxModel();
        String bot = "";
        try {
            TeleportServer server = TeleportGlobalConfiguration.get().server(definition.server());
            BotCredentialsLookup.Found found = botOf(definition, server, job);
            bot = found.credentials().getBotName();
            List<AccessRequest> usable = BotClients.outsideBuild(server, found, clock).accessRequests(bot, RequestState.APPROVED).stream()
                    .filter(r -> usable(r, clock.instant())).toList();
            for (AccessRequest r : usable) {
                items.add(label(r), r.id());
            }
            if (usable.isEmpty()) {
                items.add("(no approved, unexpired access request for bot '" + bot + "': ask for one with tctl requests create --bot "
                        + bot + " --roles ...)", "");
            }
        } catch (AbortException | TeleportException e) {
            LOGGER.log(Level.FINE, "cannot list the approved requests", e);
            items.clear();
            items.add("(no requests could be listed" + (bot.isEmpty() ? "" : " for bot '" + bot + "'") + ": " + e.getMessage() + ")", "");
        }
        return items;
    }

    /** The parameter's bot credentials, visible in the job (a page render has no build to look them up for). */
    private static BotCredentialsLookup.Found botOf(TeleportAccessRequestParameterDefinition definition, TeleportServer server,
                                                    Job<?, ?> job) throws AbortException {
        String id = definition.getCredentialsId().isEmpty() ? server.getCredentialsId() : definition.getCredentialsId();
        // The caller may build the job (checked by the descriptor); the job's builds would use these credentials.
        return CredentialsProvider.lookupCredentialsInItem(TeleportBotCredentials.class, job, ACL.SYSTEM2).stream()
                .filter(c -> c.getId().equals(id)).findFirst()
                .map(c -> new BotCredentialsLookup.Found(c, "parameter of " + job.getFullName()))
                .orElseThrow(() -> new AbortException("no Teleport bot credentials '" + id + "' are visible to job "
                        + job.getFullName()));
    }

    static boolean usable(AccessRequest r, Instant now) {
        boolean approved = r.status().map(s -> s.state() == RequestState.APPROVED).orElse(false);
        boolean claimed = r.spec().oneShot() && !r.spec().assumedBy().isEmpty();
        return approved && r.spec().maxDuration().isAfter(now) && !claimed;
    }

    /** {@code <id> — "<reason>" — roles deploy — approved by bob, carol — until <instant>}. */
    static String label(AccessRequest r) {
        List<String> approvers = r.spec().reviews().stream().filter(v -> v.proposedState() == ReviewVerdict.APPROVED)
                .map(AccessRequest.Review::author).toList();
        return r.id() + " — " + (r.spec().requestReason().isEmpty() ? "(no reason)" : "\"" + r.spec().requestReason() + "\"")
                + " — roles " + String.join(", ", r.spec().roles()) + " — approved by " + String.join(", ", approvers)
                + " — until " + r.spec().maxDuration();
    }
}
