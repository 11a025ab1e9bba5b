package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.Stages;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The issuance hot path ({@code POST /v1/certs}): an approved access request turned into an SSH and an X.509
 * certificate for its bot. The keys are read and both certificates signed outside the store's write transaction
 * (signing is the CPU work, and SQLite has one writer); one transaction then checks everything again, claims the
 * request (compare-and-swap on its revision that also holds only while the bot and the roles decided by are stored as
 * read) and records both certificates and the {@code cert.create} audit event with it, then reads the locks.
 * {@link CertificateIssuer} is its entry point.
 */
final class CertificateIssuance {

    private final Store store;
    private final CertificateAuthority tlsCa;
    private final SshCertificateAuthority sshCa;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration serverCap;
    private final RequestWatch watch;
    private final SerialNumbers serials;

    CertificateIssuance(Store store, CertificateAuthority tlsCa, SshCertificateAuthority sshCa, AuditLog audit, RequestWatch watch,
                        Clock clock, Duration serverCap) {
        this.store = store;
        this.tlsCa = tlsCa;
        this.sshCa = sshCa;
        this.audit = audit;
        this.clock = clock;
        this.serverCap = serverCap;
        this.watch = watch;
        this.serials = new SerialNumbers(store);
    }

    /**
     * Issues an SSH and an X.509 certificate bound to the request, if every condition holds now: the caller is the
     * request's bot, the request is APPROVED and unexpired, still valid under current roles, and nothing is locked.
     * Refusals found before signing are thrown at once. The calling thread reads, checks and signs, then hands the
     * record to the store and returns; the stage completes once the record is committed. A request thread is not held
     * while SQLite's writer commits (which kept the cores idle with every request thread waiting for a commit).
     */
    CompletableFuture<IssuedCertificates> issueLater(ClientIdentity caller, IssueCertificates ask) {
        String id = ask.accessRequestId() == null ? "" : ask.accessRequestId();
        AccessRequestLifecycle.checkId(id);
        PublicKey sshKey;
        try {
            sshKey = SshCertificateAuthority.parsePublicKey(ask.sshPublicKey() == null ? "" : ask.sshPublicKey());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ssh_public_key: " + e.getMessage());
        }
        SubjectPublicKeyInfo tlsKey = Pem.clientPublicKeyInfo(ask.tlsPublicKey() == null ? "" : ask.tlsPublicKey(), "tls_public_key");
        CertificateIssuer.checkUsage(ask.usage());
        return issue(caller, ask, id, sshKey, tlsKey, true);
    }

    /**
     * {@link #issueLater} of checked input. With {@code fromRecent} the grant is decided from the bot and roles as this
     * server last read them ({@link Store#readRecent}), and a refusal from them is decided again from the store; if the
     * write then finds that what was signed no longer follows from what is stored, the issuance is decided and signed
     * once more from the store instead of refused (the rows remembered may have been older than a change made elsewhere).
     */
    private CompletableFuture<IssuedCertificates> issue(ClientIdentity caller, IssueCertificates ask, String id, PublicKey sshKey,
                                                        SubjectPublicKeyInfo tlsKey, boolean fromRecent) {
        // Decide and sign outside the store's write transaction (signing is the CPU work, and SQLite has one writer),
        // then record in one transaction that checks again, so a release or lock in between wins.
        // Locks are not read here: the caller's authentication read them a moment ago, and the transaction below reads
        // them again, so a lock made in between (on the bot or on this request) still refuses the issuance, after
        // signing instead of before.
        Instant now = clock.instant();
        Grant grant = decide(caller, id, now, fromRecent);
        Terms terms = terms(grant, now, ask);
        List<String> principals = terms.principals();
        Instant notBefore = now.minus(CertificatePolicy.BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = terms.notAfter();
        long sshSerial = serials.next();
        BigInteger tlsSerial = SerialNumbers.x509(sshSerial);
        Map<String, String> extensions = new TreeMap<>(terms.permits());
        extensions.put(CertificateIssuer.ACTIVE_REQUESTS_EXTENSION, "{\"access_requests\":[\"" + id + "\"]}");
        extensions.put(CertificateIssuer.DISALLOW_REISSUE_EXTENSION, "");
        String keyId = "bot:" + caller.name() + " request:" + id + " serial:" + sshSerial;
        OpenSshCertificate ssh = sshCa.sign(sshKey, sshSerial, keyId, principals, notBefore, notAfter, extensions);
        String tls = Pem.certificate(tlsCa.issueClientDer(tlsKey, caller, List.of(id), tlsSerial, notBefore, notAfter));
        String tlsSerialHex = tlsSerial.toString(16);
        String sshText = SshCertificateAuthority.encode(ssh);

        // The request's update and the audit event are encoded here, not by SQLite's one writer. They hold if the
        // request is still at the revision read above (any change to it bumps the revision); else the writer encodes
        // them again from what it reads.
        Signed signed = new Signed(principals, sshSerial, tlsSerialHex, notBefore, notAfter);
        Written ahead = written(grant.request(), now, ask, caller, signed);
        List<IssuedCertificate> certificates = List.of(
                new IssuedCertificate(IssuedCertificate.Kind.SSH, Long.toString(sshSerial), caller.subject(), Optional.of(id), now,
                        notAfter, Optional.empty(), ask.usage()),
                new IssuedCertificate(IssuedCertificate.Kind.TLS, tlsSerialHex, caller.subject(), Optional.of(id), now,
                        notAfter, Optional.empty(), ask.usage()));
        return store.writeRetryingLater(tx -> {
            Instant at = clock.instant();
            // Every issuance updates the request (compare-and-swap on its revision), so issuances and releases of one
            // request serialize on both stores, and the first issuance of a one-shot request claims it: a concurrent
            // second one loses the swap, reads again and is refused. The swap comes first: when it holds, the request is
            // the one read before signing and need not be read again.
            // The swap also holds only while the bot and the roles the grant was decided by are stored as read, so then
            // the decision stands as made and only its time is checked again (the request may have expired since).
            // The certificates and the event are written with the swap and the locks read after it (on PostgreSQL in the
            // same statement); a refusal below undoes them with the rest of the transaction.
            LockRules.Subject subject = LockRules.Subject.of(caller, List.of(id), List.of());
            Optional<List<Lock>> locks = tx.updateIfUnchangedThenRecord(ahead.request(), grant.decidedBy(), certificates, ahead.event());
            if (locks.isPresent()) {
                grant.check(caller, at);
                LockRules.check(locks.get(), subject, at);
                return null;
            }
            // Changed since it was read (a review, a release, another issuance, a role or the bot edited) or gone:
            // decided again from what is stored now, and swapped again (a conflict then retries the whole transaction).
            AccessRequest request = CertificateIssuer.find(tx, id, caller);
            if (!terms(grant(tx, caller, request, at), now, ask).equals(terms)) {
                if (fromRecent) {
                    throw new DecidedFromOlderRows();
                }
                // A role or the request was edited so that what was signed no longer follows from what is stored.
                throw new ApiException(ErrorCode.ACCESS_DENIED, "the roles of request " + id + " changed while its "
                        + "certificates were signed (their principals, lifetime or permissions would differ now): ask again");
            }
            Written written = written(request, now, ask, caller, signed);
            tx.update(written.request());
            LockRules.check(tx.list(Lock.class), subject, at);
            tx.record(certificates);
            tx.append(written.event());
            return null;
        }).thenApply(committed -> {
            // On the store's writer thread for SQLite: only what must follow the commit, and short.
            watch.touched(id);
            return new IssuedCertificates(id, sshText, Long.toString(sshSerial), List.of(sshCa.publicKeyLine()), principals,
                    tls, tlsSerialHex, List.of(tlsCa.certificatePem()), notBefore, notAfter);
        }).exceptionallyCompose(failure -> {
            Throwable cause = Stages.cause(failure);
            if (cause instanceof DecidedFromOlderRows) {
                // Off the store's writer thread (SQLite completes the stage there): signing again is a request's work.
                return CompletableFuture.supplyAsync(() -> issue(caller, ask, id, sshKey, tlsKey, false)).thenCompose(again -> again);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** The grant of {@code id} to {@code caller}: from rows as last read if {@code fromRecent}, a refusal from the store. */
    private Grant decide(ClientIdentity caller, String id, Instant now, boolean fromRecent) {
        Store.Work<Grant> decision = tx -> grant(tx, caller, CertificateIssuer.find(tx, id, caller), now);
        if (fromRecent) {
            try {
                return store.readRecent(decision);
            } catch (ApiException refused) {
                // Decided again from what is stored now: the rows remembered may be older than a change made elsewhere.
            }
        }
        return store.read(decision);
    }

    /** The write found that the certificates, signed from rows as last read, no longer follow from what is stored. */
    private static final class DecidedFromOlderRows extends RuntimeException {
        DecidedFromOlderRows() {
            super("decided from rows older than the store's", null, false, false);
        }
    }

    /** What the certificates say that the roles decide: the SSH principals, the expiry, the SSH permissions. */
    private record Terms(List<String> principals, Instant notAfter, Map<String, String> permits) {}

    private Terms terms(Grant grant, Instant now, IssueCertificates ask) {
        return new Terms(CertificatePolicy.principals(grant.roles()),
                CertificatePolicy.notAfter(now, ask.ttl(), grant.request().spec().maxDuration(), grant.roles(), serverCap)
                        .truncatedTo(ChronoUnit.SECONDS),
                CertificatePolicy.permits(grant.requestedRoles()));
    }

    /** What the two certificates say that the audit event records: principals, serials, validity. */
    private record Signed(List<String> principals, long sshSerial, String tlsSerialHex, Instant notBefore, Instant notAfter) {}

    /** What an issuance writes besides its certificates: the request, assumed, and the {@code cert.create} event. */
    private record Written(Tx.Encoded<AccessRequest> request, Tx.Encoded<AuditEvent> event) {}

    private Written written(AccessRequest request, Instant now, IssueCertificates ask, ClientIdentity caller, Signed signed) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("bot", caller.name());
        fields.put("roles", request.spec().roles());
        fields.put("principals", signed.principals());
        fields.put("ssh_serial", Long.toString(signed.sshSerial()));
        fields.put("tls_serial", signed.tlsSerialHex());
        fields.put("valid_after", signed.notBefore().toString());
        fields.put("valid_before", signed.notAfter().toString());
        fields.putAll(ask.usage());
        AuditEvent event = audit.event(AuditEventType.CERT_CREATE, caller.name(), Optional.of(request.metadata().name()), fields);
        return new Written(Tx.Encoded.update(request.withSpec(request.spec().assumedAt(now.truncatedTo(ChronoUnit.SECONDS), ask.usage()))),
                Tx.Encoded.event(event));
    }

    /**
     * The request, checked as assumable by the caller; its bot's roles and the requested roles that exist (whose options
     * decide the SSH permissions); and everything the decision was read from, as read: the bot, those roles, and the
     * names of the roles that were not stored. The issuance's transaction writes only while all of that is still stored
     * as read ({@link Tx#updateIfUnchanged(Tx.Encoded, List)}), and then need not read it again.
     */
    private record Grant(AccessRequest request, RoleSet botRoles, List<Role> requestedRoles, List<Tx.AsRead> decidedBy) {

        /** The roles the certificates' lifetime and principals are decided by: the bot's, then the requested ones. */
        List<Role> roles() {
            List<Role> roles = new ArrayList<>(botRoles.roles());
            roles.addAll(requestedRoles);
            return roles;
        }

        /** Refuses unless the request is assumable by {@code caller} at {@code now}, from what was read. */
        void check(ClientIdentity caller, Instant now) {
            Set<String> existing = new LinkedHashSet<>();
            requestedRoles.forEach(r -> existing.add(r.name()));
            AccessRequestLifecycle.checkAssumable(request, caller, botRoles, existing, now);
        }
    }

    /** {@link Grant} of {@code request}: the caller's bot or user, then its roles and the requested ones in one read. */
    private static Grant grant(Tx tx, ClientIdentity caller, AccessRequest request, Instant now) {
        Access.Holder holder = Access.holderOf(tx, caller);
        Set<String> names = new LinkedHashSet<>(holder.roleNames());
        names.addAll(request.spec().roles());
        Map<String, Role> stored = new HashMap<>();
        for (Role role : tx.getAll(Role.class, List.copyOf(names))) {
            stored.put(role.name(), role);
        }
        List<Tx.AsRead> decidedBy = new ArrayList<>();
        decidedBy.add(tx.asRead(holder.resource()));
        for (String name : names) {
            Role role = stored.get(name);
            decidedBy.add(role == null ? Tx.AsRead.absent(Role.class, name) : tx.asRead(role));
        }
        RoleSet botRoles = new RoleSet(holder.roleNames().stream().map(stored::get).filter(Objects::nonNull).toList());
        List<Role> requested = request.spec().roles().stream().distinct().map(stored::get).filter(Objects::nonNull).toList();
        Grant grant = new Grant(request, botRoles, requested, List.copyOf(decidedBy));
        grant.check(caller, now);
        return grant;
    }
}
