package io.jenkins.plugins.teleport.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Request and response bodies of the API that are not resources. */
public final class Messages {

    private Messages() {}

    /** {@code GET /v1/ping}: who the server is, and the pin of its CA. */
    public record Ping(String clusterName, String serverVersion, String caPin) {}

    /** {@code POST /v1/access-requests}: ask for {@code roles} on behalf of {@code bot}. */
    public record CreateAccessRequest(
            String bot, List<String> roles, String reason, Optional<Duration> maxDuration, Optional<Duration> pendingTtl) {
        public CreateAccessRequest {
            roles = roles == null ? List.of() : List.copyOf(roles);
            reason = reason == null ? "" : reason;
            maxDuration = maxDuration == null ? Optional.empty() : maxDuration;
            pendingTtl = pendingTtl == null ? Optional.empty() : pendingTtl;
        }
    }

    /** {@code POST /v1/access-requests/{id}/reviews}. */
    public record SubmitReview(ReviewVerdict proposedState, String reason) {
        public SubmitReview {
            reason = reason == null ? "" : reason;
        }
    }

    /** {@code POST /v1/users/{name}/certs}: sign a client certificate for a public key made by the caller. */
    public record UserCertRequest(String publicKey, Optional<Duration> ttl) {
        public UserCertRequest {
            ttl = ttl == null ? Optional.empty() : ttl;
        }
    }

    /** The signed certificate (PEM) and the CA certificates (PEM) that sign the server's and clients' certificates. */
    public record UserCertResponse(String certificate, List<String> caCertificates, String serial, Instant expires) {}

    /** A list of items, the shape of every collection response. */
    public record ItemList<T>(List<T> items) {
        public ItemList {
            items = items == null ? List.of() : List.copyOf(items);
        }
    }

    /** One audit event. */
    public record AuditEvent(
            long seq, String uid, String event, String code, Instant time, String user,
            Optional<String> requestId, Map<String, Object> fields) {
        public AuditEvent {
            requestId = requestId == null ? Optional.empty() : requestId;
            fields = fields == null ? Map.of() : Map.copyOf(fields);
        }
    }
}
