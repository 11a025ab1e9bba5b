package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.UserCertRequest;
import io.jenkins.plugins.teleport.api.Messages.UserCertResponse;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Signs client certificates for people, for public keys they made themselves (the server never sees the private key). */
public final class UserCertificates {

    public static final Duration DEFAULT_TTL = Duration.ofHours(12);
    public static final Duration MAX_TTL = Duration.ofDays(7);

    private final Store store;
    private final CertificateAuthority ca;
    private final Clock clock;

    public UserCertificates(Store store, CertificateAuthority ca, Clock clock) {
        this.store = store;
        this.ca = ca;
        this.clock = clock;
    }

    /** Issues {@code user}'s client certificate; the caller needs the right to create users. */
    public UserCertResponse issue(ClientIdentity caller, String user, UserCertRequest request) {
        store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "user", Verb.CREATE);
            return tx.get(User.class, user).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                    "user '" + user + "' does not exist: create it first (users add)"));
        });
        Duration ttl = request.ttl().orElse(DEFAULT_TTL);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ttl must be between 1s and " + MAX_TTL.toDays() + " days");
        }
        PublicKey key;
        try {
            key = Pem.publicKey(request.publicKey() == null ? "" : request.publicKey());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "public_key must be a PEM 'PUBLIC KEY' block: " + e.getMessage());
        }
        return signed(ca, ca.issueClient(key, ClientIdentity.user(user), ttl, clock.instant()));
    }

    /** The response for a signed certificate. */
    public static UserCertResponse signed(CertificateAuthority ca, X509Certificate cert) {
        return new UserCertResponse(Pem.encode(cert), List.of(Pem.encode(ca.certificate())),
                cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
    }
}
