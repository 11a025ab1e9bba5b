package io.jenkins.plugins.teleport.auth.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate the server issued: its kind and serial (X.509 in lower-case hex, SSH in decimal), whom it was
 * issued to (a bot or user name), the access request it is bound to, its lifetime and revocation, and the usage its
 * issuance named (build URL, job) for request-bound ones.
 */
public record IssuedCertificate(Kind kind, String serial, String subject, Optional<String> requestId, Instant issuedAt,
                                Instant expiresAt, Optional<Instant> revokedAt, Map<String, String> usage) {

    public IssuedCertificate {
        usage = usage == null ? Map.of() : Map.copyOf(usage);
    }

    /** A certificate whose issuance named no usage. */
    public IssuedCertificate(Kind kind, String serial, String subject, Optional<String> requestId, Instant issuedAt,
                             Instant expiresAt, Optional<Instant> revokedAt) {
        this(kind, serial, subject, requestId, issuedAt, expiresAt, revokedAt, Map.of());
    }

    /** SSH user certificates and X.509 client certificates. */
    public enum Kind {
        SSH, TLS;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    public boolean isRevoked() {
        return revokedAt.isPresent();
    }
}
