package io.jenkins.plugins.teleport.client.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.client.Keys;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity directory: where it is, what is in it and with which modes, that ssh uses it, and that it goes away. */
class BundleWriterTest {

    private static final Set<String> SECRET_FILES = Set.of(BundleFiles.SSH_KEY, BundleFiles.TLS_KEY, BundleFiles.IDENTITY);
    private static final Set<String> PLAIN_FILES = Set.of(BundleFiles.SSH_PUBLIC_KEY, BundleFiles.SSH_CERT,
            BundleFiles.SSH_CONFIG, BundleFiles.TLS_CERT, BundleFiles.TLS_CA, BundleFiles.REQUEST_JSON);

    /** A real self-signed TLS certificate and a real "CA" certificate, made once by openssl. */
    private static String tlsCertificate;
    private static String tlsCaCertificate;

    @TempDir
    static Path certDir;

    @TempDir
    Path tmp;

    private Path parent;
    private BundleContents bundle;

    @BeforeAll
    static void makeCertificates() throws Exception {
        requireTool("openssl");
        tlsCertificate = selfSigned(certDir, "bot-tls");
        tlsCaCertificate = selfSigned(certDir, "cluster-ca");
    }

    @BeforeEach
    void makeBundle() {
        parent = tmp.resolve("bundles");
        String certificateLine = Keys.sshPublicKey(Keys.ed25519().getPublic(), "bot-ci"); // the writer does not parse it
        bundle = new BundleContents(
                "example-cluster",
                "0f3a6c1e-7d2b-4e8a-9c41-5b6d7e8f9a0b",
                "ci",
                List.of("deploy", "ubuntu"),
                certificateLine,
                List.of(certificateLine),
                tlsCertificate,
                tlsCaCertificate,
                "1234567890",
                "987654321",
                Instant.parse("2030-01-02T03:04:05Z"),
                Instant.parse("2030-01-02T04:04:05Z"));
    }

    /** Both phases, as the request scope runs them. */
    private BundleFiles write(Path under) throws Exception {
        return BundleWriter.complete(BundleWriter.prepare(under, "bot-ci"), bundle);
    }

    @Test
    void directoryIsNewOwnerOnlyAndRandomlyNamedUnderTheParent() throws Exception {
        BundleFiles first = write(parent);
        BundleFiles second = write(parent);

        for (BundleFiles files : List.of(first, second)) {
            assertEquals(parent, files.dir().getParent());
            assertTrue(files.dir().getFileName().toString().matches("[0-9a-f]{24}"), files.dir().toString());
            assertTrue(Files.isDirectory(files.dir()));
            assertEquals("rwx------", mode(files.dir()));
        }
        assertNotEquals(first.dir(), second.dir(), "each write gets its own directory");
    }

    @Test
    void privateKeysAndIdentityAreOwnerReadOnlyAndOtherFilesOwnerReadWrite() throws Exception {
        BundleFiles files = write(parent);

        Set<String> expected = Stream.concat(SECRET_FILES.stream(), PLAIN_FILES.stream()).collect(Collectors.toSet());
        assertEquals(expected, names(files.dir()), "exactly these files, nothing else");
        for (String name : SECRET_FILES) {
            assertEquals("r--------", mode(files.file(name)), name);
        }
        for (String name : PLAIN_FILES) {
            assertEquals("rw-------", mode(files.file(name)), name);
        }
        assertTrue(Files.readString(files.file(BundleFiles.SSH_KEY)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertTrue(Files.readString(files.file(BundleFiles.TLS_KEY)).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals(bundle.tlsCertificate(), Files.readString(files.file(BundleFiles.TLS_CERT)));
        assertEquals(bundle.tlsCaCertificates(), Files.readString(files.file(BundleFiles.TLS_CA)));
        assertTrue(Files.readString(files.file(BundleFiles.SSH_PUBLIC_KEY)).startsWith("ssh-ed25519 "));
        assertEquals(bundle.sshCertificate(), Files.readString(files.file(BundleFiles.SSH_CERT)).strip());
    }

    @Test
    void sshConfigPointsSshAtTheBundleKeyAndCertificateOnly() throws Exception {
        requireTool("ssh");
        BundleFiles files = write(parent);
        Path key = files.file(BundleFiles.SSH_KEY);
        Path cert = files.file(BundleFiles.SSH_CERT);
        String config = Files.readString(files.file(BundleFiles.SSH_CONFIG));

        assertTrue(config.contains("IdentityFile \"" + key + "\""), config);
        assertTrue(config.contains("CertificateFile \"" + cert + "\""), config);
        assertTrue(config.contains("IdentitiesOnly yes"), config);

        List<String> effective = run(tmp, "ssh", "-G", "-F", files.file(BundleFiles.SSH_CONFIG).toString(), "somehost")
                .lines().toList();
        assertTrue(effective.contains("identityfile " + key), String.join("\n", effective));
        assertTrue(effective.contains("certificatefile " + cert), String.join("\n", effective));
        assertTrue(effective.contains("identitiesonly yes"), String.join("\n", effective));
    }

    @Test
    void sshLoadsTheBundleKeyAndCertificateWhenConnecting() throws Exception {
        requireTool("ssh");
        assertSshLoadsTheBundleKeys(write(parent));
    }

    @Test
    void sshLoadsTheBundleKeyWhenTheParentPathContainsAPercentSign() throws Exception {
        // Jenkins names multibranch workspaces like "job_feature%2Fx"; ssh expands %-tokens in IdentityFile and
        // CertificateFile, so ssh_config must escape a literal '%' as "%%".
        requireTool("ssh");
        assertSshLoadsTheBundleKeys(write(tmp.resolve("job_feature%2Fx").resolve("tmp")));
    }

    @Test
    void identityFileHoldsSshKeyThenSshCertificateThenTlsCertificateThenCaCertificates() throws Exception {
        BundleFiles files = write(parent);
        String identity = Files.readString(files.file(BundleFiles.IDENTITY));

        int key = identity.indexOf(Files.readString(files.file(BundleFiles.SSH_KEY)));
        int sshCert = identity.indexOf("\n" + bundle.sshCertificate() + "\n");
        int tlsCert = identity.indexOf(bundle.tlsCertificate());
        int ca = identity.lastIndexOf(bundle.tlsCaCertificates());
        assertEquals(0, key, "the SSH private key comes first");
        assertTrue(sshCert > key, "then the SSH certificate on its own line");
        assertTrue(tlsCert > sshCert, "then the TLS certificate");
        assertTrue(ca > tlsCert, "then the CA certificates");
        assertEquals(List.of(Keys.certificates(bundle.tlsCertificate()).get(0), Keys.certificates(bundle.tlsCaCertificates()).get(0)),
                Keys.certificates(identity), "the certificates in the identity file, in order");
        assertFalse(identity.contains(Files.readString(files.file(BundleFiles.TLS_KEY))),
                "the TLS key is in tls.key, not in the identity file");
    }

    @Test
    void requestJsonDescribesTheRequestAndHoldsNoKey() throws Exception {
        BundleFiles files = write(parent);
        String text = Files.readString(files.file(BundleFiles.REQUEST_JSON));

        JsonNode doc = Json.mapper().readTree(text);

        assertEquals(bundle.requestId(), doc.path("access_request_id").asText());
        assertEquals(bundle.bot(), doc.path("bot").asText());
        assertEquals(bundle.principals(), Json.mapper().convertValue(doc.path("principals"), List.class));
        assertEquals(bundle.validAfter(), Instant.parse(doc.path("valid_after").asText()));
        assertEquals(bundle.validBefore(), Instant.parse(doc.path("valid_before").asText()));
        assertEquals(bundle.sshSerial(), doc.path("ssh_serial").asText());
        assertEquals(bundle.tlsSerial(), doc.path("tls_serial").asText());
        assertFalse(text.contains("PRIVATE KEY"), text);
    }

    @Test
    void environmentHasTheDocumentedVariablesPointingAtBundleFilesAndNoKeyMaterial() throws Exception {
        BundleFiles files = write(parent);

        Map<String, String> env = files.environment();

        assertEquals(Set.of("TELEPORT_IDENTITY_DIR", "TELEPORT_IDENTITY_FILE", "TELEPORT_SSH_CONFIG", "TELEPORT_SSH_KEY",
                "TELEPORT_SSH_CERT", "TELEPORT_TLS_KEY", "TELEPORT_TLS_CERT", "TELEPORT_TLS_CA", "TELEPORT_ACCESS_REQUEST_ID",
                "TELEPORT_BOT", "TELEPORT_CERT_VALID_BEFORE"), env.keySet());
        assertEquals(files.dir().toString(), env.get("TELEPORT_IDENTITY_DIR"));
        Map<String, String> fileVariables = Map.of(
                "TELEPORT_IDENTITY_FILE", BundleFiles.IDENTITY,
                "TELEPORT_SSH_CONFIG", BundleFiles.SSH_CONFIG,
                "TELEPORT_SSH_KEY", BundleFiles.SSH_KEY,
                "TELEPORT_SSH_CERT", BundleFiles.SSH_CERT,
                "TELEPORT_TLS_KEY", BundleFiles.TLS_KEY,
                "TELEPORT_TLS_CERT", BundleFiles.TLS_CERT,
                "TELEPORT_TLS_CA", BundleFiles.TLS_CA);
        fileVariables.forEach((variable, name) -> {
            Path p = Path.of(env.get(variable));
            assertEquals(files.file(name), p, variable);
            assertEquals(files.dir(), p.getParent(), variable);
            assertTrue(Files.isRegularFile(p), variable + " points at an existing file");
        });
        assertEquals(bundle.requestId(), env.get("TELEPORT_ACCESS_REQUEST_ID"));
        assertEquals(bundle.bot(), env.get("TELEPORT_BOT"));
        assertEquals(bundle.validBefore(), Instant.parse(env.get("TELEPORT_CERT_VALID_BEFORE")));
        for (Map.Entry<String, String> e : env.entrySet()) {
            assertFalse(e.getValue().contains("-----"), e.getKey() + " holds no PEM text");
            assertFalse(e.getValue().contains("ssh-ed25519"), e.getKey() + " holds no SSH key");
            for (String secretLine : base64Lines(Files.readString(files.file(BundleFiles.SSH_KEY)),
                    Files.readString(files.file(BundleFiles.TLS_KEY)))) {
                assertFalse(e.getValue().contains(secretLine), e.getKey() + " holds no private key material");
            }
        }
    }

    @Test
    void deleteRemovesTheWholeDirectoryAndNothingElse() throws Exception {
        Files.createDirectories(parent);
        Path neighbour = Files.writeString(parent.resolve("neighbour"), "not ours");
        BundleFiles files = write(parent);

        BundleWriter.delete(files.dir());

        assertFalse(Files.exists(files.dir()));
        assertEquals(Set.of("neighbour"), names(parent), "no entry of the bundle is left in the parent");
        assertTrue(Files.exists(neighbour));
    }

    @Test
    void deletingTwiceIsFine() throws Exception {
        BundleFiles files = write(parent);

        BundleWriter.delete(files.dir());
        BundleWriter.delete(files.dir());

        assertFalse(Files.exists(files.dir()));
        assertEquals(Set.of(), names(parent));
    }

    @Test
    void deleteRemovesReadOnlyFilesAndStrayFilesAddedToTheDirectory() throws Exception {
        BundleFiles files = write(parent);
        Path stray = Files.writeString(files.dir().resolve("known_hosts"), "added by a build step");
        Files.setPosixFilePermissions(stray, PosixFilePermissions.fromString("r--------"));
        Path sub = Files.createDirectory(files.dir().resolve("cache"));
        Files.writeString(sub.resolve("entry"), "more");
        assertEquals("r--------", mode(files.file(BundleFiles.SSH_KEY)));

        BundleWriter.delete(files.dir());

        assertFalse(Files.exists(files.dir()));
        assertEquals(Set.of(), names(parent));
    }

    @Test
    void preparedBundleHoldsTheKeysAndHandsOutOnlyTheirPublicHalves() throws Exception {
        requireTool("ssh-keygen");
        PreparedBundle prepared = BundleWriter.prepare(parent, "bot-ci");

        assertEquals(Set.of(BundleFiles.SSH_KEY, BundleFiles.TLS_KEY), names(prepared.dir()), "only the keys so far");
        assertTrue(prepared.sshPublicKey().startsWith("ssh-ed25519 "), prepared.sshPublicKey());
        assertTrue(prepared.tlsPublicKeyPem().startsWith("-----BEGIN PUBLIC KEY-----"), prepared.tlsPublicKeyPem());
        assertFalse(prepared.toString().contains("PRIVATE"), prepared.toString());
        String derived = run(tmp, "ssh-keygen", "-y", "-f", prepared.dir().resolve(BundleFiles.SSH_KEY).toString());
        assertEquals(prepared.sshPublicKey().split(" ")[1], derived.strip().split(" ")[1],
                "the public half belongs to the key written");
        String derivedTls = run(tmp, "openssl", "pkey", "-in", prepared.dir().resolve(BundleFiles.TLS_KEY).toString(), "-pubout");
        assertEquals(prepared.tlsPublicKeyPem().strip(), derivedTls.strip(), "the TLS public half belongs to tls.key");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Connects real ssh with the bundle's ssh_config to a loopback listener that takes its version line and hangs
     * up: by then ssh has loaded its identities, and {@code -v} says which files it read and of what type.
     */
    private void assertSshLoadsTheBundleKeys(BundleFiles files) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(60_000);
            Thread listener = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(60_000);
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                } catch (Exception ignored) {
                    // ssh failing before it connects shows in its output
                }
            });
            listener.setDaemon(true);
            listener.start();
            String out = execute(tmp, "ssh", "-v", "-T", "-F", files.file(BundleFiles.SSH_CONFIG).toString(),
                    "-p", String.valueOf(server.getLocalPort()), "-o", "BatchMode=yes", "-o", "ConnectTimeout=30",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                    "ci@" + server.getInetAddress().getHostAddress(), "true").output();
            listener.join(60_000);
            // type 3 is KEY_ED25519 in OpenSSH; -1 would mean the file was not found or unreadable.
            assertTrue(out.contains("identity file " + files.file(BundleFiles.SSH_KEY) + " type 3"), out);
            assertTrue(out.contains("certificate file " + files.file(BundleFiles.SSH_CERT) + " type "), out);
        }
    }

    private static String selfSigned(Path dir, String name) throws Exception {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + name, "-keyout", key.toString(), "-out", cert.toString(), "-days", "1");
        String pem = Files.readString(cert);
        assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----"), pem);
        return pem;
    }

    /** The base64 body lines of PEM texts (long enough that a match is not chance). */
    private static List<String> base64Lines(String... pems) {
        return Arrays.stream(pems).flatMap(String::lines).filter(l -> !l.startsWith("-----") && l.length() >= 16).toList();
    }

    private static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Runs a command in a directory, asserts exit code 0 and returns its output (stdout and stderr). */
    private static String run(Path dir, String... command) throws Exception {
        Result r = execute(dir, command);
        assertEquals(0, r.exit(), () -> String.join(" ", command) + " failed:\n" + r.output());
        return r.output();
    }

    private record Result(int exit, String output) {}

    /** Runs a command in a directory (60 s at most) and returns its exit code and output (stdout and stderr). */
    private static Result execute(Path dir, String... command) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out after 60 s: " + String.join(" ", command) + "\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    /** Fails under CI=true when the tool is missing (the suite must not shrink there), else skips with a message. */
    private static void requireTool(String name) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).anyMatch(Files::isExecutable);
        if (!found) {
            String what = name + " not installed (needed to check the identity directory with the real tool)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + what);
            }
            Assumptions.abort("skipped: " + what);
        }
    }
}
