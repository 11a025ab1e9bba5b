package io.jenkins.plugins.teleport.client.bundle;

import java.time.Instant;
import java.util.List;

/**
 * What goes into an identity directory: the keys made where they are used, the request-bound certificates, and
 * what to trust. The private keys are here only on the machine that made them.
 */
public record IdentityBundle(
        String clusterName,
        String requestId,
        String bot,
        List<String> roles,
        List<String> principals,
        String sshPrivateKey,
        String sshPublicKey,
        String sshCertificate,
        List<String> sshCaKeys,
        String tlsPrivateKey,
        String tlsCertificate,
        String tlsCaCertificates,
        String sshSerial,
        String tlsSerial,
        Instant validAfter,
        Instant validBefore) {

    @Override
    public String toString() {
        // Never print key material.
        return "IdentityBundle[request=" + requestId + ", bot=" + bot + ", valid=" + validAfter + ".." + validBefore + "]";
    }
}
