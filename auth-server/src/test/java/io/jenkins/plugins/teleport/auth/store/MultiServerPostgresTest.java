package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.Bootstrap;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.cli.AuthServerCommand;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.Together;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several auth servers on one PostgreSQL: two server processes (real JVMs started with {@code teleport-auth start})
 * share one database and no in-memory state. Reviews and assumes spread over both resolve and claim exactly once;
 * revocation list numbers come from the store and increase across the servers. The two servers start once for
 * the class (each test makes its own requests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiServerPostgresTest {

    static final List<String> REVIEWERS = List.of("r0", "r1", "r2", "r3");

    @TempDir
    static Path dir;

    final List<Process> processes = new ArrayList<>();
    final ExecutorService pool = Executors.newFixedThreadPool(16);
    PostgresFixture pg;
    String url;
    IdentityFile admin;
    CertificateAuthority ca;
    URI[] servers;
    Path caKey;

    @BeforeAll
    void start() throws Exception {
        pg = PostgresFixture.requireOrSkip();
        url = pg.createDatabase();
        // One CA encryption key for both servers: they share the store, so they must open the same sealed CA keys.
        caKey = CaKeyEncryption.ensureKeyFile(dir.resolve("ca-encryption.key"));
        // Both start at once: they race to create the cluster's CAs, and must end up with the same ones.
        CompletableFuture<URI> one = CompletableFuture.supplyAsync(() -> launch("one"));
        CompletableFuture<URI> two = CompletableFuture.supplyAsync(() -> launch("two"));
        servers = new URI[] {one.get(90, TimeUnit.SECONDS), two.get(90, TimeUnit.SECONDS)};
        try (Store store = JdbcStore.postgres(url, pg.user(), pg.password(), Clock.systemUTC())) {
            ca = AuthServer.loadOrCreateAuthority(store, "multi", Clock.systemUTC(), CaKeyEncryption.load(
                    new ServerConfig.CaKeyEncryption(ServerConfig.KeySource.ofFile(caKey), null), System::getenv));
            admin = Bootstrap.adminIdentity(store, ca, Clock.systemUTC(), "admin", Duration.ofHours(1));
        }
        applyWalkthrough(REVIEWERS);
    }

    @AfterAll
    void stop() throws Exception {
        pool.shutdownNow();
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Starts {@code teleport-auth start} in its own JVM on an ephemeral port; its URL once it listens. */
    private URI launch(String name) {
        try {
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AuthServerCommand.class.getName(), "start",
                    "--listen", "127.0.0.1:0", "--cluster-name", "multi", "--data-dir", dir.resolve(name).toString(),
                    "--postgres-url", url, "--postgres-user", pg.user(), "--ca-key-file", caKey.toString())
                    .redirectError(log.toFile());
            Process p = pb.start();
            synchronized (processes) {
                processes.add(p);
            }
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
                int at = line.indexOf("listening on ");
                if (at >= 0) {
                    // Keep draining stdout so the server never blocks on a full pipe.
                    Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain-" + name);
                    drain.setDaemon(true);
                    drain.start();
                    return URI.create(line.substring(at + "listening on ".length()).strip());
                }
            }
            throw new AssertionError("server " + name + " did not start: " + Files.readString(log));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private TestClient client(int server, IdentityFile identity) {
        return new TestClient(servers[server], identity.sslContext());
    }

    private IdentityFile identity(ClientIdentity who) {
        KeyPair key = CertificateAuthority.newKeyPair();
        return new IdentityFile(key.getPrivate(), ca.issueClient(key.getPublic(), who, Duration.ofHours(1), Instant.now()),
                List.of(ca.certificate()));
    }

    private void applyWalkthrough(List<String> reviewers) throws Exception {
        TestClient a = client(0, admin);
        for (var doc : Json.yaml().readerFor(JsonNode.class).readValues(Files.readString(Path.of("..", "examples",
                "walkthrough.yaml"))).readAll()) {
            JsonNode node = (JsonNode) doc;
            Kind kind = Kind.fromWireName(node.path("kind").asText()).orElseThrow();
            assertEquals(201, a.post("/v1/" + kind.collection(), node).status());
        }
        for (String r : reviewers) {
            assertEquals(201, a.post("/v1/users", User.of(r, List.of("cab"))).status());
        }
    }

    private <T> List<T> together(List<Callable<T>> work) throws Exception {
        return Together.run(pool, work);
    }

    /** A request of alice's, approved by bob through server 0 and carol through server 1. */
    private String approvedRequest(boolean oneShot) {
        String id = createRequest(client(0, identity(ClientIdentity.user("alice"))), oneShot);
        client(0, identity(ClientIdentity.user("bob"))).post("/v1/access-requests/" + id + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        client(1, identity(ClientIdentity.user("carol"))).post("/v1/access-requests/" + id + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        return id;
    }

    private String createRequest(TestClient alice, boolean oneShot) {
        Response r = alice.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1234", Optional.of(Duration.ofHours(1)), Optional.empty(), oneShot));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("metadata").path("name").asText();
    }

    @Test
    void twoHundredReviewsOverTwoServersResolveEachOfFiftyRequestsExactlyOnce() throws Exception {
        List<String> reviewers = REVIEWERS;
        TestClient alice = client(0, identity(ClientIdentity.user("alice")));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(createRequest(alice, false));
        }
        Map<String, TestClient[]> clients = new HashMap<>();
        for (String r : reviewers) {
            IdentityFile id = identity(ClientIdentity.user(r));
            clients.put(r, new TestClient[] {client(0, id), client(1, id)});
        }
        Random random = new Random(8);
        List<Callable<Response>> reviews = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            for (int j = 0; j < reviewers.size(); j++) {
                String id = ids.get(i);
                TestClient c = clients.get(reviewers.get(j))[(i + j) % 2];
                ReviewVerdict verdict = random.nextInt(4) == 0 ? ReviewVerdict.DENIED : ReviewVerdict.APPROVED;
                reviews.add(() -> c.post("/v1/access-requests/" + id + "/reviews", new SubmitReview(verdict, "race")));
            }
        }
        List<Response> answers = together(reviews);
        assertEquals(200, answers.size());
        assertTrue(answers.stream().allMatch(r -> r.status() == 200 || r.code().equals("request_not_pending")), answers.toString());

        TestClient reader = client(1, admin);
        for (String id : ids) {
            JsonNode spec = reader.get("/v1/access-requests/" + id).json().path("spec");
            String state = spec.path("state").asText();
            List<String> verdicts = spec.path("reviews").findValuesAsText("proposed_state");
            long approvals = verdicts.stream().filter("APPROVED"::equals).count();
            long denials = verdicts.size() - approvals;
            if (state.equals("APPROVED")) {
                assertEquals(List.of(2L, 0L), List.of(approvals, denials), id + ": " + verdicts);
            } else {
                assertEquals("DENIED", state, id);
                assertEquals("DENIED", verdicts.get(verdicts.size() - 1), id + ": " + verdicts);
                assertTrue(denials == 1 && approvals < 2, id + ": " + verdicts);
            }
            List<String> events = reader.get("/v1/audit/events?request_id=" + id).json().path("items").findValuesAsText("event");
            assertEquals(1, events.stream().filter("access_request.update"::equals).count(), id + ": " + events);
            assertEquals(verdicts.size(), events.stream().filter("access_request.review"::equals).count(), id + ": " + events);
        }
    }

    @Test
    void eightAssumesOfAOneShotRequestSplitOverTwoServersGiveExactlyOneSuccess() throws Exception {
        String id = approvedRequest(true);
        IdentityFile bot = join();
        List<Callable<Response>> assumes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TestClient c = client(i % 2, bot);
            BotKeys keys = BotKeys.generate();
            assumes.add(() -> c.post("/v1/certs", keys.issueBody(id, Map.of())));
        }
        List<Response> answers = together(assumes);
        assertEquals(1, answers.stream().filter(r -> r.status() == 200).count(), answers.toString());
        assertTrue(answers.stream().filter(r -> r.status() != 200).allMatch(r -> r.code().equals("request_claimed")),
                answers.toString());
    }

    @Test
    void aRoleEditedThroughOneServerCountsAtTheOthersNextIssuance() throws Exception {
        // Server 0 remembers the bot and its roles from its first issuance (RecentRows); the role edited through server 1
        // must count at server 0's next issuance, which is decided and signed again from the store, not refused.
        String id = approvedRequest(false);
        TestClient atZero = client(0, join());
        Response first = atZero.post("/v1/certs", BotKeys.generate().issueBody(id, Map.of()));
        assertEquals(200, first.status(), first.toString());
        assertEquals("[\"deploy\"]", first.json().path("principals").toString());
        TestClient adminAtOne = client(1, admin);
        try {
            assertEquals(200, adminAtOne.put("/v1/roles/deploy", withLogins(adminAtOne, "deploy", "root")).status());
            Response second = atZero.post("/v1/certs", BotKeys.generate().issueBody(id, Map.of()));
            assertEquals(200, second.status(), second.toString());
            assertEquals("[\"deploy\",\"root\"]", second.json().path("principals").toString());
        } finally {
            assertEquals(200, adminAtOne.put("/v1/roles/deploy", withLogins(adminAtOne, "deploy")).status());
        }
    }

    /** Role deploy as stored now, with {@code logins} allowed. */
    private static JsonNode withLogins(TestClient admin, String... logins) {
        JsonNode role = admin.get("/v1/roles/deploy").json();
        ArrayNode allowed = ((ObjectNode) role.path("spec").path("allow")).putArray("logins");
        for (String login : logins) {
            allowed.add(login);
        }
        return role;
    }

    private IdentityFile join() {
        TestClient a = client(0, admin);
        String token = a.post("/v1/tokens", Map.of("bot_name", "jenkins-deploy")).json().path("token").asText();
        KeyPair key = CertificateAuthority.newKeyPair();
        Response joined = client(1, admin).post("/v1/join", Map.of("token", token, "bot_name", "jenkins-deploy",
                "public_key", Pem.encode(key.getPublic())));
        assertEquals(200, joined.status(), joined.toString());
        return new IdentityFile(key.getPrivate(), Pem.certificates(joined.json().path("certificate").asText()).get(0),
                List.of(ca.certificate()));
    }

    private static long crlNumber(byte[] der) throws Exception {
        X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue().longValueExact();
    }

    /** PROTOCOL.krl: magic (8 bytes), format version (4), then the KRL version (8). */
    private static long krlVersion(byte[] krl) {
        return ByteBuffer.wrap(krl, 12, 8).getLong();
    }

    @Test
    void crlNumbersAndKrlVersionsComeFromTheStoreAndIncreaseAcrossServers() throws Exception {
        TestClient[] admins = {client(0, admin), client(1, admin)};
        List<Long> crls = new ArrayList<>();
        List<Long> krls = new ArrayList<>();
        for (int step = 0; step < 6; step++) {
            TestClient s = admins[step % 2];
            crls.add(crlNumber(s.getBytes("/v1/revocations/crl")));
            krls.add(krlVersion(s.getBytes("/v1/revocations/krl")));
            assertEquals(crls.get(crls.size() - 1), crlNumber(s.getBytes("/v1/revocations/crl")),
                    "no change, no new list: the same server answers the same CRL");
            // A change to what is revoked: a lock on a (made-up) serial, created or removed.
            Response lock = s.post("/v1/locks", Map.of("metadata", Map.of("name", "l" + step),
                    "spec", Map.of("target", Map.of("serial", BigInteger.valueOf(1000 + step).toString(16)))));
            assertEquals(201, lock.status(), lock.toString());
        }
        for (int i = 1; i < crls.size(); i++) {
            assertTrue(crls.get(i) > crls.get(i - 1), "CRL numbers increase across servers: " + crls);
            assertTrue(krls.get(i) > krls.get(i - 1), "KRL versions increase across servers: " + krls);
        }
        assertTrue(crls.get(0) < 1_000_000, "numbers are counters, not clock readings: " + crls);
    }
}
