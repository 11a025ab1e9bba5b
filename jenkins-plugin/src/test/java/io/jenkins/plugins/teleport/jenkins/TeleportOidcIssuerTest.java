package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import hudson.model.UnprotectedRootAction;
import hudson.util.Secret;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import io.jenkins.plugins.teleport.stubs.FormSubmission;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.sf.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jenkins as an OpenID Connect identity provider, as the oidc-provider plugin makes it one: discovery and JWKS under
 * the unprotected root action {@code /teleport-oidc}, reached anonymously over HTTP; each build's ID token with the
 * claims the jenkins join needs, verified against the served JWKS; the signing key kept as a {@link Secret} and left
 * alone by form saves and Configuration as Code; a rotated-out key published until its tokens have expired.
 */
class TeleportOidcIssuerTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    RootActionServer controller;

    @BeforeEach
    void start() throws Exception {
        controller = new RootActionServer(new TeleportOidcIssuer());
        System.setProperty("jenkins.rootUrl", controller.rootUrl());
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    HttpResponse<String> call(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(controller.uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JWKSet jwks() throws Exception {
        HttpResponse<String> r = call("GET", "teleport-oidc/jwks");
        assertEquals(200, r.statusCode(), r.body());
        return JWKSet.parse(r.body());
    }

    @Test
    void discoveryAndJwksAreServedToAnonymousCallersWithCacheHeaders() throws Exception {
        assertTrue(UnprotectedRootAction.class.isAssignableFrom(TeleportOidcIssuer.class), "reachable without Overall/Read");
        TeleportOidcIssuer action = new TeleportOidcIssuer();
        assertNull(action.getIconFileName(), "in no menu");

        HttpResponse<String> discovery = call("GET", "teleport-oidc/.well-known/openid-configuration");
        assertEquals(200, discovery.statusCode(), discovery.body());
        assertTrue(discovery.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("public, max-age=3600", discovery.headers().firstValue("Cache-Control").orElse(""));
        JsonNode doc = Json.mapper().readTree(discovery.body());
        String issuer = controller.rootUrl() + "teleport-oidc";
        assertEquals(issuer, doc.path("issuer").asText(), "the Jenkins URL and the action's path");
        assertEquals(issuer + "/jwks", doc.path("jwks_uri").asText());
        assertEquals("[\"RS256\"]", doc.path("id_token_signing_alg_values_supported").toString());
        assertEquals("[\"id_token\"]", doc.path("response_types_supported").toString());
        assertEquals("[\"public\"]", doc.path("subject_types_supported").toString());
        for (String claim : List.of("sub", "job", "build_number", "build_url", "branch", "jti")) {
            assertTrue(doc.path("claims_supported").toString().contains("\"" + claim + "\""), claim);
        }

        HttpResponse<String> keys = call("GET", "teleport-oidc/jwks");
        assertEquals("public, max-age=300", keys.headers().firstValue("Cache-Control").orElse(""));
        JWKSet set = JWKSet.parse(keys.body());
        JWK key = set.getKeyByKeyId(TeleportGlobalConfiguration.get().getIdTokenKeyId());
        assertTrue(key != null, "the signing key is served: " + keys.body());
        assertTrue(set.getKeys().stream().noneMatch(JWK::isPrivate), "public halves only");
        assertFalse(keys.body().contains("\"d\""), keys.body());
        assertEquals("sig", key.getKeyUse().identifier());
        assertEquals(JWSAlgorithm.RS256, key.getAlgorithm());
    }

    @Test
    void nothingElseIsServedAndOnlyGetAndHeadAreAllowed() throws Exception {
        assertEquals(404, call("GET", "teleport-oidc/").statusCode());
        assertEquals(404, call("GET", "teleport-oidc/jwks/").statusCode());
        assertEquals(404, call("GET", "teleport-oidc/.well-known/openid-configuration/../../jwks%2F").statusCode());
        assertEquals(404, call("GET", "teleport-oidc/%2Ejwks").statusCode());
        HttpResponse<String> post = call("POST", "teleport-oidc/jwks");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> head = call("HEAD", "teleport-oidc/jwks");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void withoutAJenkinsUrlThereIsNoIssuerAndTheMessageNamesTheSetting() throws Exception {
        System.clearProperty("jenkins.rootUrl");
        HttpResponse<String> discovery = call("GET", "teleport-oidc/.well-known/openid-configuration");
        assertEquals(404, discovery.statusCode());
        assertTrue(discovery.body().contains("Manage Jenkins, System, Jenkins URL"), discovery.body());
        assertTrue(TeleportGlobalConfiguration.get().getIdTokenIssuer().contains("set the Jenkins URL"));
    }

    @Test
    void aBuildsIdTokenNamesItsJobBuildAndBranchForTheClusterAndLivesAtMostFiveMinutes() throws Exception {
        TestJob job = new TestJob("deploy/prod");
        job.contributeForTest("BRANCH_NAME", "main");
        TestRun run = new TestRun(job, 42);
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

        SignedJWT jwt = SignedJWT.parse(TeleportOidcIssuer.idToken(run, "teleport.example.com", clock));
        JWK key = jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue(key != null, "the token's kid is in the served JWKS");
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertTrue(jwt.verify(new RSASSAVerifier(key.toRSAKey())), "signed by the served key");
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertEquals(controller.rootUrl() + "teleport-oidc", c.getIssuer());
        assertEquals(List.of("teleport.example.com"), c.getAudience());
        assertEquals("deploy/prod", c.getSubject());
        assertEquals("deploy/prod", c.getStringClaim("job"));
        assertEquals(42L, c.getLongClaim("build_number"));
        assertEquals(controller.rootUrl() + "job/deploy/job/prod/42/", c.getStringClaim("build_url"));
        assertEquals("main", c.getStringClaim("branch"));
        assertEquals(clock.instant(), c.getIssueTime().toInstant());
        assertTrue(Duration.between(c.getIssueTime().toInstant(), c.getExpirationTime().toInstant()).compareTo(Duration.ofMinutes(5)) <= 0);
        assertNotEquals(c.getJWTID(), SignedJWT.parse(TeleportOidcIssuer.idToken(run, "teleport.example.com", clock))
                .getJWTClaimsSet().getJWTID(), "a new jti for every token");
    }

    @Test
    void theBranchComesFromTheJobNotFromABuildParameter() throws Exception {
        TestJob job = new TestJob("deploy");
        TestRun run = new TestRun(job, 1);
        assertEquals("", TeleportOidcIssuer.branch(job), "not a multibranch branch: no branch");
        SignedJWT jwt = SignedJWT.parse(TeleportOidcIssuer.idToken(run, "c", Clock.systemUTC()));
        assertNull(jwt.getJWTClaimsSet().getClaim("branch"));
    }

    @Test
    void theSigningKeyIsKeptAsASecretAndNeitherAFormSaveNorConfigurationAsCodeReplacesIt() throws Exception {
        TeleportGlobalConfiguration config = TeleportGlobalConfiguration.get();
        String kid = config.getIdTokenKeyId();
        for (Field f : IdTokenKeys.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers()) && f.getName().toLowerCase().contains("private")) {
                assertEquals(Secret.class, f.getType(), f + ": what is saved of the private key is a Secret (encrypted on disk)");
            }
        }

        config.configure(FormSubmission.of(new JSONObject()), new JSONObject()); // Manage Jenkins, Security, Save
        assertEquals(kid, config.getIdTokenKeyId(), "a form save keeps the key");
        Object yaml = Json.yaml().readValue(ConfigurationAsCodeTest.README_YAML, java.util.Map.class);
        ConfigurationAsCodeTest.applyGlobal(yaml);
        assertEquals(kid, config.getIdTokenKeyId(), "a Configuration as Code (re)load keeps the key");
        for (var m : TeleportGlobalConfiguration.class.getMethods()) {
            assertFalse(m.getName().toLowerCase().contains("idtoken") && m.getName().startsWith("set"),
                    m + ": no property Configuration as Code could set or export");
        }
    }

    @Test
    void onlyAnAdministratorRotatesTheSigningKeyByPostAndTheOldKeyStaysPublished() throws Exception {
        TeleportGlobalConfiguration config = TeleportGlobalConfiguration.get();
        String before = config.getIdTokenKeyId();
        assertTrue(TeleportGlobalConfiguration.class.getMethod("doRotateIdTokenKey").isAnnotationPresent(org.kohsuke.stapler.verb.POST.class));
        try (var ignored = FormValidationTest.as("reader", "hudson.model.Hudson.Read")) {
            assertThrows(org.springframework.security.access.AccessDeniedException.class, config::doRotateIdTokenKey);
        }
        assertEquals(before, config.getIdTokenKeyId(), "a refused rotation changes nothing");
        hudson.util.FormValidation done;
        try (var ignored = FormValidationTest.as("admin", jenkins.model.Jenkins.ADMINISTER.getId())) {
            done = config.doRotateIdTokenKey();
        }
        String after = config.getIdTokenKeyId();
        assertNotEquals(before, after);
        assertTrue(done.getMessage().contains(after) && done.getMessage().contains(before), done.getMessage());
        assertEquals(java.util.Set.of(before, after), jwks().getKeys().stream().map(JWK::getKeyID).collect(java.util.stream.Collectors.toSet()),
                "both keys in the served JWKS");
    }

    @Test
    void aRotatedOutKeyStaysPublishedUntilTheTokensItSignedHaveExpired() throws Exception {
        IdTokenKeys before = IdTokenKeys.create();
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        String oldToken = before.signer().sign(new io.jenkins.plugins.teleport.client.oidc.BuildIdTokens.Claims("https://j/teleport-oidc",
                "c", "deploy", 1, "https://j/job/deploy/1/", ""), Clock.fixed(now, ZoneOffset.UTC));
        IdTokenKeys after = before.rotated(now);
        assertNotEquals(before.signer().keyId(), after.signer().keyId());

        String oldKid = SignedJWT.parse(oldToken).getHeader().getKeyID();
        JWKSet soon = JWKSet.parse(after.jwks(now.plus(Duration.ofMinutes(5))));
        assertEquals(2, soon.getKeys().size());
        assertTrue(SignedJWT.parse(oldToken).verify(new RSASSAVerifier(soon.getKeyByKeyId(oldKid).toRSAKey())),
                "a token signed just before the rotation still verifies");
        JWKSet later = JWKSet.parse(after.jwks(now.plus(IdTokenKeys.PREVIOUS_KEY_KEPT).plusSeconds(1)));
        assertEquals(List.of(after.signer().keyId()), later.getKeys().stream().map(JWK::getKeyID).toList(), "then only the new key");
        assertTrue(IdTokenKeys.PREVIOUS_KEY_KEPT.compareTo(io.jenkins.plugins.teleport.client.oidc.BuildIdTokens.LIFETIME) > 0);
    }
}
