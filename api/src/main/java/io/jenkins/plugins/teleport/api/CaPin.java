package io.jenkins.plugins.teleport.api;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.net.ssl.X509TrustManager;

/**
 * The CA pin, as Teleport's {@code --ca-pin}: {@code sha256:} and the hex SHA-256 of the CA certificate's
 * SubjectPublicKeyInfo; and the trust it gives a client that has nothing else to go on.
 */
public final class CaPin {

    /** What a pin looks like. */
    public static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");
    /** How a mismatch starts, so callers can tell it from other TLS failures. */
    public static final String MISMATCH = "CA pin mismatch";

    private CaPin() {}

    public static String of(X509Certificate ca) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Trusts a server only if its chain holds a CA with this pin and that CA signed the server's certificate (host
     * names are still checked by the HTTP client).
     */
    public static X509TrustManager trustManager(String pin) {
        return new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                X509Certificate ca = Arrays.stream(chain).filter(c -> of(c).equals(pin)).findFirst()
                        .orElseThrow(() -> new CertificateException(MISMATCH + ": the server's CA pin is " + of(chain[chain.length - 1])
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
                throw new CertificateException("a pinned trust manager trusts servers only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }
}
