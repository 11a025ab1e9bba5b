package io.jenkins.plugins.teleport.jenkins;

import io.jenkins.plugins.teleport.client.bundle.BundleContents;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the controller sends the agent to complete the identity directory: the certificates and what to trust, no
 * secret. A plugin class with named fields (the agent channel's class filter refuses library types).
 */
final class CertificateFiles implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String clusterName;
    private final String requestId;
    private final String bot;
    private final ArrayList<String> principals;
    private final String sshCertificate;
    private final ArrayList<String> sshCaKeys;
    private final String tlsCertificate;
    private final String tlsCaCertificates;
    private final String sshSerial;
    private final String tlsSerial;
    private final String validAfter;
    private final String validBefore;

    CertificateFiles(BundleContents c) {
        this.clusterName = c.clusterName();
        this.requestId = c.requestId();
        this.bot = c.bot();
        this.principals = new ArrayList<>(c.principals());
        this.sshCertificate = c.sshCertificate();
        this.sshCaKeys = new ArrayList<>(c.sshCaKeys());
        this.tlsCertificate = c.tlsCertificate();
        this.tlsCaCertificates = c.tlsCaCertificates();
        this.sshSerial = c.sshSerial();
        this.tlsSerial = c.tlsSerial();
        this.validAfter = c.validAfter().toString();
        this.validBefore = c.validBefore().toString();
    }

    BundleContents contents() {
        return new BundleContents(clusterName, requestId, bot, List.copyOf(principals), sshCertificate, List.copyOf(sshCaKeys),
                tlsCertificate, tlsCaCertificates, sshSerial, tlsSerial, Instant.parse(validAfter), Instant.parse(validBefore));
    }
}
