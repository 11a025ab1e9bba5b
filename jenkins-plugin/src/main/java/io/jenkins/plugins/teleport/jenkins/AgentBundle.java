package io.jenkins.plugins.teleport.jenkins;

import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.teleport.client.bundle.BundleContents;
import io.jenkins.plugins.teleport.client.bundle.BundleWriter;
import io.jenkins.plugins.teleport.client.bundle.PreparedBundle;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jenkins.MasterToSlaveFileCallable;

/**
 * The bundle's work on the agent. Only strings and string arrays cross the channel (no library types, which the
 * channel's class filter would refuse): public keys and certificates go, paths come back; the private keys are made
 * on the agent and stay there.
 */
final class AgentBundle {

    private AgentBundle() {}

    /** Makes the key pairs in a new directory under the given parent; answers {dir, ssh public key, TLS public key}. */
    static final class Prepare extends MasterToSlaveFileCallable<String[]> {
        private static final long serialVersionUID = 1L;
        private final String keyComment;

        Prepare(String keyComment) {
            this.keyComment = keyComment;
        }

        @Override
        public String[] invoke(File parent, VirtualChannel channel) throws IOException {
            PreparedBundle p = BundleWriter.prepare(parent.toPath(), keyComment);
            return new String[] {p.dir().toString(), p.sshPublicKey(), p.tlsPublicKeyPem()};
        }
    }

    /** Writes the certificates and the rest next to the keys (run on the bundle's directory). */
    static final class Complete extends MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;
        private final String sshPublicKey;
        private final String tlsPublicKeyPem;
        private final String[] contents;
        private final String[] principals;
        private final String[] sshCaKeys;

        /** {@code contents}: cluster, request, bot, SSH certificate, TLS certificate, TLS CA, SSH serial, TLS serial, valid after, valid before. */
        Complete(String sshPublicKey, String tlsPublicKeyPem, String[] contents, List<String> principals, List<String> sshCaKeys) {
            this.sshPublicKey = sshPublicKey;
            this.tlsPublicKeyPem = tlsPublicKeyPem;
            this.contents = contents.clone();
            this.principals = principals.toArray(String[]::new);
            this.sshCaKeys = sshCaKeys.toArray(String[]::new);
        }

        @Override
        public Void invoke(File dir, VirtualChannel channel) throws IOException {
            String[] c = contents;
            BundleWriter.complete(new PreparedBundle(dir.toPath(), sshPublicKey, tlsPublicKeyPem), new BundleContents(c[0], c[1], c[2],
                    List.of(principals), c[3], List.of(sshCaKeys), c[4], c[5], c[6], c[7], Instant.parse(c[8]), Instant.parse(c[9])));
            return null;
        }
    }

    /** Removes the bundle's directory completely (run on the bundle's directory). */
    static final class Delete extends MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;

        @Override
        public Void invoke(File dir, VirtualChannel channel) throws IOException {
            BundleWriter.delete(Path.of(dir.getPath()));
            return null;
        }
    }
}
