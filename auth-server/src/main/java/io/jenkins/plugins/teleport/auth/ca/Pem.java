package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** PEM encoding and decoding of keys and certificates (BouncyCastle's PEM reader and writer). */
public final class Pem {

    private Pem() {}

    public static String encode(Object keyOrCertificate) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keyOrCertificate instanceof PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : keyOrCertificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Every certificate in the text, in order; other PEM blocks and non-PEM lines are skipped. */
    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        for (Object o : objects(pem)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    out.add(new JcaX509CertificateConverter().getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** The first private key in the text (PKCS#8, or a traditional EC/RSA key pair). */
    public static PrivateKey privateKey(String pem) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(pem)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("unreadable private key: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("no private key found in the PEM text");
    }

    /** The public key of a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo). */
    public static PublicKey publicKey(String pem) {
        for (Object o : objects(pem)) {
            if (o instanceof SubjectPublicKeyInfo info) {
                try {
                    return new JcaPEMKeyConverter().getPublicKey(info);
                } catch (IOException e) {
                    throw new IllegalArgumentException("unreadable public key: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no PEM 'PUBLIC KEY' block found");
    }

    /**
     * A client's public key for a TLS certificate: exactly one PEM "PUBLIC KEY" block (white space around it allowed,
     * nothing else) holding the SubjectPublicKeyInfo of an ECDSA P-256 key whose point is on the curve. Anything else
     * is a {@code bad_request} naming {@code field}.
     */
    public static PublicKey clientPublicKey(String pem, String field) {
        SubjectPublicKeyInfo info = clientPublicKeyInfo(pem, field);
        try {
            return new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " is not a readable P-256 public key: " + e.getMessage());
        }
    }

    /** As {@link #clientPublicKey}, the key as the SubjectPublicKeyInfo it was sent as (what a certificate holds). */
    public static SubjectPublicKeyInfo clientPublicKeyInfo(String pem, String field) {
        byte[] der = singleBlock(pem, "PUBLIC KEY", field);
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
            if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getAlgorithm().getAlgorithm())) {
                throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an ECDSA P-256 key, not "
                        + info.getAlgorithm().getAlgorithm().getId());
            }
            if (!SECObjectIdentifiers.secp256r1.equals(info.getAlgorithm().getParameters())) {
                throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an ECDSA key on the named curve P-256 (secp256r1)");
            }
            byte[] point = info.getPublicKeyData().getOctets();
            if (point.length == 0 || point[0] == 0 || P256.getCurve().decodePoint(point).isInfinity()) {
                throw new ApiException(ErrorCode.BAD_REQUEST, field + " holds no usable P-256 point");
            }
            return info;
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " is not a readable P-256 public key: " + e.getMessage());
        }
    }

    /** A DER certificate as a PEM block, as {@link #encode} writes one (64 characters a line, "\n" line ends). */
    public static String certificate(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    /** P-256 with BouncyCastle's own field arithmetic for it, which decodes and checks a point faster than the generic curve. */
    private static final org.bouncycastle.asn1.x9.X9ECParameters P256 = org.bouncycastle.crypto.ec.CustomNamedCurves.getByOID(
            SECObjectIdentifiers.secp256r1);

    private static final Pattern PEM_WHITESPACE = Pattern.compile("[\\r\\n\\t ]");

    /**
     * The DER bytes of the one PEM block of {@code label} that {@code text} consists of; a {@code bad_request} naming
     * {@code field} if the text is empty, holds junk before or after the block, a second block, or base64 that is
     * not strictly valid.
     */
    static byte[] singleBlock(String text, String label, String field) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        String hint = ": send exactly one PEM '" + label + "' block";
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " is empty" + hint);
        }
        if (!trimmed.startsWith(begin)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " does not start with " + begin + hint);
        }
        if (!trimmed.endsWith(end)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " does not end with " + end
                    + " (or has something after it)" + hint);
        }
        String body = trimmed.substring(begin.length(), trimmed.length() - end.length());
        if (body.contains("-----")) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " holds more than one PEM block" + hint);
        }
        String base64 = PEM_WHITESPACE.matcher(body).replaceAll("");
        if (base64.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " is a PEM block with nothing in it" + hint);
        }
        try {
            return java.util.Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " is not valid base64 inside the PEM block: " + e.getMessage());
        }
    }

    private static List<Object> objects(String pem) {
        List<Object> out = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                out.add(o);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle reports some malformed blocks with unchecked exceptions (DecoderException, NullPointerException).
            throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
        }
        return out;
    }
}
