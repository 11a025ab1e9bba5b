package io.jenkins.plugins.teleport.client.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.Keys;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request scope against a real auth server on a loopback port: acquire, run, always release and delete. */
class RequestScopeTest {

    static final Path WALKTHROUGH = Path.of("..", "examples", "walkthrough.yaml");
    static final AuthClient.Settings FAST = new AuthClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(10), 1, Duration.ofMillis(10));

    @TempDir
    Path dir;

    TestCluster cluster;
    List<String> progress = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        cluster.applyYaml(Files.readString(WALKTHROUGH));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    String request(int approvals) {
        Response r = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1", Optional.of(Duration.ofHours(2)), Optional.empty(), false));
        String id = r.json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol").subList(0, approvals)) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        return id;
    }

    RequestScope scope(String requestId, String bot, String caPin) {
        Path tokenFile = dir.resolve("token-" + bot);
        try {
            if (!Files.exists(tokenFile)) {
                Files.writeString(tokenFile, cluster.token(bot, true) + "\n");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new RequestScope(new RequestScope.Options(cluster.server().url(), caPin, bot, tokenFile, new RequestId(requestId),
                Optional.empty(), Map.of("build_url", "https://ci.example.com/job/1/"), dir.resolve("bundles"),
                new PendingReleases(dir.resolve("pending"), Clock.systemUTC()), FAST, Duration.ZERO), progress::add, Clock.systemUTC());
    }

    RequestScope scope(String requestId) {
        return scope(requestId, "jenkins-deploy", cluster.server().ca().pin());
    }

    List<String> events(String id, String type) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items")) {
            if (e.path("event").asText().equals(type)) {
                out.add(e.toString());
            }
        }
        return out;
    }

    long bundles() throws Exception {
        Path parent = dir.resolve("bundles");
        if (!Files.isDirectory(parent)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(parent)) {
            return s.count();
        }
    }

    static String run(Path workDir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theBodySeesTheBundleThenTheCertificatesAreReleasedAndTheFilesDeleted() throws Exception {
        String id = request(2);
        Path[] seen = new Path[1];
        String shown = scope(id).run(files -> {
            seen[0] = files.dir();
            assertEquals(id, files.environment().get("TELEPORT_ACCESS_REQUEST_ID"));
            assertTrue(Files.isRegularFile(Path.of(files.environment().get("TELEPORT_SSH_CERT"))));
            return run(dir, "ssh-keygen", "-L", "-f", files.file(BundleFiles.SSH_CERT).toString());
        });
        assertTrue(shown.contains("request:" + id) && shown.contains("deploy"), shown);
        assertFalse(Files.exists(seen[0]), "the bundle is deleted");
        assertEquals(0, bundles());
        assertEquals(1, events(id, "cert.release").size(), "released once");
        assertTrue(events(id, "cert.create").get(0).contains("https://ci.example.com/job/1/"));
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(
                new ByteArrayInputStream(cluster.anonymous().getBytes("/v1/revocations/crl")));
        assertEquals(1, crl.getRevokedCertificates().size());
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("released access request " + id)), progress.toString());
        assertTrue(progress.stream().noneMatch(l -> l.contains("PRIVATE KEY")), "no key material in progress lines");
    }

    @Test
    void codeInsideTheBlockCannotMintCertificatesForAnotherRequestWithTheBlocksTlsKey() throws Exception {
        String mine = request(2);
        String other = request(2);
        AuthServerException[] refused = new AuthServerException[2];
        scope(mine).run(files -> {
            // What a build step could do with the environment the block gives it.
            Map<String, String> env = files.environment();
            BotIdentity stolen = new BotIdentity("jenkins-deploy", Keys.readPrivateKey(Files.readString(Path.of(env.get("TELEPORT_TLS_KEY")))),
                    Keys.certificates(Files.readString(Path.of(env.get("TELEPORT_TLS_CERT")))).get(0),
                    Keys.certificates(Files.readString(Path.of(env.get("TELEPORT_TLS_CA")))));
            AuthClient client = AuthClient.create(cluster.server().url(), cluster.server().ca().pin(), FAST).as(stolen);
            var ssh = Keys.ed25519();
            var tls = Keys.p256();
            refused[0] = assertThrows(AuthServerException.class, () -> client.issue(new IssueCertificates(other,
                    Keys.sshPublicKey(ssh.getPublic(), "x"), Keys.publicKeyPem(tls.getPublic()), Optional.empty(), Map.of())));
            refused[1] = assertThrows(AuthServerException.class, () -> client.release(RequestId.parse(other, "requestId"), Map.of()));
            return null;
        });
        for (AuthServerException e : refused) {
            assertEquals(ErrorCode.ACCESS_DENIED, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("needs the bot's join identity"), e.getMessage());
        }
        assertEquals(0, events(other, "cert.create").size(), "nothing was issued for the other request");
        assertEquals(0, events(other, "cert.release").size());
        assertEquals(2, events(mine, "request_identity.denied").size(), "each refusal is audited");
    }

    @Test
    void aWrongCaPinFailsBeforeAnythingIsSentAndShowsBothPins() throws Exception {
        String id = request(2);
        String otherPin = CertificateAuthority.generate("other", Clock.systemUTC()).pin();
        TeleportException e = assertThrows(TeleportException.CaPinMismatchException.class,
                () -> scope(id, "jenkins-deploy", otherPin).run(files -> "never"));
        assertTrue(e.getMessage().contains(otherPin) && e.getMessage().contains(cluster.server().ca().pin()), e.getMessage());
        assertEquals(0, bundles());
        assertTrue(cluster.admin().get("/v1/audit/events").json().path("items").toString().indexOf("bot.join") < 0,
                "nothing reached the server");
    }

    @Test
    void aPendingRequestFailsBeforeAnythingIsWritten() throws Exception {
        String id = request(1);
        AuthServerException e = assertThrows(AuthServerException.RequestNotUsableException.class, () -> scope(id).run(files -> "never"));
        assertEquals(ErrorCode.REQUEST_PENDING, e.code());
        assertTrue(e.getMessage().contains("is PENDING: cab: 1 of 2 approvals"), e.getMessage());
        assertEquals(0, bundles());
        assertEquals(List.of(), events(id, "cert.create"));
    }

    @Test
    void aDeniedRequestFailsBeforeAnythingIsWritten() throws Exception {
        String id = request(0);
        cluster.user("carol").post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.DENIED, "no"));
        AuthServerException e = assertThrows(AuthServerException.RequestNotUsableException.class, () -> scope(id).run(files -> "never"));
        assertEquals(ErrorCode.REQUEST_DENIED, e.code());
        assertEquals(0, bundles());
    }

    @Test
    void anExpiredRequestFailsBeforeAnythingIsWritten() throws Exception {
        // Made and approved three hours ago (the server's clock turned back, then forward again), so its 2h are over;
        // the bot joins at the real time, as TLS checks certificates against the real time.
        cluster.clock().advance(Duration.ofHours(-3));
        String id = request(2);
        cluster.clock().advance(Duration.ofHours(3));
        AuthServerException e = assertThrows(AuthServerException.RequestNotUsableException.class, () -> scope(id).run(files -> "never"));
        assertEquals(ErrorCode.REQUEST_EXPIRED, e.code());
        assertEquals(0, bundles());
    }

    @Test
    void anotherBotsRequestFailsBeforeAnythingIsWrittenNamingBothBots() throws Exception {
        String id = request(2);
        cluster.apply(Bot.of("build", List.of("jenkins-deploy-bot")));
        AuthServerException e = assertThrows(AuthServerException.NotAllowedException.class,
                () -> scope(id, "build", cluster.server().ca().pin()).run(files -> "never"));
        assertTrue(e.getMessage().contains("is for bot 'jenkins-deploy', this identity is bot 'build'"), e.getMessage());
        assertEquals(0, bundles());
    }

    @Test
    void aFailingBodyStillReleasesAndDeletes() throws Exception {
        String id = request(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scope(id).run(files -> {
            throw new IllegalStateException("deploy failed");
        }));
        assertEquals("deploy failed", e.getMessage());
        assertEquals(0, bundles());
        assertEquals(1, events(id, "cert.release").size());
    }

    @Test
    void anInterruptedRunStillReleases() throws Exception {
        String id = request(2);
        assertThrows(InterruptedException.class, () -> scope(id).run(files -> {
            Thread.currentThread().interrupt();
            throw new InterruptedException("build aborted");
        }));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
        assertEquals(0, bundles());
        assertEquals(1, events(id, "cert.release").size());
    }

    @Test
    void aReleaseThatCannotReachTheServerIsKeptAndFinishedAfterARestart() throws Exception {
        String id = request(2);
        RequestScope scope = scope(id);
        RequestScope.Acquired acquired = scope.acquire();
        cluster.stop();
        acquired.close();
        assertEquals(0, bundles(), "the files are deleted even though the release waits");
        PendingReleases pending = new PendingReleases(dir.resolve("pending"), Clock.systemUTC());
        assertEquals(1, pending.files().size(), progress.toString());
        String recorded = Files.readString(pending.files().get(0));
        assertTrue(recorded.contains(id));
        assertFalse(recorded.contains("PRIVATE KEY") || recorded.contains(Files.readString(dir.resolve("token-jenkins-deploy")).strip()),
                "no key material and no token in the record, only where the token file is");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pending.files().get(0))));

        cluster.restart();
        assertEquals(0, pending.retry(RequestScope.tokenFileRejoin(FAST), Duration.ofSeconds(30), progress::add));
        assertEquals(List.of(), pending.files());
        assertEquals(1, events(id, "cert.release").size(), "released after the restart: nothing lost");
    }

    PendingReleases.Pending pendingFor(java.net.URI server, String id, java.time.Instant validBefore) {
        return new PendingReleases.Pending(server, cluster.server().ca().pin(), id, "jenkins-deploy", List.of(), validBefore,
                Map.of(), dir.resolve("token-jenkins-deploy").toString(), "");
    }

    @Test
    void oneDeadServerDelaysOnlyItsOwnPendingReleasesAndNothingIsGivenUpBeforeItExpires() throws Exception {
        String id = request(2);
        RequestScope.Acquired acquired = scope(id).acquire(); // writes the token file; certificates to release
        java.time.Instant until = acquired.issued().validBefore();
        int deadPort;
        try (var s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        PendingReleases pending = new PendingReleases(dir.resolve("pending-2"), Clock.systemUTC());
        java.net.URI dead = java.net.URI.create("https://127.0.0.1:" + deadPort);
        pending.record(pendingFor(dead, request(2), until));
        pending.record(pendingFor(dead, request(2), until));
        pending.record(pendingFor(cluster.server().url(), id, until));

        assertEquals(2, pending.retry(RequestScope.tokenFileRejoin(FAST), Duration.ofSeconds(30), progress::add));
        assertEquals(1, events(id, "cert.release").size(), "the live server's release is done");
        assertEquals(1, progress.stream().filter(l -> l.contains("still cannot reach")).count(),
                "after the first unreachable record, that server is not tried again this round: " + progress);

        PendingReleases later = new PendingReleases(dir.resolve("pending-2"), Clock.offset(Clock.systemUTC(), Duration.ofDays(1)));
        assertEquals(0, later.retry(RequestScope.tokenFileRejoin(FAST), Duration.ofSeconds(30), progress::add));
        assertTrue(progress.stream().anyMatch(l -> l.contains("given up: its certificates expired")), progress.toString());
        acquired.close();
    }

    @Test
    void aRefusedPendingReleaseIsKeptUntilItsCertificatesExpire() throws Exception {
        String id = request(2);
        RequestScope.Acquired acquired = scope(id).acquire();
        PendingReleases pending = new PendingReleases(dir.resolve("pending-3"), Clock.systemUTC());
        pending.record(pendingFor(cluster.server().url(), id, acquired.issued().validBefore()));
        PendingReleases.Rejoin refused = p -> {
            throw new io.jenkins.plugins.teleport.client.AuthServerException.NotAllowedException(ErrorCode.ACCESS_DENIED,
                    "credentials gone");
        };
        assertEquals(1, pending.retry(refused, Duration.ofSeconds(30), progress::add));
        assertEquals(1, pending.files().size(), "kept: the credentials may come back before the certificates expire");
        acquired.close();
    }
}
