package io.jenkins.plugins.teleport.auth.rbac;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

/**
 * Who a client certificate (already verified by TLS against the cluster CA) belongs to, refusing it at once when
 * it was revoked (released) or a lock in force matches its holder, its access requests or its serial.
 */
public final class Authenticator {

    private final Store store;
    private final Clock clock;

    public Authenticator(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public ClientIdentity authenticate(X509Certificate cert) {
        ClientIdentity identity = ClientIdentity.of(cert).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                "the client certificate names no user or bot of this cluster"));
        String serial = cert.getSerialNumber().toString(16);
        List<String> requestIds = ClientIdentity.requestIds(cert);
        store.read(tx -> {
            if (tx.certificate(IssuedCertificate.Kind.TLS, serial).filter(IssuedCertificate::isRevoked).isPresent()) {
                throw new ApiException(ErrorCode.UNAUTHENTICATED, "certificate " + serial + " was revoked"
                        + (requestIds.isEmpty() ? "" : " when access request " + requestIds.get(0) + " was released")
                        + ": get a new one");
            }
            LockRules.check(tx.list(Lock.class), LockRules.Subject.of(identity, requestIds, List.of(serial)), clock.instant());
            return null;
        });
        return identity;
    }
}
