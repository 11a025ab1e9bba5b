package io.jenkins.plugins.teleport.auth;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
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
import java.util.Map;
import java.util.Optional;

/**
 * The first administrator: run on the auth server's own machine against its store (as {@code tctl} does locally),
 * it ensures the {@code admin} role and user exist and signs an identity for them.
 */
public final class Bootstrap {

    /** The built-in role that may manage every resource. */
    public static final Role ADMIN_ROLE = Role.of("admin", new Role.Spec(null,
            new Role.Conditions(null, null, null, List.of(new Role.Rule(List.of("*"), List.of("*")))), null));

    /** Who the audit log names for changes bootstrap makes: it runs with the store, not as a caller of the API. */
    public static final String ACTOR = "teleport-auth bootstrap";

    private Bootstrap() {}

    public static IdentityFile adminIdentity(Store store, CertificateAuthority ca, Clock clock, String user, Duration ttl) {
        AuditLog audit = new AuditLog(store, clock);
        ClientIdentity admin = ClientIdentity.user(user);
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate cert = store.write(tx -> {
            if (tx.get(Role.class, ADMIN_ROLE.name()).isEmpty()) {
                tx.create(ADMIN_ROLE);
                audit.record(tx, AuditEventType.ROLE_CREATED, ACTOR, Optional.empty(), Map.of("kind", "role", "name", ADMIN_ROLE.name()));
            }
            User existing = tx.get(User.class, user).orElse(null);
            if (existing == null) {
                existing = tx.create(User.of(user, List.of(ADMIN_ROLE.name())));
                audit.record(tx, AuditEventType.USER_CREATE, ACTOR, Optional.empty(),
                        Map.of("kind", "user", "name", user, "roles", List.of(ADMIN_ROLE.name())));
            }
            if (!existing.spec().roles().contains(ADMIN_ROLE.name())) {
                throw new ApiException(ErrorCode.ALREADY_EXISTS, "user '" + user + "' exists without the admin role: "
                        + "choose another name for the administrator");
            }
            X509Certificate issued = UserCertificates.record(tx, ca.issueClient(key.getPublic(), admin, ttl, clock.instant()), admin, clock);
            audit.record(tx, AuditEventType.CERT_CREATE, ACTOR, Optional.empty(), UserCertificates.identityIssued(admin, issued));
            return issued;
        });
        return new IdentityFile(key.getPrivate(), cert, List.of(ca.certificate()));
    }
}
