package io.jenkins.plugins.teleport.jenkins;

import java.io.Serializable;

/**
 * What the agent answers once it made the block's keys: where they are, their public halves (to be certified), and
 * the digests of their lines for masking. Never a private key.
 */
final class PreparedKeys implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String dir;
    private final String sshPublicKey;
    private final String tlsPublicKeyPem;
    private final SecretLines secretLines;

    PreparedKeys(String dir, String sshPublicKey, String tlsPublicKeyPem, SecretLines secretLines) {
        this.dir = dir;
        this.sshPublicKey = sshPublicKey;
        this.tlsPublicKeyPem = tlsPublicKeyPem;
        this.secretLines = secretLines;
    }

    String dir() {
        return dir;
    }

    String sshPublicKey() {
        return sshPublicKey;
    }

    String tlsPublicKeyPem() {
        return tlsPublicKeyPem;
    }

    SecretLines secretLines() {
        return secretLines;
    }
}
