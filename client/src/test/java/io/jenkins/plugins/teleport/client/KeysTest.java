package io.jenkins.plugins.teleport.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key text forms are read by the real tools that consume them: OpenSSH's ssh-keygen and OpenSSL. */
class KeysTest {

    @TempDir
    Path tmp;

    @Test
    void sshPrivateKeyIsAcceptedBySshKeygenAndDerivesTheSamePublicKey() throws Exception {
        requireTool("ssh-keygen");
        KeyPair k = Keys.ed25519();
        Path file = secretFile("id_ed25519", Keys.sshPrivateKey(k, "ci@example"));

        String derived = run("ssh-keygen", "-y", "-f", file.toString()).strip();

        assertEquals(firstTwoFields(Keys.sshPublicKey(k.getPublic(), "")), firstTwoFields(derived),
                "ssh-keygen -y on the written private key gives back the same public key");
    }

    @Test
    void sshPublicKeyLineIsAcceptedBySshKeygenAsEd25519() throws Exception {
        requireTool("ssh-keygen");
        KeyPair k = Keys.ed25519();
        Path pub = Files.writeString(tmp.resolve("id_ed25519.pub"), Keys.sshPublicKey(k.getPublic(), "ci@example") + "\n");

        String fingerprint = run("ssh-keygen", "-l", "-f", pub.toString()).strip();

        assertTrue(fingerprint.startsWith("256 SHA256:"), fingerprint);
        assertTrue(fingerprint.endsWith("(ED25519)"), fingerprint);
        assertTrue(fingerprint.contains("ci@example"), fingerprint);
    }

    @Test
    void generatedEd25519KeySignsAndTheSignatureVerifies() throws Exception {
        KeyPair k = Keys.ed25519();
        byte[] data = "bytes to sign".getBytes(StandardCharsets.UTF_8);

        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(k.getPrivate());
        signer.update(data);
        byte[] signature = signer.sign();

        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(k.getPublic());
        verifier.update(data);
        assertTrue(verifier.verify(signature));
    }

    @Test
    void privateKeyPemRoundTripsEd25519AndEcKeys() {
        for (KeyPair k : List.of(Keys.ed25519(), Keys.p256())) {
            PrivateKey read = Keys.readPrivateKey(Keys.privateKeyPem(k.getPrivate()));
            assertEquals(k.getPrivate().getAlgorithm(), read.getAlgorithm());
            assertArrayEquals(k.getPrivate().getEncoded(), read.getEncoded(), k.getPrivate().getAlgorithm());
        }
    }

    @Test
    void publicKeyPemOfP256KeyIsReadByOpenssl() throws Exception {
        requireTool("openssl");
        KeyPair k = Keys.p256();
        Path pem = Files.writeString(tmp.resolve("pub.pem"), Keys.publicKeyPem(k.getPublic()));

        run("openssl", "pkey", "-pubin", "-in", pem.toString(), "-noout");
        Path der = tmp.resolve("pub.der");
        run("openssl", "pkey", "-pubin", "-in", pem.toString(), "-outform", "DER", "-out", der.toString());

        assertArrayEquals(k.getPublic().getEncoded(), Files.readAllBytes(der), "openssl reads the same key");
    }

    @Test
    void privateKeyPemOfP256KeyIsReadByOpenssl() throws Exception {
        requireTool("openssl");
        KeyPair k = Keys.p256();
        Path pem = secretFile("tls.key", Keys.privateKeyPem(k.getPrivate()));

        Path der = tmp.resolve("pub.der");
        run("openssl", "pkey", "-in", pem.toString(), "-pubout", "-outform", "DER", "-out", der.toString());

        assertArrayEquals(k.getPublic().getEncoded(), Files.readAllBytes(der),
                "openssl derives the matching public key from the private key PEM");
    }

    @Test
    void certificatesReadsEveryCertificateBlockAmongOtherBlocksAndJunk() throws Exception {
        requireTool("openssl");
        Path a = selfSigned("a");
        Path b = selfSigned("b");
        String keyBlock = Files.readString(tmp.resolve("a.key"));
        assertTrue(keyBlock.contains("-----BEGIN PRIVATE KEY-----"), keyBlock);

        String text = "Bag Attributes\n    friendlyName: first\nsubject=CN = x\n"
                + Files.readString(a)
                + "\nsome junk between blocks: -----not a boundary-----\n\n"
                + keyBlock
                + "-----BEGIN CERTIFICATE-----\nthis one has no end\n"
                + Files.readString(b)
                + "trailing junk without newline";

        List<X509Certificate> certs = Keys.certificates(text);

        assertEquals(2, certs.size(), "both certificates, nothing else");
        assertArrayEquals(der(a), certs.get(0).getEncoded(), "first certificate, in order");
        assertArrayEquals(der(b), certs.get(1).getEncoded(), "second certificate, in order");
    }

    @Test
    void certificatesIsEmptyForTextWithoutCertificates() {
        KeyPair k = Keys.p256();
        String text = "no certificates here\n" + Keys.privateKeyPem(k.getPrivate()) + Keys.publicKeyPem(k.getPublic())
                + "-----BEGIN CERTIFICATE-----\n";

        assertEquals(List.of(), Keys.certificates(text));
        assertEquals(List.of(), Keys.certificates(""));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A self-signed P-256 certificate made by openssl; its key is in {@code <name>.key}. */
    private Path selfSigned(String name) throws Exception {
        Path key = tmp.resolve(name + ".key");
        Path cert = tmp.resolve(name + ".crt");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", cert.toString(), "-days", "1");
        return cert;
    }

    private byte[] der(Path cert) throws Exception {
        Path der = tmp.resolve(cert.getFileName() + ".der");
        run("openssl", "x509", "-in", cert.toString(), "-outform", "DER", "-out", der.toString());
        return Files.readAllBytes(der);
    }

    private Path secretFile(String name, String text) throws IOException {
        Path file = Files.createFile(tmp.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, text);
    }

    private static String firstTwoFields(String line) {
        String[] f = line.strip().split("\\s+");
        assertTrue(f.length >= 2, "an authorized_keys line: " + line);
        return f[0] + " " + f[1];
    }

    /** Runs a command in the temp dir, asserts exit code 0 and returns its output (stdout and stderr). */
    private String run(String... command) throws Exception {
        Path log = Files.createTempFile(tmp, "run", ".log");
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out after 60 s: " + String.join(" ", command) + "\n" + Files.readString(log));
        }
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + text);
        return text;
    }

    /** Fails under CI=true when the tool is missing (the suite must not shrink there), else skips with a message. */
    private static void requireTool(String name) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .anyMatch(Files::isExecutable);
        if (!found) {
            String what = name + " not installed (needed to check the key format with the real tool)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + what);
            }
            Assumptions.abort("skipped: " + what);
        }
    }
}
