package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.Serializable;
import java.util.Optional;

/**
 * What a block asks for: the request, and optionally the server, the bot credentials, the lifetime and an AWS
 * integration, as the step
 * or the wrapper's form gave them. A plain class, not a record: it is saved with the build's program, whose
 * serialization predates records.
 */
final class BlockParameters implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String requestId;
    private final String server;
    private final String credentialsId;
    private final String ttl;
    /** Null in what versions before AWS support saved. */
    private final String awsIntegration;

    BlockParameters(String requestId, String server, String credentialsId, String ttl, String awsIntegration) {
        this.requestId = requestId;
        this.server = server;
        this.credentialsId = credentialsId;
        this.ttl = ttl;
        this.awsIntegration = awsIntegration;
    }

    /** The same block for a request it created and had approved. */
    BlockParameters withRequestId(String id) {
        return new BlockParameters(id, server, credentialsId, ttl, awsIntegration);
    }

    /** The request's ID, checked before anything is called: an error naming the parameter otherwise. */
    RequestId requestId() throws AbortException {
        try {
            return RequestId.parse(requestId, "withTeleportAccessRequest's requestId");
        } catch (TeleportException e) {
            throw new AbortException(e.getMessage());
        }
    }

    Optional<String> server() {
        return optional(server);
    }

    Optional<String> credentialsId() {
        return optional(credentialsId);
    }

    /** The aws-oidc integration whose web identity token the body gets, if any. */
    Optional<String> awsIntegration() {
        return optional(awsIntegration);
    }

    String ttl() {
        return ttl == null ? "" : ttl.trim();
    }

    private static Optional<String> optional(String s) {
        return Optional.ofNullable(s).map(String::trim).filter(v -> !v.isEmpty());
    }
}
