package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.auth.testing.Tools;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request-bound certificates against the real tools relying parties use: ssh-keygen reads them, a real sshd that
 * trusts the CA accepts them until release and refuses them after (KRL), and openssl reads the CRL.
 */
class OpenSshInteropTest {

    static final String LOGIN = System.getProperty("user.name");

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient bot;
    String requestId;
    Process sshd;

    @BeforeEach
    void start() {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        cluster.applyYaml("""
                kind: role
                metadata: {name: login-here}
                spec: {allow: {logins: [%s]}}
                ---
                kind: role
                metadata: {name: interop-bot}
                spec: {allow: {request: {roles: [login-here]}}}
                ---
                kind: role
                metadata: {name: interop-people}
                spec: {allow: {request: {bots: [interop]}, review_requests: {roles: [login-here]}}}
                ---
                kind: bot
                metadata: {name: interop}
                spec: {roles: [interop-bot]}
                ---
                kind: user
                metadata: {name: requester}
                spec: {roles: [interop-people]}
                ---
                kind: user
                metadata: {name: reviewer}
                spec: {roles: [interop-people]}
                """.formatted(LOGIN));
        Response created = cluster.user("requester").post("/v1/access-requests", new CreateAccessRequest("interop",
                List.of("login-here"), "interop test", Optional.of(Duration.ofHours(1)), Optional.empty(), false));
        requestId = created.json().path("metadata").path("name").asText();
        assertEquals(200, cluster.user("reviewer").post("/v1/access-requests/" + requestId + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "ok")).status());
        bot = cluster.client(cluster.join("interop"));
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.destroy();
        }
        cluster.close();
    }

    /** ssh-keygen makes the SSH key (as a user would); the server signs its public half. Returns the certificate path. */
    Path issueCertificate(BotKeys tlsKeys) throws IOException {
        String keygen = Tools.require("ssh-keygen", "openssh-client");
        assertEquals(0, Tools.run(dir, keygen, "-q", "-t", "ed25519", "-N", "", "-f", "id_ed25519").exit());
        Map<String, Object> body = tlsKeys.issueBody(requestId, Map.of("ssh_public_key",
                Files.readString(dir.resolve("id_ed25519.pub")).strip()));
        Response issued = bot.post("/v1/certs", body);
        assertEquals(200, issued.status(), issued.toString());
        Files.writeString(dir.resolve("id_ed25519-cert.pub"), issued.json().path("ssh_certificate").asText() + "\n");
        Files.writeString(dir.resolve("tls.crt"), issued.json().path("tls_certificate").asText());
        Files.writeString(dir.resolve("ca.crt"), String.join("", List.of(issued.json().path("tls_ca_certificates").get(0).asText())));
        return dir.resolve("id_ed25519-cert.pub");
    }

    void release() {
        assertEquals(200, bot.post("/v1/access-requests/" + requestId + "/release", Map.of()).status());
    }

    void refreshKrl() throws IOException {
        Files.write(dir.resolve("revoked.krl"), cluster.anonymous().getBytes("/v1/revocations/krl"));
    }

    @Test
    void sshKeygenShowsThePrincipalsTheValidityAndTheRequestExtension() throws IOException {
        Path cert = issueCertificate(BotKeys.generate());
        Tools.Result shown = Tools.run(dir, Tools.require("ssh-keygen", "openssh-client"), "-L", "-f", cert.toString());
        assertEquals(0, shown.exit(), shown.output());
        String out = shown.output();
        assertTrue(out.contains("user certificate"), out);
        assertTrue(out.contains("Key ID: \"bot:interop request:" + requestId), out);
        assertTrue(Pattern.compile("Principals: \\n\\s+" + Pattern.quote(LOGIN) + "\\n").matcher(out).find(), out);
        assertTrue(Pattern.compile("Valid: from \\S+ to \\S+").matcher(out).find(), out);
        assertTrue(out.contains("permit-pty"), out);
        for (String off : List.of("permit-agent-forwarding", "permit-port-forwarding", "permit-X11-forwarding", "permit-user-rc")) {
            assertFalse(out.contains(off), "no role grants " + off + ": " + out);
        }
        // ssh-keygen shows extensions it does not know as hex: an SSH string holding the JSON.
        Matcher ext = Pattern.compile("teleport-active-requests UNKNOWN OPTION: ([0-9a-f]+)").matcher(out);
        assertTrue(ext.find(), out);
        String json = new String(HexFormat.of().parseHex(ext.group(1).substring(8)), StandardCharsets.UTF_8);
        assertEquals("{\"access_requests\":[\"" + requestId + "\"]}", json);
    }

    @Test
    void sshKeygenShowsTheForwardingPermitsARequestedRoleGrants() throws IOException {
        var role = cluster.admin().get("/v1/roles/login-here").json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) role.path("spec")).putObject("options")
                .put("forward_agent", true).put("port_forwarding", true);
        assertEquals(200, cluster.admin().put("/v1/roles/login-here", role).status());
        Path cert = issueCertificate(BotKeys.generate());
        String out = Tools.run(dir, Tools.require("ssh-keygen", "openssh-client"), "-L", "-f", cert.toString()).output();
        assertTrue(out.contains("permit-agent-forwarding") && out.contains("permit-port-forwarding") && out.contains("permit-pty"), out);
        assertFalse(out.contains("permit-X11-forwarding"), "X11 is still not granted: " + out);
    }

    @Test
    void aRealSshdAcceptsTheCertificateUntilItIsReleasedThenTheKrlRefusesIt() throws Exception {
        String sshdPath = Tools.require("sshd", "openssh-server");
        String ssh = Tools.require("ssh", "openssh-client");
        String keygen = Tools.require("ssh-keygen", "openssh-client");
        Path cert = issueCertificate(BotKeys.generate());
        Files.write(dir.resolve("ca.pub"), cluster.anonymous().getBytes("/v1/ca/ssh"));
        refreshKrl();
        assertEquals(0, Tools.run(dir, keygen, "-q", "-t", "ed25519", "-N", "", "-f", "host_key").exit());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                "PidFile " + dir.resolve("sshd.pid"), "TrustedUserCAKeys " + dir.resolve("ca.pub"),
                "RevokedKeys " + dir.resolve("revoked.krl"), "AuthorizedKeysFile none", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "UsePAM no", "StrictModes no",
                "PermitRootLogin prohibit-password", "LogLevel VERBOSE", ""));
        if ("root".equals(LOGIN)) {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        }
        sshd = new ProcessBuilder(sshdPath, "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        awaitListening(port);

        String[] login = {ssh, "-F", "/dev/null", "-i", dir.resolve("id_ed25519").toString(), "-o", "CertificateFile=" + cert,
                "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", Integer.toString(port), LOGIN + "@127.0.0.1", "true"};
        Tools.Result before = Tools.run(dir, login);
        assertEquals(0, before.exit(), before.output() + "\nsshd log:\n" + Files.readString(dir.resolve("sshd.log")));
        assertTrue(Files.readString(dir.resolve("sshd.log")).contains("request:" + requestId), "sshd logs name the request");
        assertEquals(0, Tools.run(dir, keygen, "-Q", "-f", dir.resolve("revoked.krl").toString(), cert.toString()).exit());

        release();
        refreshKrl();
        Tools.Result query = Tools.run(dir, keygen, "-Q", "-f", dir.resolve("revoked.krl").toString(), cert.toString());
        assertNotEquals(0, query.exit(), query.output());
        assertTrue(query.output().contains("REVOKED"), query.output());
        Tools.Result after = Tools.run(dir, login);
        assertNotEquals(0, after.exit(), "a released certificate must not log in: " + after.output());
    }

    @Test
    void aLockOnAnSshSerialPutsTheCertificateInTheKrlUntilTheLockIsRemoved() throws IOException {
        String keygen = Tools.require("ssh-keygen", "openssh-client");
        Path cert = issueCertificate(BotKeys.generate());
        String serial = Long.toString(BotKeys.parseSsh(Files.readString(cert).strip()).getSerial());
        Response lock = cluster.admin().post("/v1/locks", Map.of("spec", Map.of("target", Map.of("serial", serial))));
        assertEquals(201, lock.status(), lock.toString());
        refreshKrl();
        assertNotEquals(0, Tools.run(dir, keygen, "-Q", "-f", dir.resolve("revoked.krl").toString(), cert.toString()).exit());
        assertEquals(204, cluster.admin().delete("/v1/locks/" + lock.json().path("metadata").path("name").asText()).status());
        refreshKrl();
        assertEquals(0, Tools.run(dir, keygen, "-Q", "-f", dir.resolve("revoked.krl").toString(), cert.toString()).exit());
    }

    @Test
    void opensslVerifiesTheCertificateAndListsItInTheCrlAfterRelease() throws IOException {
        String openssl = Tools.require("openssl", "openssl");
        issueCertificate(BotKeys.generate());
        Tools.Result verify = Tools.run(dir, openssl, "verify", "-CAfile", "ca.crt", "tls.crt");
        assertEquals(0, verify.exit(), verify.output());
        assertTrue(verify.output().contains("tls.crt: OK"), verify.output());

        release();
        Files.write(dir.resolve("crl.pem"), cluster.anonymous().getBytes("/v1/revocations/crl?format=pem"));
        Tools.Result crl = Tools.run(dir, openssl, "crl", "-in", "crl.pem", "-noout", "-text");
        assertEquals(0, crl.exit(), crl.output());
        String serial = Pem.certificates(Files.readString(dir.resolve("tls.crt"))).get(0).getSerialNumber().toString(16).toUpperCase();
        assertTrue(crl.output().replace(":", "").contains(serial), "CRL lists " + serial + ":\n" + crl.output());
        Tools.Result revoked = Tools.run(dir, openssl, "verify", "-crl_check", "-CAfile", "ca.crt", "-CRLfile", "crl.pem", "tls.crt");
        assertNotEquals(0, revoked.exit());
        assertTrue(revoked.output().contains("certificate revoked"), revoked.output());
    }

    static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("sshd did not start listening on port " + port);
    }
}
