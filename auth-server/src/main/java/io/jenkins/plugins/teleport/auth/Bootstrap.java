package io.jenkins.plugins.teleport.auth;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.UserCertificates;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The first administrator: run on the auth server's own machine against its store (as {@code tctl} does locally),
 * it ensures the {@code admin} role and user exist and signs an identity for them.
 */
public final class Bootstrap {

    /** The built-in role that may manage every resource. */
    public static final Role ADMIN_ROLE = Role.of("admin", new Role.Spec(null,
            new Role.Conditions(null, null, null, List.of(new Role.Rule(List.of("*"), List.of("*")))), null));

    private Bootstrap() {}

    public static IdentityFile adminIdentity(Store store, CertificateAuthority ca, Clock clock, String user, Duration ttl) {
        store.write(tx -> {
            if (tx.get(Role.class, ADMIN_ROLE.name()).isEmpty()) {
                tx.create(ADMIN_ROLE);
            }
            User existing = tx.get(User.class, user).orElseGet(() -> tx.create(User.of(user, List.of(ADMIN_ROLE.name()))));
            if (!existing.spec().roles().contains(ADMIN_ROLE.name())) {
                throw new ApiException(ErrorCode.ALREADY_EXISTS, "user '" + user + "' exists without the admin role: "
                        + "choose another name for the administrator");
            }
            return null;
        });
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate cert = store.write(tx -> UserCertificates.record(tx,
                ca.issueClient(key.getPublic(), ClientIdentity.user(user), ttl, clock.instant()), ClientIdentity.user(user), clock));
        return new IdentityFile(key.getPrivate(), cert, List.of(ca.certificate()));
    }
}
