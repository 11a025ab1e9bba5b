package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.auth.store.Tx.StoredAuthority;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The cluster's SSH user certificate authority (Ed25519): signs OpenSSH user certificates with Apache MINA SSHD's
 * certificate builder, BouncyCastle underneath.
 */
public final class SshCertificateAuthority {

    /** The store name of this authority. */
    public static final String NAME = "ssh-user";

    private static final Provider BC;

    static {
        // MINA SSHD does Ed25519 through a registered BouncyCastle provider.
        Provider registered = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        BC = registered != null ? registered : new BouncyCastleProvider();
        if (registered == null) {
            Security.addProvider(BC);
        }
    }

    private final KeyPair keys;
    private final String publicKeyLine;

    private SshCertificateAuthority(KeyPair keys, String comment) {
        this.keys = keys;
        this.publicKeyLine = PublicKeyEntry.toString(keys.getPublic()) + " " + comment;
    }

    public static SshCertificateAuthority generate(String clusterName) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519", BC);
            return new SshCertificateAuthority(g.generateKeyPair(), clusterName + "-user-ca");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SshCertificateAuthority fromStored(StoredAuthority stored) {
        String[] parts = stored.publicPart().trim().split("\\s+", 3);
        try (PEMParser parser = new PEMParser(new StringReader(stored.privateKey()))) {
            PrivateKey key = new JcaPEMKeyConverter().setProvider(BC).getPrivateKey((PrivateKeyInfo) parser.readObject());
            return new SshCertificateAuthority(new KeyPair(parsePublicKey(parts[0] + " " + parts[1]), key),
                    parts.length > 2 ? parts[2] : "user-ca");
        } catch (IOException | ClassCastException e) {
            throw new IllegalStateException("the stored SSH CA key is unreadable", e);
        }
    }

    public StoredAuthority toStored() {
        return new StoredAuthority(publicKeyLine, Pem.encode(keys.getPrivate()));
    }

    /** The CA's public key as {@code TrustedUserCAKeys} and {@code @cert-authority} lines read it. */
    public String publicKeyLine() {
        return publicKeyLine;
    }

    /** The CA's public key in SSH wire encoding, as a KRL names its CA. */
    public byte[] publicKeyBlob() {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(keys.getPublic());
        return buffer.getCompactData();
    }

    /** A user certificate for {@code key}; {@code extensions} with an empty value are flags such as permit-pty. */
    public OpenSshCertificate sign(PublicKey key, long serial, String keyId, List<String> principals, Instant validAfter,
                                   Instant validBefore, Map<String, String> extensions) {
        List<OpenSshCertificate.CertificateOption> options = new ArrayList<>();
        extensions.forEach((name, value) -> options.add(value.isEmpty()
                ? new OpenSshCertificate.CertificateOption(name) : new OpenSshCertificate.CertificateOption(name, value)));
        try {
            return OpenSshCertificateBuilder.userCertificate()
                    .publicKey(key)
                    .serial(serial)
                    .id(keyId)
                    .principals(principals)
                    .validAfter(validAfter)
                    .validBefore(validBefore)
                    .extensions(options)
                    .sign(keys);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the SSH certificate", e);
        }
    }

    private static final Pattern BLANKS = Pattern.compile("[ \\t]+");

    /** The SSH key types certified: what OpenSSH accepts in a user certificate today (no DSA, no certificates as keys). */
    private static final java.util.Set<String> CERTIFIABLE_TYPES = java.util.Set.of(
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa");

    /**
     * Reads a public key in authorized_keys form ({@code ssh-ed25519 AAAA… comment}, no options) of a type that can be
     * certified: Ed25519, ECDSA, or RSA of at least 2048 bits; the type named must be the type encoded.
     */
    public static PublicKey parsePublicKey(String line) {
        String[] parts = BLANKS.split(line.strip(), 3);
        if (parts.length < 2 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("not an SSH public key in authorized_keys form (e.g. 'ssh-ed25519 AAAA…')");
        }
        if (!CERTIFIABLE_TYPES.contains(parts[0])) {
            throw new IllegalArgumentException("key type '" + parts[0] + "' cannot be certified: use ssh-ed25519, "
                    + "ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more)");
        }
        if (parts.length == 3 && parts[2].contains("\n")) {
            throw new IllegalArgumentException("send one key on one line");
        }
        PublicKey key;
        try {
            PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(parts[0] + " " + parts[1]);
            if (entry == null) {
                throw new IllegalArgumentException("empty SSH public key");
            }
            key = entry.resolvePublicKey(null, Map.of(), null);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an SSH public key in authorized_keys form (e.g. 'ssh-ed25519 AAAA…'): "
                    + e.getMessage(), e);
        }
        if (key == null || key instanceof OpenSshCertificate || !parts[0].equals(KeyUtils.getKeyType(key))) {
            throw new IllegalArgumentException("the key's encoding does not match its type '" + parts[0] + "'");
        }
        if (key instanceof java.security.interfaces.RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
            throw new IllegalArgumentException("RSA keys need at least 2048 bits, not " + rsa.getModulus().bitLength());
        }
        return key;
    }

    /** A certificate as one authorized_keys-style line ({@code ssh-ed25519-cert-v01@openssh.com AAAA…}). */
    public static String encode(OpenSshCertificate certificate) {
        return PublicKeyEntry.toString(certificate);
    }

}
