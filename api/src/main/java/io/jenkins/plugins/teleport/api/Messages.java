package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
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

    /**
     * {@code POST /v1/access-requests}: ask for {@code roles} on behalf of {@code bot}, optionally only for builds of
     * one Jenkins job and branch ({@code jenkins_job}, {@code jenkins_branch}, globs).
     */
    public record CreateAccessRequest(
            @JsonProperty(required = true) String bot, @JsonProperty(required = true) List<String> roles, String reason,
            Optional<Duration> maxDuration, Optional<Duration> pendingTtl, Optional<Boolean> oneShot, String jenkinsJob,
            String jenkinsBranch) {
        public CreateAccessRequest {
            roles = roles == null ? List.of() : List.copyOf(roles);
            reason = reason == null ? "" : reason;
            maxDuration = maxDuration == null ? Optional.empty() : maxDuration;
            pendingTtl = pendingTtl == null ? Optional.empty() : pendingTtl;
            oneShot = oneShot == null ? Optional.empty() : oneShot;
            jenkinsJob = jenkinsJob == null ? "" : jenkinsJob;
            jenkinsBranch = jenkinsBranch == null ? "" : jenkinsBranch;
        }

        /** A request saying whether it is one-shot, restricted to a Jenkins job and branch (empty: any). */
        public CreateAccessRequest(String bot, List<String> roles, String reason, Optional<Duration> maxDuration,
                                   Optional<Duration> pendingTtl, boolean oneShot, String jenkinsJob, String jenkinsBranch) {
            this(bot, roles, reason, maxDuration, pendingTtl, Optional.of(oneShot), jenkinsJob, jenkinsBranch);
        }

        /** A request for any build, saying whether it is one-shot. */
        public CreateAccessRequest(String bot, List<String> roles, String reason, Optional<Duration> maxDuration,
                                   Optional<Duration> pendingTtl, boolean oneShot) {
            this(bot, roles, reason, maxDuration, pendingTtl, Optional.of(oneShot), null, null);
        }
    }

    /** {@code POST /v1/access-requests/{id}/cancel}: withdraw a request (its author, e.g. the bot that made it). */
    public record CancelAccessRequest(String reason) {
        public CancelAccessRequest {
            reason = reason == null ? "" : reason;
        }
    }

    /** {@code POST /v1/access-requests/{id}/reviews}. */
    public record SubmitReview(@JsonProperty(required = true) ReviewVerdict proposedState, String reason) {
        public SubmitReview {
            reason = reason == null ? "" : reason;
        }
    }

    /** {@code POST /v1/users/{name}/certs}: sign a client certificate for a public key made by the caller. */
    public record UserCertRequest(@JsonProperty(required = true) String publicKey, Optional<Duration> ttl) {
        public UserCertRequest {
            ttl = ttl == null ? Optional.empty() : ttl;
        }
    }

    /**
     * A signed client certificate (PEM), the CA certificates (PEM) that sign the server's and clients'
     * certificates, its serial (hex) and expiry: the answer to a user certificate request and to a bot's join.
     */
    public record SignedCertificate(String certificate, List<String> caCertificates, String serial, Instant expires) {}

    /** A list of items, the shape of every collection response. */
    public record ItemList<T>(List<T> items) {
        public ItemList {
            items = items == null ? List.of() : List.copyOf(items);
        }
    }

    /** {@code POST /v1/tokens}: a join token for a bot; {@code reusable} tokens serve many joins until they expire. */
    public record CreateToken(@JsonProperty(required = true) String botName, Optional<Duration> ttl, boolean reusable) {
        public CreateToken {
            ttl = ttl == null ? Optional.empty() : ttl;
        }
    }

    /** The new token's secret, shown this once (the server keeps only its hash, which is the token's name). */
    public record TokenCreated(String token, String name, String botName, Instant expires, boolean reusable) {}

    /**
     * {@code POST /v1/users/{name}/invites}: a one-time link for a person to set a password and enrol an authenticator
     * app for the web pages; with {@code reset}, what they had is removed first (Teleport's {@code tctl users reset}).
     */
    public record CreateInvite(boolean reset, Optional<Duration> ttl) {
        public CreateInvite {
            ttl = ttl == null ? Optional.empty() : ttl;
        }
    }

    /** The link, shown this once (the server keeps only the SHA-256 of its token), and until when it works. */
    public record Invite(String user, String url, Instant expires, boolean reset) {}

    /**
     * {@code POST /v1/join}: a bot proves itself and gets a short-lived identity for its public key. With join method
     * {@code token}, {@code token} is the secret; with {@code jenkins}, {@code token} names the token resource and
     * {@code id_token} is the build's ID token signed by the Jenkins controller.
     */
    public record JoinRequest(Token.JoinMethod joinMethod, @JsonProperty(required = true) String token, String botName,
                              @JsonProperty(required = true) String publicKey, String idToken) {
        public JoinRequest {
            joinMethod = joinMethod == null ? Token.JoinMethod.TOKEN : joinMethod;
            token = token == null ? "" : token;
            botName = botName == null ? "" : botName;
            publicKey = publicKey == null ? "" : publicKey;
            idToken = idToken == null ? "" : idToken;
        }

        /** A join with a secret token. */
        public JoinRequest(Token.JoinMethod joinMethod, String token, String botName, String publicKey) {
            this(joinMethod, token, botName, publicKey, null);
        }
    }

    /**
     * {@code POST /v1/oidc/token}: a web identity token for an integration, asked with a request-bound identity;
     * {@code audience}, when given, must be the integration's.
     */
    public record OidcTokenRequest(@JsonProperty(required = true) String integration, Optional<String> audience) {
        public OidcTokenRequest {
            integration = integration == null ? "" : integration;
            audience = audience == null ? Optional.empty() : audience;
        }
    }

    /**
     * A signed web identity token (a JWT) and what a client needs to use it with AWS: the role to assume and a
     * session name naming the bot and the request (the {@code AWS_*} variables of a web identity).
     */
    public record OidcToken(String token, String tokenId, Instant expires, String integration, String roleArn,
                            String roleSessionName) {}

    /**
     * {@code POST /v1/certs}: certificates bound to an approved access request, for public keys the caller made.
     * {@code usage} says where they are used (e.g. {@code ci_system}, {@code job}, {@code build_number},
     * {@code build_url}) and is written to the audit log.
     */
    public record IssueCertificates(@JsonProperty(required = true) String accessRequestId,
                                    @JsonProperty(required = true) String sshPublicKey,
                                    @JsonProperty(required = true) String tlsPublicKey, Optional<Duration> ttl,
                                    Map<String, String> usage) {
        public IssueCertificates {
            ttl = ttl == null ? Optional.empty() : ttl;
            usage = checkedUsage(usage);
        }
    }

    /**
     * Request-bound certificates: an OpenSSH user certificate (authorized_keys format) and an X.509 client
     * certificate (PEM), with what a client needs to use and trust them.
     */
    public record IssuedCertificates(
            String accessRequestId, String sshCertificate, String sshSerial, List<String> sshCaKeys, List<String> principals,
            String tlsCertificate, String tlsSerial, List<String> tlsCaCertificates, Instant validAfter, Instant validBefore) {
        public IssuedCertificates {
            sshCaKeys = sshCaKeys == null ? List.of() : List.copyOf(sshCaKeys);
            principals = principals == null ? List.of() : List.copyOf(principals);
            tlsCaCertificates = tlsCaCertificates == null ? List.of() : List.copyOf(tlsCaCertificates);
        }
    }

    /** {@code POST /v1/access-requests/{id}/release}: optional usage metadata for the audit event. */
    public record Release(Map<String, String> usage) {
        public Release {
            usage = checkedUsage(usage);
        }
    }

    /** What a release revoked, and whether it consumed a one-shot request. */
    public record Released(String accessRequestId, List<String> revokedSerials, boolean consumed) {
        public Released {
            revokedSerials = revokedSerials == null ? List.of() : List.copyOf(revokedSerials);
        }
    }

    private static Map<String, String> checkedUsage(Map<String, String> usage) {
        if (usage != null && usage.values().stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("usage values must be strings, not null");
        }
        return usage == null ? Map.of() : Map.copyOf(usage);
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
