package io.jenkins.plugins.teleport.client.bundle;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.client.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lays out an identity directory and removes it, in two phases so that keys are made where they are used:
 * {@link #prepare} makes the keys in a new directory, {@link #complete} adds the certificates once the public
 * halves are certified. The directory has a random name under a given parent and mode 0700; inside, names are
 * fixed: private keys 0400, everything else 0600 (where the file system has no POSIX modes, as on Windows, an
 * owner-only access-control list instead). Nothing is written anywhere else.
 */
public final class BundleWriter {

    private static final SecureRandom RANDOM = new SecureRandom();

    private BundleWriter() {}

    /**
     * Phase one, on the machine that will use the keys: a new directory {@code parent/<random>} (0700) with a new
     * Ed25519 SSH key and a new P-256 TLS key written in it (0400). The answer carries only the public halves.
     */
    public static PreparedBundle prepare(Path parent, String keyComment) throws IOException {
        Files.createDirectories(parent);
        byte[] name = new byte[12];
        RANDOM.nextBytes(name);
        Path dir = OwnerOnly.createDirectory(parent.resolve(HexFormat.of().formatHex(name)));
        try {
            KeyPair ssh = Keys.ed25519();
            KeyPair tls = Keys.p256();
            secret(dir.resolve(BundleFiles.SSH_KEY), Keys.sshPrivateKey(ssh, keyComment));
            secret(dir.resolve(BundleFiles.TLS_KEY), Keys.privateKeyPem(tls.getPrivate()));
            return new PreparedBundle(dir, Keys.sshPublicKey(ssh.getPublic(), keyComment), Keys.publicKeyPem(tls.getPublic()));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir, e);
            throw e;
        }
    }

    /** Phase two: the certificates, ssh_config, the identity file and request.json, next to the keys. */
    public static BundleFiles complete(PreparedBundle prepared, BundleContents c) throws IOException {
        Path dir = prepared.dir();
        BundleFiles files = new BundleFiles(dir, c.requestId(), c.bot(), c.validBefore().toString());
        try {
            plain(files.file(BundleFiles.SSH_PUBLIC_KEY), prepared.sshPublicKey() + "\n");
            plain(files.file(BundleFiles.SSH_CERT), c.sshCertificate() + "\n");
            plain(files.file(BundleFiles.SSH_CONFIG), sshConfig(files));
            plain(files.file(BundleFiles.TLS_CERT), c.tlsCertificate());
            plain(files.file(BundleFiles.TLS_CA), c.tlsCaCertificates());
            secret(files.file(BundleFiles.IDENTITY), identityFile(Files.readString(files.file(BundleFiles.SSH_KEY)), c));
            plain(files.file(BundleFiles.REQUEST_JSON), requestJson(c));
            return files;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(dir, e);
            throw e;
        }
    }

    private static void deleteQuietly(Path dir, Exception cause) {
        try {
            delete(dir);
        } catch (IOException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    /** Removes the directory and everything in it; a directory already gone is fine. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The identity file in the layout {@code tsh -i} reads: the private key, the SSH certificate line, the TLS
     * certificate and the TLS CA certificates. The key is the SSH key (what ssh uses); the TLS certificate certifies
     * a separate P-256 key, which is in {@code tls.key}. There are no {@code @cert-authority} lines: the cluster
     * signs no host certificates, so there is no host CA to trust.
     */
    static String identityFile(String sshPrivateKey, BundleContents c) {
        return line(sshPrivateKey) + line(c.sshCertificate()) + line(c.tlsCertificate()) + line(c.tlsCaCertificates());
    }

    static String sshConfig(BundleFiles files) {
        return "# Written for access request " + files.requestId() + "; deleted when the request scope ends.\n"
                + "# Use it with: ssh -F \"$TELEPORT_SSH_CONFIG\" user@host\n"
                + "Host *\n"
                + "    IdentityFile \"" + sshPath(files.file(BundleFiles.SSH_KEY)) + "\"\n"
                + "    CertificateFile \"" + sshPath(files.file(BundleFiles.SSH_CERT)) + "\"\n"
                + "    IdentitiesOnly yes\n"
                + "    IdentityAgent none\n";
    }

    /**
     * A path as ssh_config reads it: ssh expands {@code %} tokens (write {@code %%} for a literal one, common in
     * Jenkins workspace names such as {@code feature%2Fx}); {@code "} and {@code $\{} have no escape, so such a
     * directory is refused with a message naming the fix.
     */
    static String sshPath(Path path) {
        String text = path.toString();
        if (text.contains("\"") || text.contains("${")) {
            throw new IllegalArgumentException("the identity directory " + text + " contains '\"' or '${', which ssh_config "
                    + "cannot express: choose another parent directory");
        }
        return text.replace("%", "%%");
    }

    static String requestJson(BundleContents b) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("access_request_id", b.requestId());
        doc.put("cluster", b.clusterName());
        doc.put("bot", b.bot());
        doc.put("principals", b.principals());
        doc.put("valid_after", b.validAfter().toString());
        doc.put("valid_before", b.validBefore().toString());
        doc.put("ssh_serial", b.sshSerial());
        doc.put("tls_serial", b.tlsSerial());
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    }

    private static String line(String text) {
        return text.endsWith("\n") ? text : text + "\n";
    }

    private static void secret(Path file, String text) throws IOException {
        create(file, text);
        OwnerOnly.readOnly(file);
    }

    private static void plain(Path file, String text) throws IOException {
        create(file, text);
    }

    private static void create(Path file, String text) throws IOException {
        try {
            // Created owner-only before anything is written (a mode, or the directory's owner-only ACL).
            OwnerOnly.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists: the bundle directory must be new", e);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
