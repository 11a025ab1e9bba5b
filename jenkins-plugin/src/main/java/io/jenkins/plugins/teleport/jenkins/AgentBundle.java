package io.jenkins.plugins.teleport.jenkins;

import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.bundle.BundleWriter;
import io.jenkins.plugins.teleport.client.bundle.PreparedBundle;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jenkins.MasterToSlaveFileCallable;

/**
 * The bundle's work on the agent, as small named callables: public keys and certificates cross the channel, the
 * private keys are made on the agent and stay there (only digests of their lines come back, for masking).
 */
final class AgentBundle {

    private AgentBundle() {}

    /** Makes the key pairs in a new owner-only directory under the given parent. */
    static final class PrepareKeys extends MasterToSlaveFileCallable<PreparedKeys> {
        private static final long serialVersionUID = 1L;
        private final String keyComment;

        PrepareKeys(String keyComment) {
            this.keyComment = keyComment;
        }

        @Override
        public PreparedKeys invoke(File parent, VirtualChannel channel) throws IOException {
            PreparedBundle p = BundleWriter.prepare(parent.toPath(), keyComment);
            SecretLines lines = SecretLines.of(Files.readString(p.dir().resolve(BundleFiles.SSH_KEY)),
                    Files.readString(p.dir().resolve(BundleFiles.TLS_KEY)));
            return new PreparedKeys(p.dir().toString(), p.sshPublicKey(), p.tlsPublicKeyPem(), lines);
        }
    }

    /** Writes the certificates and the rest next to the keys (run on the bundle's directory). */
    static final class WriteCertificates extends MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;
        private final PreparedKeys keys;
        private final CertificateFiles files;

        WriteCertificates(PreparedKeys keys, CertificateFiles files) {
            this.keys = keys;
            this.files = files;
        }

        @Override
        public Void invoke(File dir, VirtualChannel channel) throws IOException {
            BundleWriter.complete(new PreparedBundle(dir.toPath(), keys.sshPublicKey(), keys.tlsPublicKeyPem()), files.contents());
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
