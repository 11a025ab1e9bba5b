package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.CaPin;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
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
    private final String certificatePem;
    private final PrivateKey key;
    private final String pin;
    private final String organization;
    private final X500Name issuer;
    /** The extensions every certificate of this CA has, encoded once: its key identifier, the leaf's constraints. */
    private final Extension authorityKeyId;
    /**
     * One initialised signer per thread, as the physical limit of docs/BENCHMARKS.md signs: BouncyCastle's ECDSA
     * keeps its fixed-point precomputation for the curve only while the signer and the key object live, and making a
     * signer per certificate (with the JDK's key object) cost ten times the signature itself.
     */
    private final ThreadLocal<Signature> signers;

    public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.certificatePem = Pem.encode(certificate);
        this.key = key;
        this.pin = pinOf(certificate);
        this.issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        this.organization = IETFUtils.valueToString(issuer.getRDNs(BCStyle.O)[0].getFirst().getValue());
        PrivateKey signingKey = bouncyCastleKey(key);
        this.signers = ThreadLocal.withInitial(() -> {
            try {
                Signature s = Signature.getInstance("SHA256withECDSA", BC);
                s.initSign(signingKey); // with a SecureRandom of its own, as BouncyCastle gives each signer
                return s;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with the CA key", e);
            }
        });
        try {
            this.authorityKeyId = new Extension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate).getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the CA certificate's key", e);
        }
    }

    /** The CA key as BouncyCastle's own key object (read from its PKCS#8 encoding), whatever provider made it. */
    private static PrivateKey bouncyCastleKey(PrivateKey key) {
        try {
            return KeyFactory.getInstance("EC", BC)
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA key is not a usable EC key", e);
        }
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

    /** The CA certificate in PEM, encoded once. */
    public String certificatePem() {
        return certificatePem;
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
        return toCertificate(issue(subject, SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()), newSerial(),
                now.minus(CLOCK_SKEW), now.plus(ttl), SERVER_AUTH, new GeneralNames(names.toArray(GeneralName[]::new))));
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
        return toCertificate(issue(clientSubject(identity, requestIds), SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()), serial, notBefore,
                notAfter, CLIENT_AUTH, null));
    }

    /**
     * As {@link #issueClient(PublicKey, ClientIdentity, List, BigInteger, Instant, Instant)} for the issuance hot path:
     * the key as the SubjectPublicKeyInfo the client sent (checked by {@link Pem#clientPublicKeyInfo}), the certificate
     * as its DER encoding, nothing parsed back.
     */
    public byte[] issueClientDer(SubjectPublicKeyInfo publicKey, ClientIdentity identity, List<String> requestIds,
                                 BigInteger serial, Instant notBefore, Instant notAfter) {
        // The certificate BouncyCastle's builder makes in issue(), without its second DER encoding of the TBS part (one
        // to sign, one for the whole certificate's bytes): the bytes signed are the bytes sent.
        V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
        tbs.setSerialNumber(new ASN1Integer(serial));
        tbs.setSignature(ECDSA_SHA256);
        tbs.setIssuer(issuer);
        tbs.setStartDate(time(notBefore));
        tbs.setEndDate(time(notAfter));
        tbs.setSubject(clientSubject(identity, requestIds));
        tbs.setSubjectPublicKeyInfo(publicKey);
        tbs.setExtensions(new Extensions(leafExtensions(CLIENT_AUTH).toArray(Extension[]::new)));
        try {
            byte[] signed = tbs.generateTBSCertificate().getEncoded(ASN1Encoding.DER);
            Signature signature = signers.get();
            signature.update(signed);
            byte[] value = new DERBitString(signature.sign()).getEncoded(ASN1Encoding.DER);
            return derSequence(signed, ECDSA_SHA256_DER, value);
        } catch (IOException | SignatureException e) {
            throw new IllegalStateException("cannot sign a certificate for " + identity, e);
        }
    }

    private X500Name clientSubject(ClientIdentity identity, List<String> requestIds) {
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
        return subject.build();
    }

    /** CRL number {@code number}, listing {@code revoked} serials (with their revocation times), valid for {@code validity}. */
    public X509CRL crl(Map<BigInteger, Instant> revoked, BigInteger number, Instant now, Duration validity) {
        try {
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(certificate, Date.from(now));
            b.setNextUpdate(Date.from(now.plus(validity)));
            revoked.forEach((serial, at) -> b.addCRLEntry(serial, Date.from(at), CRLReason.cessationOfOperation));
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(authorityKeyId);
            return new JcaX509CRLConverter().getCRL(b.build(signer()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the CRL", e);
        }
    }

    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * RFC 5280's encoding of a certificate's validity bound, as BouncyCastle's {@code Time(Date)} chooses it (UTCTime
     * for 1950 - 2049, GeneralizedTime otherwise), without its two {@code SimpleDateFormat}s, which formatted and then
     * parsed again every bound of every certificate (3 % of the request threads' CPU when issuing).
     */
    static Time time(Instant at) {
        int year = at.atOffset(ZoneOffset.UTC).getYear();
        if (year < 1950 || year > 2049) {
            return new Time(Date.from(at));
        }
        byte[] text = UTC_TIME.format(at).getBytes(StandardCharsets.US_ASCII);
        byte[] der = new byte[text.length + 2];
        der[0] = BERTags.UTC_TIME;
        der[1] = (byte) text.length;
        System.arraycopy(text, 0, der, 2, text.length);
        try {
            return new Time(ASN1Primitive.fromByteArray(der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new random positive serial (127 bits). */
    public static BigInteger newSerial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private static final Extension LEAF = extension(Extension.basicConstraints, true, new BasicConstraints(false));
    private static final Extension DIGITAL_SIGNATURE = extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    private static final Extension CLIENT_AUTH = extension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    private static final Extension SERVER_AUTH = extension(Extension.extendedKeyUsage, false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));

    private static Extension extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        return new Extension(oid, critical, derOf(value));
    }

    /** The extensions of every leaf certificate this CA signs, in their order: {@code purpose} is its extended key usage. */
    private List<Extension> leafExtensions(Extension purpose) {
        return List.of(LEAF, DIGITAL_SIGNATURE, purpose, authorityKeyId);
    }

    private X509CertificateHolder issue(X500Name subject, SubjectPublicKeyInfo publicKey, BigInteger serial, Instant notBefore,
                                        Instant notAfter, Extension purpose, GeneralNames altNames) {
        try {
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, serial, time(notBefore), time(notAfter),
                    subject, publicKey);
            for (Extension extension : leafExtensions(purpose)) {
                b.addExtension(extension);
            }
            if (altNames != null) {
                b.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return b.build(signer());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a certificate for " + subject, e);
        }
    }

    private static X509Certificate toCertificate(X509CertificateHolder holder) {
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A content signer over this thread's initialised signer (ECDSA with SHA-256). */
    private ContentSigner signer() {
        Signature signature = signers.get();
        return new ContentSigner() {
            private final OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int off, int len) {
                    try {
                        signature.update(bytes, off, len);
                    } catch (SignatureException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return ECDSA_SHA256;
            }

            @Override
            public OutputStream getOutputStream() {
                return out;
            }

            @Override
            public byte[] getSignature() {
                try {
                    return signature.sign();
                } catch (SignatureException e) {
                    throw new IllegalStateException("cannot sign with the CA key", e);
                }
            }
        };
    }

    private static final AlgorithmIdentifier ECDSA_SHA256 =
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private static final byte[] ECDSA_SHA256_DER = derOf(ECDSA_SHA256);

    private static byte[] derOf(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DER SEQUENCE of {@code parts}, each already DER-encoded, copied as they are (X.690 8.9, definite length). */
    private static byte[] derSequence(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        int lengthBytes = length < 0x80 ? 0 : (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
        byte[] out = new byte[2 + lengthBytes + length];
        out[0] = BERTags.SEQUENCE | BERTags.CONSTRUCTED;
        if (lengthBytes == 0) {
            out[1] = (byte) length;
        } else {
            out[1] = (byte) (0x80 | lengthBytes);
            for (int i = 0; i < lengthBytes; i++) {
                out[2 + i] = (byte) (length >>> (8 * (lengthBytes - 1 - i)));
            }
        }
        int at = 2 + lengthBytes;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
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
