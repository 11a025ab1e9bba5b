package io.jenkins.plugins.teleport.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.api.Integration;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auth server as an OpenID Connect identity provider for AWS (Teleport's RFD 0119). Its tokens are checked by an
 * unrelated library (jose4j), as a relying party such as AWS STS checks them: discovery, then the JWKS, then the
 * token's signature, issuer, audience and expiry.
 */
class OidcIdentityProviderTest {

    static final String BUILD_URL = "https://jenkins.example.com/job/deploy/42/";
    static final String ROLE_ARN = "arn:aws:iam::123456789012:role/prod-deploy";

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient bot;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        cluster.apply(Integration.awsOidc("prod-deploy", ROLE_ARN, null),
                Integration.awsOidc("billing", "arn:aws:iam::123456789012:role/billing", null));
        // The requested role may use prod-deploy only.
        JsonNode deploy = cluster.admin().get("/v1/roles/deploy").json();
        ((ObjectNode) deploy.path("spec").path("allow")).putArray("rules").addObject()
                .<ObjectNode>set("resources", Json.mapper().valueToTree(List.of("integration")))
                .<ObjectNode>set("verbs", Json.mapper().valueToTree(List.of("use")))
                .set("names", Json.mapper().valueToTree(List.of("prod-deploy")));
        assertEquals(200, cluster.admin().put("/v1/roles/deploy", deploy).status());
        bot = cluster.client(cluster.join("jenkins-deploy"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Response token(IdentityFile identity, String integration) {
        return cluster.client(identity).post("/v1/oidc/token", Map.of("integration", integration));
    }

    /** A plain HTTPS GET that trusts the cluster CA and presents no certificate, returning status, headers and body. */
    HttpResponse<String> publicGet(String url) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(cluster.anonymousTls()).build();
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** What AWS STS does with a web identity token: discovery, then the JWKS, then the checks. */
    JwtClaims validateAsAws(String token, Instant at) throws Exception {
        JsonNode discovery = Json.mapper().readTree(publicGet(cluster.server().url() + "/.well-known/openid-configuration").body());
        String jwks = publicGet(discovery.path("jwks_uri").asText()).body();
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(0)
                .setExpectedIssuer(discovery.path("issuer").asText())
                .setExpectedAudience(Integration.DEFAULT_AUDIENCE)
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(new JsonWebKeySet(jwks).getJsonWebKeys()))
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .setEvaluationTime(NumericDate.fromSeconds(at.getEpochSecond()))
                .build();
        return consumer.processToClaims(token);
    }

    @Test
    void discoveryAndJwksArePublicCacheableAndSayWhatARelyingPartyNeeds() throws Exception {
        HttpResponse<String> d = publicGet(cluster.server().url() + "/.well-known/openid-configuration");
        assertEquals(200, d.statusCode());
        assertTrue(d.headers().firstValue("Cache-Control").orElse("").startsWith("public, max-age="), d.headers().toString());
        JsonNode doc = Json.mapper().readTree(d.body());
        assertEquals(cluster.server().url().toString(), doc.path("issuer").asText());
        assertEquals(cluster.server().url() + "/.well-known/jwks-oidc", doc.path("jwks_uri").asText());
        assertEquals(List.of("id_token"), List.of(doc.path("response_types_supported").get(0).asText()));
        assertEquals("public", doc.path("subject_types_supported").get(0).asText());
        assertEquals("RS256", doc.path("id_token_signing_alg_values_supported").get(0).asText());
        assertEquals("openid", doc.path("scopes_supported").get(0).asText());
        assertTrue(doc.path("claims_supported").toString().contains("access_request"), doc.toString());

        HttpResponse<String> k = publicGet(doc.path("jwks_uri").asText());
        assertTrue(k.headers().firstValue("Cache-Control").orElse("").startsWith("public, max-age="));
        JsonNode key = Json.mapper().readTree(k.body()).path("keys").get(0);
        assertEquals("RSA", key.path("kty").asText());
        assertEquals("sig", key.path("use").asText());
        assertEquals("RS256", key.path("alg").asText());
        assertFalse(key.path("kid").asText().isEmpty());
        assertFalse(key.has("d"), "no private part is published: " + key);
        assertEquals(2048, new java.math.BigInteger(1, java.util.Base64.getUrlDecoder().decode(key.path("n").asText())).bitLength());
    }

    @Test
    void aRequestBoundIdentityGetsATokenThatAnIndependentValidatorAccepts() throws Exception {
        String id = cluster.approvedDeployRequest(false);
        IdentityFile bound = cluster.requestBound(bot, id, Map.of("build_url", BUILD_URL), "1h");
        Response r = token(bound, "prod-deploy");
        assertEquals(200, r.status(), r.toString());
        assertEquals(ROLE_ARN, r.json().path("role_arn").asText());
        assertEquals("jenkins-deploy@" + id, r.json().path("role_session_name").asText());

        JwtClaims claims = validateAsAws(r.json().path("token").asText(), cluster.clock().instant());
        assertEquals("bot:jenkins-deploy", claims.getSubject());
        assertEquals(id, claims.getStringClaimValue("access_request"));
        assertEquals(List.of("deploy"), claims.getStringListClaimValue("roles"));
        assertEquals(BUILD_URL, claims.getStringClaimValue("build_url"));
        assertEquals(r.json().path("token_id").asText(), claims.getJwtId());
        assertTrue(claims.getIssuedAt().getValue() <= claims.getNotBefore().getValue());
        long lifetime = claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue();
        assertTrue(lifetime <= 3600, "at most one hour: " + lifetime);

        List<JsonNode> issued = new ArrayList<>();
        cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").forEach(e -> {
            if (e.path("event").asText().equals("oidc.token.issue")) {
                issued.add(e);
            }
        });
        assertEquals(1, issued.size());
        assertEquals("prod-deploy", issued.get(0).path("fields").path("integration").asText());
        assertEquals(claims.getJwtId(), issued.get(0).path("fields").path("jti").asText());
        assertFalse(issued.get(0).toString().contains(r.json().path("token").asText()), "the token itself is not audited");
    }

    @Test
    void aTokenNeverOutlivesTheRequestBoundCertificate() throws Exception {
        IdentityFile bound = cluster.requestBound(bot, cluster.approvedDeployRequest(false), Map.of(), "10m");
        Response r = token(bound, "prod-deploy");
        Instant expires = Instant.parse(r.json().path("expires").asText());
        assertTrue(!expires.isAfter(bound.certificate().getNotAfter().toInstant()), expires + " vs " + bound.certificate().getNotAfter());
        assertTrue(Duration.between(cluster.clock().instant(), expires).compareTo(Duration.ofMinutes(11)) < 0);
    }

    @Test
    void theTokenIsRefusedForAnIdentityThatIsNotRequestBound() {
        Response r = bot.post("/v1/oidc/token", Map.of("integration", "prod-deploy"));
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.message().contains("request-bound certificate"), r.message());
        assertEquals(403, cluster.admin().post("/v1/oidc/token", Map.of("integration", "prod-deploy")).status());
    }

    @Test
    void theTokenIsRefusedForAnIntegrationTheRequestsRolesCannotUse() {
        IdentityFile bound = cluster.requestBound(bot, cluster.approvedDeployRequest(false), Map.of(), "1h");
        Response billing = token(bound, "billing");
        assertEquals(403, billing.status(), billing.toString());
        assertTrue(billing.message().contains("may not use integration 'billing'"), billing.message());
        Response missing = token(bound, "no-such-integration");
        assertEquals(403, missing.status(), "the same answer whether or not it exists: " + missing);
        Response audience = cluster.client(bound).post("/v1/oidc/token", Map.of("integration", "prod-deploy", "audience", "other"));
        assertEquals(400, audience.status(), audience.toString());
    }

    @Test
    void aTokenSignedBeforeARotationValidatesUntilItExpiresAndTheOldKeyThenLeavesTheJwks() throws Exception {
        IdentityFile bound = cluster.requestBound(bot, cluster.approvedDeployRequest(false), Map.of(), "2h");
        String before = token(bound, "prod-deploy").json().path("token").asText();
        String oldKid = org.jose4j.jws.JsonWebSignature.fromCompactSerialization(before).getKeyIdHeaderValue();

        Response rotated = cluster.admin().post("/v1/authorities/oidc/rotate", Map.of());
        assertEquals(200, rotated.status(), rotated.toString());
        String newKid = rotated.json().path("active_key").asText();
        assertTrue(!newKid.equals(oldKid) && rotated.json().path("published_keys").toString().contains(oldKid), rotated.toString());

        Instant now = cluster.clock().instant();
        assertEquals("bot:jenkins-deploy", validateAsAws(before, now.plusSeconds(30 * 60)).getSubject(), "still valid after the rotation");
        String after = token(bound, "prod-deploy").json().path("token").asText();
        assertEquals(newKid, org.jose4j.jws.JsonWebSignature.fromCompactSerialization(after).getKeyIdHeaderValue());

        cluster.clock().advance(Duration.ofMinutes(61));
        String jwks = publicGet(cluster.server().url() + "/.well-known/jwks-oidc").body();
        assertFalse(jwks.contains(oldKid), "the old key is gone once its tokens have expired: " + jwks);
        assertTrue(jwks.contains(newKid));
        assertThrows(InvalidJwtException.class, () -> validateAsAws(before, cluster.clock().instant().minusSeconds(120)),
                "without its key, the old token no longer validates");
    }

    @Test
    void rotatingNeedsAnAdministrator() {
        Response r = cluster.user("alice").post("/v1/authorities/oidc/rotate", Map.of());
        assertEquals(403, r.status(), r.toString());
    }

    @Test
    void anIntegrationNeedsAnIamRoleArn() {
        Response bad = cluster.admin().post("/v1/integrations", Integration.awsOidc("bad", "arn:aws:s3:::bucket", null));
        assertEquals(400, bad.status(), bad.toString());
        assertTrue(bad.message().contains("is not an IAM role ARN"), bad.message());
        assertEquals(201, cluster.admin().post("/v1/integrations",
                Integration.awsOidc("gov", "arn:aws-us-gov:iam::123456789012:role/path/deploy", "my-audience")).status());
    }
}
