package io.jenkins.plugins.teleport.client.bundle;

import java.nio.file.Path;

/**
 * An identity directory whose key pairs were just made and written inside it, on the machine that will use them:
 * only the public halves leave this object (to be certified).
 */
public record PreparedBundle(Path dir, String sshPublicKey, String tlsPublicKeyPem) {}
