package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.Serializable;
import java.util.Optional;

/**
 * What a block asks for: the request, and optionally the server, the bot credentials and the lifetime, as the step
 * or the wrapper's form gave them. A plain class, not a record: it is saved with the build's program, whose
 * serialization predates records.
 */
final class BlockParameters implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String requestId;
    private final String server;
    private final String credentialsId;
    private final String ttl;

    BlockParameters(String requestId, String server, String credentialsId, String ttl) {
        this.requestId = requestId;
        this.server = server;
        this.credentialsId = credentialsId;
        this.ttl = ttl;
    }

    /** The same block for a request it created and had approved. */
    BlockParameters withRequestId(String id) {
        return new BlockParameters(id, server, credentialsId, ttl);
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

    String ttl() {
        return ttl == null ? "" : ttl.trim();
    }

    private static Optional<String> optional(String s) {
        return Optional.ofNullable(s).map(String::trim).filter(v -> !v.isEmpty());
    }
}
