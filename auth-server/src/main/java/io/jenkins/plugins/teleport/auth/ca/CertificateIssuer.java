package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.Release;
import io.jenkins.plugins.teleport.api.Messages.Released;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.requests.RequestWatch;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Turns an approved access request into certificates for its bot, takes them back on release, and publishes the SSH
 * CA keys relying parties trust ({@link RevocationLists} publishes what they must refuse).
 */
public final class CertificateIssuer {

    /** The SSH certificate extension that names the access requests, as Teleport's. */
    public static final String ACTIVE_REQUESTS_EXTENSION = "teleport-active-requests";
    /** The SSH certificate extension that marks a certificate as unable to get new ones, as Teleport's. */
    public static final String DISALLOW_REISSUE_EXTENSION = "disallow-reissue";

    private static final Pattern USAGE_KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final CertificateAuthority tlsCa;
    private final SshCertificateAuthority sshCa;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration serverCap;
    private final RequestWatch watch;

    public CertificateIssuer(Store store, CertificateAuthority tlsCa, SshCertificateAuthority sshCa, AuditLog audit, RequestWatch watch,
                             Clock clock, Duration serverCap) {
        this.store = store;
        this.tlsCa = tlsCa;
        this.sshCa = sshCa;
        this.audit = audit;
        this.clock = clock;
        this.serverCap = serverCap;
        this.watch = watch;
    }

    /**
     * Issues an SSH and an X.509 certificate bound to the request, if every condition holds now: the caller is the
     * request's bot, the request is APPROVED and unexpired, still valid under current roles, and nothing is locked.
     */
    public IssuedCertificates issue(ClientIdentity caller, IssueCertificates ask) {
        String id = ask.accessRequestId() == null ? "" : ask.accessRequestId();
        AccessRequestLifecycle.checkId(id);
        PublicKey sshKey;
        try {
            sshKey = SshCertificateAuthority.parsePublicKey(ask.sshPublicKey() == null ? "" : ask.sshPublicKey());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ssh_public_key: " + e.getMessage());
        }
        SubjectPublicKeyInfo tlsKey = Pem.clientPublicKeyInfo(ask.tlsPublicKey() == null ? "" : ask.tlsPublicKey(), "tls_public_key");
        checkUsage(ask.usage());

        // Decide and sign outside the store's write transaction (signing is the CPU work, and SQLite has one writer),
        // then record in one transaction that checks again, so a release or lock in between wins.
        Instant now = clock.instant();
        Grant grant = store.read(tx -> grant(tx, caller, id, now));
        List<String> principals = CertificatePolicy.principals(grant.roles());
        Instant notBefore = now.minus(CertificatePolicy.BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = CertificatePolicy.notAfter(now, ask.ttl(), grant.request().spec().maxDuration(), grant.roles(), serverCap)
                .truncatedTo(ChronoUnit.SECONDS);
        long sshSerial = RANDOM.nextLong() & Long.MAX_VALUE;
        BigInteger tlsSerial = CertificateAuthority.newSerial();
        Map<String, String> extensions = new TreeMap<>(CertificatePolicy.permits(grant.requestedRoles()));
        extensions.put(ACTIVE_REQUESTS_EXTENSION, "{\"access_requests\":[\"" + id + "\"]}");
        extensions.put(DISALLOW_REISSUE_EXTENSION, "");
        String keyId = "bot:" + caller.name() + " request:" + id + " serial:" + sshSerial;
        OpenSshCertificate ssh = sshCa.sign(sshKey, sshSerial, keyId, principals, notBefore, notAfter, extensions);
        String tls = Pem.certificate(tlsCa.issueClientDer(tlsKey, caller, List.of(id), tlsSerial, notBefore, notAfter));
        String tlsSerialHex = tlsSerial.toString(16);

        store.writeRetrying(tx -> {
            AccessRequest request = grant(tx, caller, id, clock.instant()).request();
            // Every issuance updates the request (compare-and-swap on its revision), so issuances and releases of one
            // request serialize on both stores, and the first issuance of a one-shot request claims it: a concurrent
            // second one loses the swap, reads again and is refused.
            tx.update(request.withSpec(request.spec().assumedAt(now.truncatedTo(ChronoUnit.SECONDS), ask.usage())));
            tx.record(new IssuedCertificate(IssuedCertificate.Kind.SSH, Long.toString(sshSerial), caller.subject(),
                    Optional.of(id), now, notAfter, Optional.empty(), ask.usage()));
            tx.record(new IssuedCertificate(IssuedCertificate.Kind.TLS, tlsSerialHex, caller.subject(), Optional.of(id), now,
                    notAfter, Optional.empty(), ask.usage()));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("bot", caller.name());
            fields.put("roles", request.spec().roles());
            fields.put("principals", principals);
            fields.put("ssh_serial", Long.toString(sshSerial));
            fields.put("tls_serial", tlsSerialHex);
            fields.put("valid_after", notBefore.toString());
            fields.put("valid_before", notAfter.toString());
            fields.putAll(ask.usage());
            audit.record(tx, AuditEventType.CERT_CREATE, caller.name(), Optional.of(id), fields);
            return null;
        });
        watch.touched(id);
        return new IssuedCertificates(id, SshCertificateAuthority.encode(ssh), Long.toString(sshSerial),
                List.of(sshCa.publicKeyLine()), principals, tls, tlsSerialHex,
                List.of(tlsCa.certificatePem()), notBefore, notAfter);
    }

    /**
     * The request, checked as assumable by {@code caller} now; the roles its certificates' lifetime and principals
     * are decided by (the bot's and the requested ones); and the requested roles, whose options decide the SSH
     * permissions.
     */
    private record Grant(AccessRequest request, List<Role> roles, List<Role> requestedRoles) {}

    private static Grant grant(Tx tx, ClientIdentity caller, String id, Instant now) {
        AccessRequest request = find(tx, id, caller);
        RoleSet botRoles = Access.rolesOf(tx, caller);
        Map<String, Role> requested = new LinkedHashMap<>();
        for (String name : request.spec().roles()) {
            tx.get(Role.class, name).ifPresent(r -> requested.put(name, r));
        }
        AccessRequestLifecycle.checkAssumable(request, caller, botRoles, requested.keySet(), now);
        LockRules.check(tx.list(Lock.class), LockRules.Subject.of(caller, List.of(id), List.of()), now);
        List<Role> roles = new ArrayList<>(botRoles.roles());
        roles.addAll(requested.values());
        return new Grant(request, roles, List.copyOf(requested.values()));
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
    private static AccessRequest find(Tx tx, String id, ClientIdentity caller) {
        return tx.get(AccessRequest.class, id).orElseThrow(() -> caller.type() == ClientIdentity.Type.BOT
                ? new ApiException(ErrorCode.NOT_FOUND, "access request " + id + " does not exist")
                : new ApiException(ErrorCode.ACCESS_DENIED, "only bots assume and release access requests; " + caller + " cannot"));
    }

    private static void checkUsage(Map<String, String> usage) {
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
