package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsStore;
import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.AbortException;
import hudson.model.Item;
import hudson.model.ModelObject;
import hudson.model.Run;

/** Finds a build's "Teleport bot" credentials as the credentials plugin does, and which store they came from. */
final class BotCredentialsLookup {

    private BotCredentialsLookup() {}

    /** Credentials, and the store that holds them ("jenkins", or a folder's full name), part of the session key. */
    record Found(TeleportBotCredentials credentials, String store) {}

    /** The credentials {@code id} visible to {@code run}, tracked as used by it; an error naming the fix otherwise. */
    static Found forBuild(TeleportServer server, String id, Run<?, ?> run) throws AbortException {
        Found found = find(server, id, run);
        CredentialsProvider.track(run, found.credentials());
        return found;
    }

    /** The same lookup without tracking (for a release retried in the background). */
    static Found find(TeleportServer server, String id, Run<?, ?> run) throws AbortException {
        if (id == null || id.isBlank()) {
            throw new AbortException("No bot credentials: set credentialsId on the step, or default credentials on auth server '"
                    + server.getName() + "'");
        }
        TeleportBotCredentials found = CredentialsProvider.findCredentialById(id, TeleportBotCredentials.class, run);
        if (found == null) {
            throw new AbortException("No Teleport bot credentials with ID '" + id + "' are visible to this build: add them "
                    + "(kind \"Teleport bot\") to the job's folder or globally, or correct the ID");
        }
        return new Found(found, storeOf(found, run));
    }

    /**
     * The store holding this very object (not one with an equal ID) among those visible from the build's job; a store
     * the build may not list is skipped (the real stores list nothing without VIEW, others may refuse).
     */
    private static String storeOf(TeleportBotCredentials credentials, Run<?, ?> run) {
        for (CredentialsStore store : CredentialsProvider.lookupStores(run.getParent())) {
            try {
                for (Domain domain : store.getDomains()) {
                    for (Credentials c : store.getCredentials(domain)) {
                        if (c == credentials) {
                            return name(store.getContext());
                        }
                    }
                }
            } catch (RuntimeException notListable) {
                // e.g. no permission to list this store in the build's context: it is not named as the one
            }
        }
        // Credentials from elsewhere (a parameter, another provider): one stable name, never a stored one's, so the
        // cache does not grow with each lookup; the session key still holds the token's hash.
        return "not in a listed store";
    }

    private static String name(ModelObject context) {
        return context instanceof Item item ? "folder " + item.getFullName() : context instanceof jenkins.model.Jenkins ? "jenkins"
                : context.getClass().getName() + " " + context.getDisplayName();
    }
}
