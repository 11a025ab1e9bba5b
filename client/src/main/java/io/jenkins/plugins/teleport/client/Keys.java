package io.jenkins.plugins.teleport.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Key pairs made where they are used, and their text forms: PEM (PKCS#8, SubjectPublicKeyInfo, X.509) and
 * OpenSSH (authorized_keys line, openssh-key-v1 private key). JDK crypto only, so the Jenkins plugin needs no
 * extra security provider.
 */
public final class Keys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern PEM_BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    // PKCS#8 and SPKI encodings of Ed25519 keys end with the raw 32-byte key (RFC 8410).
    private static final int ED25519_KEY_LENGTH = 32;

    private Keys() {}

    /** An Ed25519 key pair for the SSH certificate. */
    public static KeyPair ed25519() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An ECDSA P-256 key pair for TLS. */
    public static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM block of the given type around DER bytes, wrapped at 64 characters. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A public key as a PEM "PUBLIC KEY" block (what the auth server reads). */
    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** A private key as a PEM "PRIVATE KEY" block (PKCS#8). */
    public static String privateKeyPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** Reads a PKCS#8 "PRIVATE KEY" PEM block of an EC or Ed25519 key. */
    public static PrivateKey readPrivateKey(String pem) {
        byte[] der = blocks(pem, "PRIVATE KEY").stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no PEM 'PRIVATE KEY' block"));
        for (String algorithm : List.of("EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the private key is neither EC nor Ed25519");
    }

    /** Every certificate in PEM text, in order. */
    public static List<X509Certificate> certificates(String pem) {
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            return blocks(pem, "CERTIFICATE").stream().map(der -> {
                try {
                    return (X509Certificate) f.generateCertificate(new ByteArrayInputStream(der));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
                }
            }).toList();
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String certificatePem(X509Certificate cert) {
        try {
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<byte[]> blocks(String pem, String type) {
        Matcher m = PEM_BLOCK.matcher(pem);
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        return out;
    }

    /** An Ed25519 public key as an authorized_keys line: {@code ssh-ed25519 AAAA… comment}. */
    public static String sshPublicKey(PublicKey key, String comment) {
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(sshPublicBlob(key)) + (comment.isEmpty() ? "" : " " + comment);
    }

    /** An Ed25519 private key in OpenSSH's own format (openssh-key-v1, unencrypted), as ssh-keygen writes it. */
    public static String sshPrivateKey(KeyPair pair, String comment) {
        byte[] pub = raw(pair.getPublic().getEncoded());
        byte[] seed = raw(pair.getPrivate().getEncoded());
        try {
            ByteArrayOutputStream secret = new ByteArrayOutputStream();
            DataOutputStream s = new DataOutputStream(secret);
            int check = RANDOM.nextInt();
            s.writeInt(check);
            s.writeInt(check);
            string(s, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            string(s, pub);
            byte[] both = Arrays.copyOf(seed, 64);
            System.arraycopy(pub, 0, both, 32, 32);
            string(s, both);
            string(s, comment.getBytes(StandardCharsets.UTF_8));
            for (int pad = 1; secret.size() % 8 != 0; pad++) {
                s.writeByte(pad);
            }

            ByteArrayOutputStream key = new ByteArrayOutputStream();
            DataOutputStream k = new DataOutputStream(key);
            k.write("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
            string(k, "none".getBytes(StandardCharsets.US_ASCII)); // cipher
            string(k, "none".getBytes(StandardCharsets.US_ASCII)); // kdf
            string(k, new byte[0]);                                // kdf options
            k.writeInt(1);                                         // one key
            string(k, sshPublicBlob(pair.getPublic()));
            string(k, secret.toByteArray());
            return "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.toByteArray())
                    + "\n-----END OPENSSH PRIVATE KEY-----\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sshPublicBlob(PublicKey key) {
        try {
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            DataOutputStream b = new DataOutputStream(blob);
            string(b, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            string(b, raw(key.getEncoded()));
            return blob.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] raw(byte[] encoded) {
        return Arrays.copyOfRange(encoded, encoded.length - ED25519_KEY_LENGTH, encoded.length);
    }

    private static void string(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }
}
