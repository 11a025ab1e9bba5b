package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

/**
 * The X.509 CA's issuance path (one initialised signer per thread, extensions encoded once, the DER handed out as
 * PEM without being parsed back): what it signs is a well-formed certificate the JDK verifies against the CA, with
 * the client key, the request, the validity and the extensions asked for, whichever thread signed it.
 */
class CertificateSigningTest {

    private final CertificateAuthority ca = CertificateAuthority.generate("signing-test", Clock.systemUTC());

    @Test
    void certificatesSignedOnManyThreadsAtOnceEachVerifyAgainstTheCa() throws Exception {
        Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plusSeconds(600);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<X509Certificate>> signed = new ArrayList<>();
        List<KeyPair> keys = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            KeyPair key = CertificateAuthority.newKeyPair();
            keys.add(key);
            String request = "2f4c8d0e-0000-4000-8000-" + String.format("%012d", i);
            BigInteger serial = BigInteger.valueOf(1000 + i);
            signed.add(pool.submit(() -> parse(Pem.certificate(ca.issueClientDer(
                    SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()), ClientIdentity.bot("builder"),
                    List.of(request), serial, notBefore, notAfter)))));
        }
        for (int i = 0; i < signed.size(); i++) {
            X509Certificate cert = signed.get(i).get();
            cert.verify(ca.certificate().getPublicKey()); // throws unless the CA's signature is good
            assertArrayEquals(keys.get(i).getPublic().getEncoded(), cert.getPublicKey().getEncoded());
            assertEquals(BigInteger.valueOf(1000 + i), cert.getSerialNumber());
            assertEquals(List.of("2f4c8d0e-0000-4000-8000-" + String.format("%012d", i)), ClientIdentity.requestIds(cert));
            assertEquals(notBefore, cert.getNotBefore().toInstant());
            assertEquals(notAfter, cert.getNotAfter().toInstant());
            assertEquals(ca.certificate().getSubjectX500Principal(), cert.getIssuerX500Principal());
            assertEquals(-1, cert.getBasicConstraints(), "a leaf, not a CA");
            assertTrue(cert.getKeyUsage()[0], "digitalSignature");
            assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
            assertTrue(cert.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")));
            assertTrue(cert.getNonCriticalExtensionOIDs().contains("2.5.29.35"), "authority key identifier");
        }
        pool.shutdown();
    }

    @Test
    void theIssuancePathAndTheGeneralPathSignTheSameCertificate() throws Exception {
        // The issuance path puts the certificate's DER together from the bytes it signed; the general path is
        // BouncyCastle's builder. What is signed must be the same, byte for byte, for each kind of subject.
        for (ClientIdentity identity : List.of(ClientIdentity.bot("b"),
                ClientIdentity.jenkinsBot("jenkins-ci", new ClientIdentity.Jenkins("folder/deploy", "main")))) {
            KeyPair key = CertificateAuthority.newKeyPair();
            Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant notAfter = notBefore.plusSeconds(60);
            X509Certificate general = ca.issueClient(key.getPublic(), identity, List.of("r1"), BigInteger.TEN, notBefore, notAfter);
            X509Certificate hot = parse(Pem.certificate(ca.issueClientDer(SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
                    identity, List.of("r1"), BigInteger.TEN, notBefore, notAfter)));
            // ECDSA signatures differ (random k); everything signed is the same.
            assertArrayEquals(general.getTBSCertificate(), hot.getTBSCertificate());
            assertEquals(general.getSigAlgOID(), hot.getSigAlgOID());
            hot.verify(ca.certificate().getPublicKey());
            assertEquals(Pem.encode(hot), Pem.certificate(hot.getEncoded()));
        }
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
                pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
