package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.CaPin;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's X.509 certificate authority (ECDSA P-256): signs the API's server certificate and the
 * client certificates that authenticate every API call. Signing uses BouncyCastle.
 */
public final class CertificateAuthority {

    /** The store name of this authority. */
    public static final String NAME = "tls";

    /** The subject attribute that carries access request IDs (Teleport's). */
    public static final String ACCESS_REQUESTS_OID = "1.3.9999.2.8";

    static final ASN1ObjectIdentifier ACCESS_REQUESTS = new ASN1ObjectIdentifier(ACCESS_REQUESTS_OID);
    /** The subject attribute that marks a certificate as unable to get new certificates (Teleport's DisallowReissue). */
    public static final String DISALLOW_REISSUE_OID = "1.3.9999.2.9";
    static final ASN1ObjectIdentifier DISALLOW_REISSUE = new ASN1ObjectIdentifier(DISALLOW_REISSUE_OID);
    /**
     * The subject attributes that name the Jenkins job and branch a bot joined for (this project's, not Teleport's:
     * Teleport keeps join attributes elsewhere).
     */
    public static final String JENKINS_JOB_OID = "1.3.9999.2.100";
    public static final String JENKINS_BRANCH_OID = "1.3.9999.2.101";
    static final ASN1ObjectIdentifier JENKINS_JOB = new ASN1ObjectIdentifier(JENKINS_JOB_OID);
    static final ASN1ObjectIdentifier JENKINS_BRANCH = new ASN1ObjectIdentifier(JENKINS_BRANCH_OID);

    private static final Provider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String pin;
    private final String organization;

    public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        this.pin = pinOf(certificate);
        X500Name name = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        this.organization = IETFUtils.valueToString(name.getRDNs(BCStyle.O)[0].getFirst().getValue());
    }

    /** A new self-signed CA for the cluster, valid for ten years. */
    public static CertificateAuthority generate(String clusterName, Clock clock) {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, clusterName).addRDN(BCStyle.CN, clusterName + " TLS CA").build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, newSerial(),
                    Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(pair.getPrivate())));
            return new CertificateAuthority(cert, pair.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the CA certificate", e);
        }
    }

    /** A new P-256 key pair (for the CA itself, the server's TLS key, and tools that make client keys). */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA pin as Teleport writes it (see {@link CaPin}). */
    public static String pinOf(X509Certificate ca) {
        return CaPin.of(ca);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return key;
    }

    public String pin() {
        return pin;
    }

    /** A TLS server certificate for the API, naming every host and IP address it is reached by. */
    public X509Certificate issueServer(PublicKey publicKey, List<String> hostsAndIps, Duration ttl, Instant now) {
        List<GeneralName> names = new ArrayList<>();
        for (String h : hostsAndIps) {
            names.add(isIpLiteral(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostsAndIps.get(0)).build();
        return issue(subject, publicKey, newSerial(), now.minus(CLOCK_SKEW), now.plus(ttl), KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    /**
     * A client certificate for an identity: CN is its name, OU whether it is a {@code user} or a {@code bot}.
     * The certificate only says who the caller is; what it may do is read from its current roles on each call.
     */
    public X509Certificate issueClient(PublicKey publicKey, ClientIdentity identity, Duration ttl, Instant now) {
        return issueClient(publicKey, identity, List.of(), newSerial(), now.minus(CLOCK_SKEW), now.plus(ttl));
    }

    /**
     * A client certificate bound to access requests: as {@link #issueClient}, with the request IDs as subject
     * attributes of OID {@value #ACCESS_REQUESTS_OID} and, when there are any, the DisallowReissue attribute
     * {@value #DISALLOW_REISSUE_OID} = "true" (as Teleport's TLS identity carries them).
     */
    public X509Certificate issueClient(PublicKey publicKey, ClientIdentity identity, List<String> requestIds, BigInteger serial,
                                       Instant notBefore, Instant notAfter) {
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, organization)
                .addRDN(BCStyle.OU, identity.type().wireName())
                .addRDN(BCStyle.CN, identity.name());
        requestIds.forEach(id -> subject.addRDN(ACCESS_REQUESTS, id));
        if (!requestIds.isEmpty()) {
            subject.addRDN(DISALLOW_REISSUE, "true");
        }
        identity.jenkins().ifPresent(build -> {
            subject.addRDN(JENKINS_JOB, build.job());
            if (!build.branch().isEmpty()) {
                subject.addRDN(JENKINS_BRANCH, build.branch());
            }
        });
        return issue(subject.build(), publicKey, serial, notBefore, notAfter, KeyPurposeId.id_kp_clientAuth, null);
    }

    /** CRL number {@code number}, listing {@code revoked} serials (with their revocation times), valid for {@code validity}. */
    public X509CRL crl(Map<BigInteger, Instant> revoked, BigInteger number, Instant now, Duration validity) {
        try {
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(certificate, Date.from(now));
            b.setNextUpdate(Date.from(now.plus(validity)));
            revoked.forEach((serial, at) -> b.addCRLEntry(serial, Date.from(at), CRLReason.cessationOfOperation));
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            return new JcaX509CRLConverter().getCRL(b.build(signer(key)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the CRL", e);
        }
    }

    /** A new random positive serial (127 bits). */
    public static BigInteger newSerial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private X509Certificate issue(X500Name subject, PublicKey publicKey, BigInteger serial, Instant notBefore, Instant notAfter,
                                  KeyPurposeId purpose, GeneralNames altNames) {
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial,
                    Date.from(notBefore), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            if (altNames != null) {
                b.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject, e);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(key);
    }

    private static boolean isIpLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
