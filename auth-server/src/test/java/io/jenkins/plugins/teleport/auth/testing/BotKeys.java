package io.jenkins.plugins.teleport.auth.testing;

import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Key pairs a bot makes for request-bound certificates, and the body of its issuance call. */
public record BotKeys(KeyPair ssh, KeyPair tls) {

    public static BotKeys generate() {
        try {
            return new BotKeys(KeyPairGenerator.getInstance("Ed25519", new BouncyCastleProvider()).generateKeyPair(),
                    CertificateAuthority.newKeyPair());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String sshPublicKey() {
        return PublicKeyEntry.toString(ssh.getPublic());
    }

    /** The JSON body of {@code POST /v1/certs}. */
    public Map<String, Object> issueBody(String requestId, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("access_request_id", requestId);
        body.put("ssh_public_key", sshPublicKey());
        body.put("tls_public_key", Pem.encode(tls.getPublic()));
        body.putAll(extra);
        return body;
    }

    /** Reads an SSH certificate line as MINA SSHD parses it. */
    public static OpenSshCertificate parseSsh(String line) {
        try {
            return (OpenSshCertificate) PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, Map.of(), null);
        } catch (Exception e) {
            throw new AssertionError("unreadable SSH certificate: " + line, e);
        }
    }

    public static X509Certificate parseTls(String pem) {
        List<X509Certificate> certs = Pem.certificates(pem);
        return certs.get(0);
    }
}
