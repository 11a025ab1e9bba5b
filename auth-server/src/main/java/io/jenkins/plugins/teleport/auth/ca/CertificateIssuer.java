package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.Release;
import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.requests.RequestWatch;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Turns an approved access request into certificates for its bot (the hot path is {@link CertificateIssuance}), takes
 * them back on release, and publishes the SSH CA keys relying parties trust ({@link RevocationLists} publishes what
 * they must refuse, built once per change).
 */
public final class CertificateIssuer {

    /** The SSH certificate extension that names the access requests, as Teleport's. */
    public static final String ACTIVE_REQUESTS_EXTENSION = "teleport-active-requests";
    /** The SSH certificate extension that marks a certificate as unable to get new ones, as Teleport's. */
    public static final String DISALLOW_REISSUE_EXTENSION = "disallow-reissue";

    private static final Pattern USAGE_KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final Store store;
    private final SshCertificateAuthority sshCa;
    private final AuditLog audit;
    private final Clock clock;
    private final RequestWatch watch;
    private final CertificateIssuance issuance;

    public CertificateIssuer(Store store, CertificateAuthority tlsCa, SshCertificateAuthority sshCa, AuditLog audit, RequestWatch watch,
                             Clock clock, Duration serverCap) {
        this.store = store;
        this.sshCa = sshCa;
        this.audit = audit;
        this.clock = clock;
        this.watch = watch;
        this.issuance = new CertificateIssuance(store, tlsCa, sshCa, audit, watch, clock, serverCap);
    }

    /**
     * Issues an SSH and an X.509 certificate bound to the request, if every condition holds now: the caller is the
     * request's bot, the request is APPROVED and unexpired, still valid under current roles, and nothing is locked
     * ({@link CertificateIssuance}, the hot path). Refusals found before signing are thrown at once; the certificates
     * come when their record is committed, and the calling request thread does not wait for that.
     */
    public CompletableFuture<IssuedCertificates> issueLater(ClientIdentity caller, IssueCertificates ask) {
        return issuance.issueLater(caller, ask);
    }

    /**
     * The request's bot gives its certificates back: every certificate issued to it for the request is revoked at
     * once (refused by this server, listed in the KRL and CRL), and a one-shot request is consumed. Releasing again
     * is harmless.
     */
    public Released release(ClientIdentity caller, String id, Release release) {
        AccessRequestLifecycle.checkId(id);
        checkUsage(release.usage());
        Released released = store.writeRetrying(tx -> {
            Instant now = clock.instant();
            AccessRequest request = find(tx, id, caller);
            AccessRequest after = AccessRequestLifecycle.release(request, caller);
            List<IssuedCertificate> revoked = tx.revokeForRequest(id, caller.subject(), now);
            boolean consumed = after != request;
            // Always a new revision, so a concurrent issuance of this request retries from a fresh read (and, for a
            // consumed one-shot request, is refused) instead of recording certificates this release missed.
            tx.update(after);
            if (!revoked.isEmpty()) {
                tx.increment(Tx.Counter.REVOCATIONS);
            }
            List<String> serials = revoked.stream().map(c -> c.kind().wireName() + ":" + c.serial()).toList();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("bot", caller.name());
            fields.put("revoked", serials);
            fields.put("consumed", consumed);
            fields.putAll(release.usage());
            audit.record(tx, AuditEventType.CERT_RELEASE, caller.name(), Optional.of(id), fields);
            return new Released(id, serials, consumed);
        });
        watch.touched(id);
        return released;
    }

    /** The SSH user CA public keys, one per line, as sshd's {@code TrustedUserCAKeys} reads them. */
    public String sshCaKeys() {
        return sshCa.publicKeyLine() + "\n";
    }

    /**
     * The request; missing, it is {@code not_found} for bots, and for people the same refusal they get for any
     * request (only bots assume requests), so people cannot probe IDs here.
     */
    static AccessRequest find(Tx tx, String id, ClientIdentity caller) {
        return tx.get(AccessRequest.class, id).orElseThrow(() -> caller.type() == ClientIdentity.Type.BOT
                ? new ApiException(ErrorCode.NOT_FOUND, "access request " + id + " does not exist")
                : new ApiException(ErrorCode.ACCESS_DENIED, "only bots assume and release access requests; " + caller + " cannot"));
    }

    static void checkUsage(Map<String, String> usage) {
        if (usage.size() > 16) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "usage has more than 16 entries");
        }
        usage.forEach((k, v) -> {
            if (!USAGE_KEY.matcher(k).matches() || v == null || v.length() > 1024) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "usage entries need lower-case names (e.g. build_url) and "
                        + "values of at most 1024 characters; '" + k + "' is not one");
            }
            if (List.of("bot", "roles", "principals", "ssh_serial", "tls_serial", "valid_after", "valid_before", "revoked",
                    "consumed").contains(k)) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "usage entry '" + k + "' is reserved");
            }
        });
    }
}
