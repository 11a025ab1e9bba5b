package io.jenkins.plugins.teleport.client;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What a bot gets when it joins: its client certificate and the key it made for it (kept in memory, never
 * written by the client), valid until {@link #expires()}.
 */
public record BotIdentity(String bot, PrivateKey key, X509Certificate certificate, List<X509Certificate> caCertificates) {

    public Instant expires() {
        return certificate.getNotAfter().toInstant();
    }

    /** Still valid for at least {@code margin} from {@code now}. */
    public boolean validFor(java.time.Duration margin, Instant now) {
        return expires().isAfter(now.plus(margin));
    }

    @Override
    public String toString() {
        return "BotIdentity[bot=" + bot + ", serial=" + certificate.getSerialNumber().toString(16) + ", expires=" + expires() + "]";
    }
}
