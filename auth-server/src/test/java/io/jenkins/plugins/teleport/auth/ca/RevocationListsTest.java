package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.JdbcStore;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import io.jenkins.plugins.teleport.auth.testing.TestClock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published KRL and CRL are built once per change to what is revoked, not per request: an unauthenticated
 * {@code GET} between changes signs nothing (it would otherwise be a cheap way to burn the server's CPU), a release
 * makes the next read build a new, higher-numbered list that names the certificate, and a list is rebuilt after
 * {@link RevocationLists#REFRESH} even without a change.
 */
class RevocationListsTest {

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private Store store;
    private RevocationLists lists;

    @BeforeEach
    void setUp() {
        store = JdbcStore.sqlite(dir.resolve("auth.db"), clock);
        lists = new RevocationLists(store, CertificateAuthority.generate("lists", clock), SshCertificateAuthority.generate("lists"),
                clock);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void readsBetweenChangesAnswerTheListAlreadyBuilt() {
        X509CRL crl = lists.crl();
        byte[] krl = lists.krl();
        for (int i = 0; i < 20; i++) {
            assertSame(crl, lists.crl());
            assertSame(krl, lists.krl());
        }
    }

    @Test
    void aRevocationMakesTheNextReadBuildAHigherNumberedListNamingIt() throws Exception {
        X509CRL before = lists.crl();
        BigInteger serial = new BigInteger("4a3f", 16);
        Instant now = clock.instant();
        store.write(tx -> {
            tx.record(new IssuedCertificate(IssuedCertificate.Kind.TLS, serial.toString(16), "bot:b", Optional.of("r1"), now,
                    now.plus(Duration.ofMinutes(10)), Optional.empty()));
            tx.revokeForRequest("r1", "bot:b", now);
            tx.increment(Tx.Counter.REVOCATIONS);
            return null;
        });
        X509CRL after = lists.crl();
        assertNull(before.getRevokedCertificate(serial));
        assertNotNull(after.getRevokedCertificate(serial));
        assertTrue(number(after).compareTo(number(before)) > 0, number(before) + " then " + number(after));
        assertSame(after, lists.crl());
    }

    @Test
    void anUnchangedListIsRebuiltOnceItIsRefreshOld() throws Exception {
        X509CRL first = lists.crl();
        byte[] krl = lists.krl();
        clock.advance(RevocationLists.REFRESH.minusSeconds(1));
        assertSame(first, lists.crl());
        clock.advance(Duration.ofSeconds(1));
        X509CRL refreshed = lists.crl();
        assertTrue(number(refreshed).compareTo(number(first)) > 0);
        assertTrue(refreshed.getNextUpdate().after(first.getNextUpdate()));
        byte[] newKrl = lists.krl();
        assertTrue(newKrl != krl);
        assertArrayEquals(newKrl, lists.krl());
    }

    private static BigInteger number(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
    }
}
