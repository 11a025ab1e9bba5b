package io.jenkins.plugins.teleport.auth.rbac;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who a client certificate (already verified by TLS against the cluster CA) belongs to, refusing it at once when
 * it was revoked (released) or a lock in force matches its holder, its access requests or its serial; and where a
 * request-bound certificate may act (only on its own request).
 */
public final class Authenticator {

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    public Authenticator(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public ClientIdentity authenticate(X509Certificate cert) {
        ClientIdentity identity = ClientIdentity.of(cert).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                "the client certificate names no user or bot of this cluster"));
        String serial = cert.getSerialNumber().toString(16);
        List<String> requestIds = identity.requestIds();
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

    /**
     * Admits {@code identity} to a call. Identities a bot joined with and people's identities are admitted
     * everywhere their roles allow. A request-bound identity (Teleport's DisallowReissue) only to calls about its
     * own request ({@code ownRequest}: reading it, releasing it); anywhere else it is refused, and the refusal is
     * audited, so that a build that tries to use its certificate beyond its request leaves a trace.
     */
    public ClientIdentity admit(ClientIdentity identity, Optional<String> ownRequest, String method, String path) {
        if (!identity.isRequestBound() || ownRequest.filter(identity.requestIds()::contains).isPresent()) {
            return identity;
        }
        String reason = identity + " may only read and release its own access request (certificates bound to a request "
                + "cannot issue or act elsewhere): " + method + " " + path + " needs the bot's join identity";
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", method);
        fields.put("path", path);
        fields.put("bound_requests", identity.requestIds());
        fields.put("reason", reason);
        store.write(tx -> {
            audit.record(tx, AuditEventType.REQUEST_IDENTITY_DENIED, identity.name(),
                    identity.requestIds().stream().findFirst(), fields);
            return null;
        });
        throw new ApiException(ErrorCode.ACCESS_DENIED, reason);
    }
}
