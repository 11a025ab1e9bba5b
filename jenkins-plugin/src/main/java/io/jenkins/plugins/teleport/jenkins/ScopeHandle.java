package io.jenkins.plugins.teleport.jenkins;

import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.oidc.AwsWebIdentity;
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
    /** The AWS integration whose web identity token is in the directory, and its role and session (null: none). */
    private String awsIntegration;
    private String awsRoleArn;
    private String awsRoleSessionName;
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
        ScopeHandle h = copy();
        h.nothingIssued = true;
        return h;
    }

    /** The same handle with a web identity token in the directory: the body also gets the AWS variables. */
    ScopeHandle withWebIdentity(WebIdentityGrant g) {
        ScopeHandle h = copy();
        var grant = g.grant();
        h.awsIntegration = grant.integration();
        h.awsRoleArn = grant.roleArn();
        h.awsRoleSessionName = grant.roleSessionName();
        return h;
    }

    private ScopeHandle copy() {
        ScopeHandle h = new ScopeHandle(serverName, credentialsId, requestId, bot, bundleDir, validBefore, serials, session);
        h.nothingIssued = nothingIssued;
        h.awsIntegration = awsIntegration;
        h.awsRoleArn = awsRoleArn;
        h.awsRoleSessionName = awsRoleSessionName;
        return h;
    }

    /** The AWS integration whose token is kept fresh in the directory, if any. */
    java.util.Optional<String> awsIntegration() {
        return java.util.Optional.ofNullable(awsIntegration).filter(s -> !s.isEmpty());
    }

    /** Whether the end releases the request: unless the server refused the issuance, something may be issued. */
    boolean releases() {
        return !nothingIssued;
    }

    BotSessions.Session session() {
        return session;
    }

    /** The variables the body sees (the same as teleport-ci exec sets), with the AWS ones when there is a token. */
    Map<String, String> environment() {
        Map<String, String> env = new java.util.LinkedHashMap<>(new BundleFiles(Path.of(bundleDir), requestId, bot, validBefore).environment());
        if (awsIntegration().isPresent()) {
            env.putAll(AwsWebIdentity.environment(Path.of(bundleDir), awsRoleArn, awsRoleSessionName));
        }
        return env;
    }
}
