package io.jenkins.plugins.teleport.client;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server only if its chain holds the CA whose pin (SHA-256 of the SubjectPublicKeyInfo, Teleport's
 * {@code --ca-pin}) is the configured one, and that CA signed the server's certificate.
 */
final class PinnedTrust implements X509TrustManager {

    static final String MISMATCH = "CA pin mismatch";

    private final String pin;

    PinnedTrust(String pin) {
        this.pin = pin;
    }

    static String pinOf(X509Certificate cert) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        X509Certificate ca = Arrays.stream(chain).filter(c -> pinOf(c).equals(pin)).findFirst()
                .orElseThrow(() -> new CertificateException(MISMATCH + ": the server's CA pin is " + pinOf(chain[chain.length - 1])
                        + " but the configured pin is " + pin + "; if the server is the right one, configure its pin "
                        + "(the auth server prints it at start), otherwise do not trust this address"));
        try {
            chain[0].verify(ca.getPublicKey());
            chain[0].checkValidity();
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the server certificate is not valid under the pinned CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client trusts servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
