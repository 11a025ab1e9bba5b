package io.jenkins.plugins.teleport.client.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.jenkins.plugins.teleport.api.Integration;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.BundleWriter;
import io.jenkins.plugins.teleport.client.scope.PendingReleases;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import io.jenkins.plugins.teleport.client.scope.RequestScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web identity token in a request scope, against the real auth server: asked as the request-bound identity, written owner-only. */
public class AwsWebIdentityTest {

    public static final String ROLE_ARN = "arn:aws:iam::123456789012:role/prod-deploy";

    @TempDir
    Path dir;

    TestCluster cluster;
    final List<String> progress = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        allowIntegration(cluster, "prod-deploy", ROLE_ARN);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** An aws-oidc integration, and the requested role {@code deploy} may use it (as docs/oidc.md sets it up). */
    public static void allowIntegration(TestCluster cluster, String name, String roleArn) {
        cluster.apply(Integration.awsOidc(name, roleArn, null));
        JsonNode deploy = cluster.admin().get("/v1/roles/deploy").json();
        ((ObjectNode) deploy.path("spec").path("allow")).putArray("rules").addObject()
                .<ObjectNode>set("resources", Json.mapper().valueToTree(List.of("integration")))
                .<ObjectNode>set("verbs", Json.mapper().valueToTree(List.of("use")))
                .set("names", Json.mapper().valueToTree(List.of(name)));
        assertEquals(200, cluster.admin().put("/v1/roles/deploy", deploy).status());
    }

    RequestScope.Acquired acquire() throws Exception {
        String id = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1", Optional.of(Duration.ofHours(2)), Optional.empty(), false)).json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, cluster.token("jenkins-deploy", true));
        return new RequestScope(new RequestScope.Options(cluster.server().url(), cluster.server().ca().pin(), "jenkins-deploy", tokenFile,
                new RequestId(id), Optional.of(Duration.ofHours(2)), Map.of(), dir.resolve("bundles"),
                new PendingReleases(dir.resolve("pending"), Clock.systemUTC()), AuthClient.Settings.DEFAULT, Duration.ZERO),
                progress::add, Clock.systemUTC()).acquire();
    }

    @Test
    void theTokenIsAskedAsTheRequestBoundIdentityAndWrittenOwnerOnlyForTheAwsSdks() throws Exception {
        try (RequestScope.Acquired scope = acquire()) {
            Path identity = scope.files().dir();
            AwsWebIdentity.Grant grant = AwsWebIdentity.fetch(cluster.server().url(), cluster.server().ca().pin(), identity, "prod-deploy",
                    Clock.systemUTC());
            Path file = identity.resolve(AwsWebIdentity.TOKEN_FILE);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            SignedJWT token = SignedJWT.parse(Files.readString(file));
            JWKSet jwks = JWKSet.parse(cluster.anonymous().get("/.well-known/jwks-oidc").json().toString());
            assertTrue(token.verify(new RSASSAVerifier((RSAKey) jwks.getKeyByKeyId(token.getHeader().getKeyID()))), "signed by the auth server");
            assertEquals("bot:jenkins-deploy", token.getJWTClaimsSet().getSubject());
            assertEquals(scope.issued().accessRequestId(), token.getJWTClaimsSet().getStringClaim("access_request"));
            assertEquals(grant.tokenId(), token.getJWTClaimsSet().getJWTID());
            assertFalse(token.getJWTClaimsSet().getExpirationTime().toInstant().isAfter(scope.issued().validBefore()),
                    "never beyond the request-bound certificate");
            assertEquals(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", file.toString(), "AWS_ROLE_ARN", ROLE_ARN,
                    "AWS_ROLE_SESSION_NAME", "jenkins-deploy@" + scope.issued().accessRequestId()), grant.environment(identity));

            AwsWebIdentity.Grant again = AwsWebIdentity.fetch(cluster.server().url(), cluster.server().ca().pin(), identity, "prod-deploy",
                    Clock.systemUTC());
            assertNotEquals(grant.tokenId(), again.tokenId());
            assertEquals(again.tokenId(), SignedJWT.parse(Files.readString(file)).getJWTClaimsSet().getJWTID(), "the file is replaced");
            try (var left = Files.list(identity)) {
                assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file is left behind");
            }
        }
    }

    @Test
    void anIntegrationTheRequestedRolesMayNotUseIsRefusedWithTheServersReason() throws Exception {
        cluster.apply(Integration.awsOidc("billing", "arn:aws:iam::123456789012:role/billing", null));
        try (RequestScope.Acquired scope = acquire()) {
            AuthServerException e = assertThrows(AuthServerException.class, () -> AwsWebIdentity.fetch(cluster.server().url(),
                    cluster.server().ca().pin(), scope.files().dir(), "billing", Clock.systemUTC()));
            assertTrue(e.getMessage().contains("may not use integration 'billing'"), e.getMessage());
            assertFalse(Files.exists(scope.files().dir().resolve(AwsWebIdentity.TOKEN_FILE)));
        }
    }

    @Test
    void noTokenIsFetchedOnceTheBlocksIdentityDirectoryIsGone() throws Exception {
        Path identity;
        try (RequestScope.Acquired scope = acquire()) {
            identity = scope.files().dir();
        }
        assertFalse(Files.exists(identity));
        TeleportException e = assertThrows(TeleportException.class, () -> AwsWebIdentity.fetch(cluster.server().url(),
                cluster.server().ca().pin(), identity, "prod-deploy", Clock.systemUTC()));
        assertTrue(e.getMessage().contains("is gone"), e.getMessage());
        assertFalse(Files.exists(identity), "the directory is not made again");
    }

    @Test
    void theBotsJoinIdentityGetsNoTokenOnlyARequestBoundOneDoes() throws Exception {
        AuthClient client = AuthClient.create(cluster.server().url(), cluster.server().ca().pin());
        AuthClient asBot = client.as(client.join("jenkins-deploy", cluster.token("jenkins-deploy", false)));
        Path fake = Files.createDirectories(dir.resolve("not-a-bundle"));
        AuthServerException e = assertThrows(AuthServerException.class, () -> AwsWebIdentity.fetch(asBot, fake, "prod-deploy", Clock.systemUTC()));
        assertTrue(e.getMessage().contains("request-bound"), e.getMessage());
        BundleWriter.delete(fake);
    }
}
