package io.jenkins.plugins.teleport.auth.cli;

import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Trust for a first contact: the server is trusted only if its chain holds a CA whose pin (SHA-256 of its
 * SubjectPublicKeyInfo) is the expected one, and that CA signed the server's certificate.
 */
final class PinnedTrust implements X509TrustManager {

    private final String pin;

    private PinnedTrust(String pin) {
        this.pin = pin;
    }

    static SSLContext context(String pin) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinnedTrust(pin)}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        X509Certificate ca = Arrays.stream(chain).filter(c -> CertificateAuthority.pinOf(c).equals(pin)).findFirst()
                .orElseThrow(() -> new CertificateException("the server's CA pin is "
                        + CertificateAuthority.pinOf(chain[chain.length - 1]) + ", not the expected " + pin
                        + ": check --ca-pin against the pin the auth server prints at start"));
        try {
            chain[0].verify(ca.getPublicKey());
            chain[0].checkValidity();
        } catch (GeneralSecurityException e) {
            throw new CertificateException("the server certificate is not valid under the pinned CA: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a server");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
