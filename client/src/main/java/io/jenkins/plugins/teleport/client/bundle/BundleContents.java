package io.jenkins.plugins.teleport.client.bundle;

import java.time.Instant;
import java.util.List;

/** What completes an identity directory: the request-bound certificates and what to trust. No secrets. */
public record BundleContents(
        String clusterName,
        String requestId,
        String bot,
        List<String> principals,
        String sshCertificate,
        List<String> sshCaKeys,
        String tlsCertificate,
        String tlsCaCertificates,
        String sshSerial,
        String tlsSerial,
        Instant validAfter,
        Instant validBefore) {

    public BundleContents {
        principals = List.copyOf(principals);
        sshCaKeys = List.copyOf(sshCaKeys);
    }
}
