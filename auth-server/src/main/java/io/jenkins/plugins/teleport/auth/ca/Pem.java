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
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
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
     * A client's public key for a TLS certificate: a PEM "PUBLIC KEY" block holding an EC P-256 key. Anything else
     * is a {@code bad_request} naming {@code field}.
     */
    public static PublicKey clientPublicKey(String pem, String field) {
        PublicKey key;
        try {
            key = publicKey(pem);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be a PEM 'PUBLIC KEY' block: " + e.getMessage());
        }
        if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new ApiException(ErrorCode.BAD_REQUEST, field + " must be an ECDSA P-256 key, not " + key.getAlgorithm());
        }
        return key;
    }

    private static List<Object> objects(String pem) {
        List<Object> out = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                out.add(o);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
        }
        return out;
    }
}
