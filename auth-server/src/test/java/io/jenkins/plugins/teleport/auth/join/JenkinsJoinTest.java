package io.jenkins.plugins.teleport.auth.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jenkins join method against a controller stand-in: ID tokens signed like the plugin signs them, keys served as a
 * JWKS over HTTP on loopback. Each bad token is refused with its reason, to the caller and in {@code join.failed}.
 */
class JenkinsJoinTest {

    @TempDir
    Path dir;

    TestCluster cluster;
    HttpServer controller;
    String issuer;
    RSAKey key;
    final AtomicReference<JWKSet> served = new AtomicReference<>();
    final AtomicInteger jwksFetches = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        key = rsa();
        served.set(new JWKSet(key.toPublicJWK()));
        controller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controller.createContext("/teleport-oidc/jwks", exchange -> {
            jwksFetches.incrementAndGet();
            byte[] body = served.get().toString(true).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        controller.start();
        issuer = "http://127.0.0.1:" + controller.getAddress().getPort() + "/teleport-oidc";
        Response token = cluster.admin().put("/v1/tokens/jenkins-prod", Map.of("kind", "token", "version", "v2",
                "metadata", Map.of("name", "jenkins-prod"),
                "spec", Map.of("join_method", "jenkins", "bot_name", "jenkins-deploy", "jenkins", Map.of(
                        "issuer", issuer, "jwks_uri", issuer + "/jwks",
                        "allow", List.of(Map.of("job", "deploy/*", "branch", "main"))))));
        assertEquals(201, token.status(), token.toString());
    }

    @AfterEach
    void stop() {
        controller.stop(0);
        cluster.close();
    }

    static RSAKey rsa() throws Exception {
        return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE).generate();
    }

    /** The claims the plugin puts in a build's ID token, for {@code job} and {@code branch}. */
    JWTClaimsSet.Builder claims(String job, String branch) {
        Instant now = cluster.clock().instant();
        return new JWTClaimsSet.Builder().issuer(issuer).audience(cluster.server().config().clusterName())
                .subject(job).claim("job", job).claim("branch", branch).claim("build_number", 42)
                .claim("build_url", "https://jenkins.example.com/job/deploy/job/prod/42/")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .jwtID(UUID.randomUUID().toString());
    }

    static String signed(RSAKey with, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    String idToken(Consumer<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet.Builder b = claims("deploy/prod", "main");
        change.accept(b);
        return signed(key, key.getKeyID(), b.build());
    }

    Response join(String idToken) {
        return join(idToken, CertificateAuthority.newKeyPair());
    }

    Response join(String idToken, KeyPair pair) {
        return cluster.anonymous().post("/v1/join", Map.of("join_method", "jenkins", "token", "jenkins-prod",
                "bot_name", "jenkins-deploy", "public_key", Pem.encode(pair.getPublic()), "id_token", idToken));
    }

    /** Joins with {@code idToken}; the bot identity it yields. */
    @Test
    void aBotThatJoinedThroughJenkinsAsksOnlyForItsJobAndARuleMayApproveItsBranch() throws Exception {
        cluster.applyYaml("""
                kind: review_rule
                version: v1
                metadata: {name: main-is-fine}
                spec:
                  roles: [deploy]
                  condition: 'equals(request.jenkins_branch, "main") && equals(request.jenkins_job, "deploy/prod")'
                  decision: APPROVED
                  reason: main of deploy/prod is approved by policy
                """);
        TestClientHolder prod = new TestClientHolder(cluster.client(joined(idToken(b -> { }))));
        Response asked = prod.client.post("/v1/access-requests", Map.of("bot", "jenkins-deploy", "roles", List.of("deploy"),
                "reason", "build 42"));
        assertEquals(201, asked.status(), asked.toString());
        assertEquals("deploy/prod", asked.json().path("spec").path("jenkins_job").asText(), "restricted to the job it joined for");
        assertEquals("main", asked.json().path("spec").path("jenkins_branch").asText());
        assertEquals("review-rule:main-is-fine", asked.json().path("spec").path("reviews").get(0).path("author").asText(),
                "the rule's condition saw the job and branch");
        assertEquals("PENDING", asked.json().path("status").path("state").asText(),
                "and its review does not meet the board's cab-filtered threshold");

        Response elsewhere = prod.client.post("/v1/access-requests", Map.of("bot", "jenkins-deploy", "roles", List.of("deploy"),
                "reason", "build 42", "jenkins_job", "deploy/test"));
        assertEquals(400, elsewhere.status(), elsewhere.toString());
    }

    /** A client, named for readability in the test above. */
    record TestClientHolder(io.jenkins.plugins.teleport.auth.testing.TestClient client) {}

    IdentityFile joined(String idToken) {
        KeyPair pair = CertificateAuthority.newKeyPair();
        Response r = join(idToken, pair);
        assertEquals(200, r.status(), r.toString());
        return new IdentityFile(pair.getPrivate(), Pem.certificates(r.json().path("certificate").asText()).get(0),
                List.of(cluster.server().ca().certificate()));
    }

    List<String> failures() {
        List<String> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events").json().path("items").forEach(e -> {
            if (e.path("event").asText().equals("join.failed")) {
                out.add(e.path("fields").path("reason").asText());
            }
        });
        return out;
    }

    void assertRefused(String idToken, String reason) {
        int before = failures().size();
        Response r = join(idToken);
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.message().contains(reason), "the caller is told why: " + r.message());
        List<String> after = failures();
        assertEquals(before + 1, after.size());
        assertTrue(after.get(after.size() - 1).contains(reason), "join.failed has the reason: " + after);
    }

    @Test
    void aBuildsIdTokenJoinsAndTheIdentityNamesItsJobAndBranch() throws Exception {
        Response r = join(idToken(b -> { }));
        assertEquals(200, r.status(), r.toString());
        ClientIdentity identity = ClientIdentity.of(Pem.certificates(r.json().path("certificate").asText()).get(0)).orElseThrow();
        assertEquals("jenkins-deploy", identity.name());
        assertEquals(Optional.of(new ClientIdentity.Jenkins("deploy/prod", "main")), identity.jenkins());
        JsonNode joined = cluster.admin().get("/v1/audit/events").json().path("items").findParents("event").stream()
                .filter(e -> e.path("event").asText().equals("bot.join")).findFirst().orElseThrow();
        assertEquals("jenkins", joined.path("fields").path("join_method").asText());
        assertEquals("deploy/prod", joined.path("fields").path("jenkins_job").asText());
    }

    @Test
    void wrongIssuerIsRefused() throws Exception {
        assertRefused(idToken(b -> b.issuer("https://other-jenkins.example.com/teleport-oidc")), "wrong issuer");
    }

    @Test
    void wrongAudienceIsRefused() throws Exception {
        assertRefused(idToken(b -> b.audience("another-cluster")), "wrong audience");
    }

    @Test
    void anExpiredTokenIsRefusedAfterTheLeeway() throws Exception {
        Instant now = cluster.clock().instant();
        assertEquals(200, join(idToken(b -> b.expirationTime(Date.from(now.minusSeconds(20))))).status(), "within 30 s of leeway");
        assertRefused(idToken(b -> b.issueTime(Date.from(now.minusSeconds(400))).expirationTime(Date.from(now.minusSeconds(60)))),
                "expired at");
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        Instant later = cluster.clock().instant().plusSeconds(120);
        assertRefused(idToken(b -> b.notBeforeTime(Date.from(later))), "not valid before");
        assertRefused(idToken(b -> b.issueTime(Date.from(later)).notBeforeTime(null).expirationTime(Date.from(later.plusSeconds(60)))),
                "issued in the future");
    }

    @Test
    void aBadSignatureIsRefused() throws Exception {
        RSAKey impostor = rsa();
        assertRefused(signed(impostor, key.getKeyID(), claims("deploy/prod", "main").build()), "bad signature");
    }

    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        assertRefused(new PlainJWT(claims("deploy/prod", "main").build()).serialize(), "alg none");
    }

    @Test
    void anHmacTokenKeyedWithThePublicKeyIsRefused() throws Exception {
        SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(),
                claims("deploy/prod", "main").build());
        hs.sign(new MACSigner(key.toPublicKey().getEncoded()));
        assertRefused(hs.serialize(), "signed with HS256");
    }

    @Test
    void anUnknownKeyIdIsRefusedAndTheJwksIsFetchedAgainAtMostTwiceEveryThirtySeconds() throws Exception {
        assertEquals(200, join(idToken(b -> { })).status());
        assertEquals(1, jwksFetches.get());
        RSAKey rotated = rsa();
        served.set(new JWKSet(List.of(key.toPublicJWK(), rotated.toPublicJWK())));
        assertEquals(200, join(signed(rotated, rotated.getKeyID(), claims("deploy/prod", "main").build())).status(),
                "an unknown kid makes the server fetch the controller's keys again");
        assertEquals(2, jwksFetches.get());
        RSAKey unknown = rsa();
        assertRefused(signed(unknown, unknown.getKeyID(), claims("deploy/prod", "main").build()), "unknown key id");
        assertEquals(2, jwksFetches.get(), "no third fetch within the interval: a flood of made-up kids costs nothing");
    }

    @Test
    void aReusedJtiIsRefused() throws Exception {
        String once = idToken(b -> { });
        assertEquals(200, join(once).status());
        assertRefused(once, "already used to join");
    }

    @Test
    void aJobOrBranchNoRuleAllowsIsRefused() throws Exception {
        assertRefused(signed(key, key.getKeyID(), claims("build/test", "main").build()), "matches no allow rule");
        assertRefused(signed(key, key.getKeyID(), claims("deploy/prod", "feature-1").build()), "matches no allow rule");
    }

    @Test
    void aRequestRestrictedToAJobRefusesIdentitiesThatJoinedForAnotherJob() throws Exception {
        Response created = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), "CHG-1", Optional.of(Duration.ofHours(1)), Optional.empty(), false, "deploy/prod", "main"));
        assertEquals(201, created.status(), created.toString());
        assertEquals("deploy/prod", created.json().path("spec").path("jenkins_job").asText());
        String id = created.json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        IdentityFile prod = joined(idToken(b -> { }));
        IdentityFile test = joined(signed(key, key.getKeyID(), claims("deploy/test", "main").build()));

        Response refused = cluster.client(test).post("/v1/certs", BotKeys.generate().issueBody(id, Map.of()));
        assertEquals(403, refused.status(), refused.toString());
        assertTrue(refused.message().contains("is restricted to job deploy/prod, branch main; this identity joined for job "
                + "deploy/test, branch main"), refused.message());
        Response tokenJoined = cluster.client(cluster.join("jenkins-deploy")).post("/v1/certs", BotKeys.generate().issueBody(id, Map.of()));
        assertEquals(403, tokenJoined.status());
        assertTrue(tokenJoined.message().contains("did not join through Jenkins"), tokenJoined.message());
        assertEquals(200, cluster.client(prod).post("/v1/certs", BotKeys.generate().issueBody(id, Map.of())).status());
    }
}
