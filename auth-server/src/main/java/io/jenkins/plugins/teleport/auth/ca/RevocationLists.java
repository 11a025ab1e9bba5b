package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import io.jenkins.plugins.teleport.auth.store.Tx.CertificateQuery;
import io.jenkins.plugins.teleport.auth.store.Tx.Counter;
import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The published OpenSSH KRL and X.509 CRL of revoked and locked certificates. Each is built once per change to
 * what is revoked (the store's {@code revocations} counter, bumped by releases and lock changes) and again when it
 * is {@link #REFRESH} old, never per request; each build takes the next number from the store's
 * {@code revocation_lists} counter, so KRL versions and CRL numbers increase across every server on one store.
 */
public final class RevocationLists {

    /** How long a CRL says it is valid for (its nextUpdate). */
    public static final Duration CRL_VALIDITY = Duration.ofHours(1);
    /**
     * A list is rebuilt at least this often even when nothing changed, so certificates that expired (or whose lock
     * expired) drop out and the CRL is replaced well before its nextUpdate.
     */
    public static final Duration REFRESH = Duration.ofMinutes(10);

    private final Store store;
    private final CertificateAuthority tlsCa;
    private final SshCertificateAuthority sshCa;
    private final Clock clock;
    private final Cached<byte[]> krl = new Cached<>();
    private final Cached<X509CRL> crl = new Cached<>();

    public RevocationLists(Store store, CertificateAuthority tlsCa, SshCertificateAuthority sshCa, Clock clock) {
        this.store = store;
        this.tlsCa = tlsCa;
        this.sshCa = sshCa;
        this.clock = clock;
    }

    /** The OpenSSH KRL ({@code RevokedKeys}) of revoked and locked SSH certificates that have not expired. */
    public byte[] krl() {
        return krl.get(content -> Krl.encode(sshCa.publicKeyBlob(), content.entries().stream()
                        .map(c -> Long.parseLong(c.serial())).toList(), content.number(), content.at(),
                "revoked certificates of " + sshCa.publicKeyLine()),
                IssuedCertificate.Kind.SSH);
    }

    /** The X.509 CRL of revoked and locked client certificates that have not expired. */
    public X509CRL crl() {
        return crl.get(content -> {
            Map<BigInteger, Instant> entries = new LinkedHashMap<>();
            content.entries().forEach(c -> entries.put(new BigInteger(c.serial(), 16), c.revokedAt().orElse(content.at())));
            return tlsCa.crl(entries, BigInteger.valueOf(content.number()), content.at(), CRL_VALIDITY);
        }, IssuedCertificate.Kind.TLS);
    }

    /** What one list is built from: its number, the instant, and the withdrawn certificates of its kind. */
    private record Content(long number, Instant at, List<IssuedCertificate> entries) {}

    /** The last list built, with the {@code revocations} counter it reflects. */
    private final class Cached<T> {
        private long generation = -1;
        private Instant builtAt = Instant.MIN;
        private T list;

        synchronized T get(Function<Content, T> build, IssuedCertificate.Kind kind) {
            Instant now = clock.instant();
            long current = store.read(tx -> tx.counter(Counter.REVOCATIONS));
            if (list == null || current != generation || !now.isBefore(builtAt.plus(REFRESH))) {
                record Snapshot(long generation, Content content) {}
                Snapshot s = store.write(tx -> new Snapshot(tx.counter(Counter.REVOCATIONS),
                        new Content(tx.increment(Counter.REVOCATION_LISTS), now, withdrawn(tx, kind, now))));
                list = build.apply(s.content());
                generation = s.generation();
                builtAt = now;
            }
            return list;
        }
    }

    /** Revoked certificates, and certificates a lock in force matches, of one kind, that have not expired. */
    static List<IssuedCertificate> withdrawn(Tx tx, IssuedCertificate.Kind kind, Instant now) {
        Set<IssuedCertificate> out = new LinkedHashSet<>(tx.certificates(kind, CertificateQuery.revokedOnes(), now));
        for (Lock lock : tx.list(Lock.class)) {
            if (!LockRules.inForce(lock, now)) {
                continue;
            }
            Lock.Target t = lock.spec().target();
            CertificateQuery query = !t.serial().isEmpty() ? CertificateQuery.ofSerial(t.serial())
                    : !t.accessRequest().isEmpty() ? CertificateQuery.ofRequest(t.accessRequest())
                    : !t.bot().isEmpty() ? CertificateQuery.ofSubject(ClientIdentity.bot(t.bot()).subject())
                    : CertificateQuery.ofSubject(ClientIdentity.user(t.user()).subject());
            for (IssuedCertificate c : tx.certificates(kind, query, now)) {
                ClientIdentity holder = subjectOf(c);
                if (LockRules.matches(t, LockRules.Subject.of(holder, c.requestId().stream().toList(), List.of(c.serial())))) {
                    out.add(c);
                }
            }
        }
        return List.copyOf(out);
    }

    private static ClientIdentity subjectOf(IssuedCertificate c) {
        String[] parts = c.subject().split(":", 2);
        return parts[0].equals("bot") ? ClientIdentity.bot(parts[1]) : ClientIdentity.user(parts[1]);
    }
}
