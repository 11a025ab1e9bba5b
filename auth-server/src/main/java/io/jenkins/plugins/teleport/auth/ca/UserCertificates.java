package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.SignedCertificate;
import io.jenkins.plugins.teleport.api.Messages.UserCertRequest;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Signs client certificates for people, for public keys they made themselves (the server never sees the private key). */
public final class UserCertificates {

    public static final Duration DEFAULT_TTL = Duration.ofHours(12);
    public static final Duration MAX_TTL = Duration.ofDays(7);

    private final Store store;
    private final CertificateAuthority ca;
    private final AuditLog audit;
    private final Clock clock;

    public UserCertificates(Store store, CertificateAuthority ca, AuditLog audit, Clock clock) {
        this.store = store;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
    }

    /** Issues {@code user}'s client certificate; the caller needs the right to create users. */
    public SignedCertificate issue(ClientIdentity caller, String user, UserCertRequest request) {
        PublicKey key = Pem.clientPublicKey(request.publicKey() == null ? "" : request.publicKey(), "public_key");
        Duration ttl = request.ttl().orElse(DEFAULT_TTL);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ttl must be between 1s and " + MAX_TTL.toDays() + " days");
        }
        return store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "user", Verb.CREATE);
            tx.get(User.class, user).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                    "user '" + user + "' does not exist: create it first (users add)"));
            X509Certificate cert = record(tx, ca.issueClient(key, ClientIdentity.user(user), ttl, clock.instant()),
                    ClientIdentity.user(user), clock);
            audit.record(tx, AuditEventType.CERT_CREATE, caller.name(), Optional.empty(), identityIssued(ClientIdentity.user(user), cert));
            return signed(ca, cert);
        });
    }

    /** The fields of the {@code cert.create} event for an identity certificate (a person's or a bot's). */
    public static Map<String, Object> identityIssued(ClientIdentity holder, X509Certificate cert) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("cert_type", holder.type().wireName());
        fields.put("identity", holder.subject());
        fields.put("tls_serial", cert.getSerialNumber().toString(16));
        fields.put("valid_before", cert.getNotAfter().toInstant().toString());
        return fields;
    }

    /**
     * Records an identity certificate (a user's, or a bot's from its join) in the store, so locks by serial and
     * revocation lists can name it.
     */
    public static X509Certificate record(Tx tx, X509Certificate cert, ClientIdentity holder, Clock clock) {
        tx.record(new IssuedCertificate(IssuedCertificate.Kind.TLS, cert.getSerialNumber().toString(16), holder.subject(),
                Optional.empty(), clock.instant(), cert.getNotAfter().toInstant(), Optional.empty()));
        return cert;
    }

    /** The response for a signed certificate. */
    public static SignedCertificate signed(CertificateAuthority ca, X509Certificate cert) {
        return new SignedCertificate(Pem.encode(cert), List.of(Pem.encode(ca.certificate())),
                cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
    }
}
