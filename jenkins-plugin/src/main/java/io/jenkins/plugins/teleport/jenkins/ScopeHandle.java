package io.jenkins.plugins.teleport.jenkins;

import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an open scope leaves for its end: identifiers only, never key material (it is saved with the build's program,
 * so the scope survives a controller restart). The bot's session is kept in memory only, to release over the
 * connection the block already used; after a restart the credentials are looked up again.
 */
final class ScopeHandle implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String serverName;
    private final String credentialsId;
    private final String requestId;
    private final String bot;
    private final String bundleDir;
    private final String validBefore;
    private final ArrayList<String> serials;
    /** True once the server refused the issuance: nothing to release (false in what older versions saved). */
    private boolean nothingIssued;
    private transient volatile BotSessions.Session session;

    ScopeHandle(String serverName, String credentialsId, String requestId, String bot, String bundleDir, String validBefore,
                List<String> serials, BotSessions.Session session) {
        this.serverName = serverName;
        this.credentialsId = credentialsId;
        this.requestId = requestId;
        this.bot = bot;
        this.bundleDir = bundleDir;
        this.validBefore = validBefore;
        this.serials = new ArrayList<>(serials);
        this.session = session;
    }

    String serverName() {
        return serverName;
    }

    String credentialsId() {
        return credentialsId;
    }

    RequestId requestId() {
        return new RequestId(requestId);
    }

    String bot() {
        return bot;
    }

    /** The identity directory on the agent; empty when the block stopped before the keys were made. */
    String bundleDir() {
        return bundleDir == null ? "" : bundleDir;
    }

    /** When the certificates expire; empty when none were issued (yet). */
    String validBefore() {
        return validBefore == null ? "" : validBefore;
    }

    List<String> serials() {
        return List.copyOf(serials);
    }

    /**
     * The same handle after the server refused to issue: its end deletes the keys and releases nothing, so a block
     * refused for a one-shot request that another block claimed does not end that block's access.
     */
    ScopeHandle nothingIssued() {
        ScopeHandle h = new ScopeHandle(serverName, credentialsId, requestId, bot, bundleDir, validBefore, serials, session);
        h.nothingIssued = true;
        return h;
    }

    /** Whether the end releases the request: unless the server refused the issuance, something may be issued. */
    boolean releases() {
        return !nothingIssued;
    }

    BotSessions.Session session() {
        return session;
    }

    /** The variables the body sees (the same as teleport-ci exec sets). */
    Map<String, String> environment() {
        return new BundleFiles(Path.of(bundleDir), requestId, bot, validBefore).environment();
    }
}
