package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.auth.http.Route;
import io.jenkins.plugins.teleport.auth.http.Routes;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request-bound identities cannot reissue (Teleport's DisallowReissue, checked in its generateUserCerts): the X.509
 * certificate issued for request R may read R and release R, and nothing else. Each refusal is audited.
 */
class RequestBoundIdentityTest {

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient bot;
    String mine;
    String other;
    TestClient bound;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(AssumeRequestTest.WALKTHROUGH));
        bot = cluster.client(cluster.join("jenkins-deploy"));
        mine = cluster.approvedDeployRequest(false);
        other = cluster.approvedDeployRequest(false);
        bound = boundTo(mine);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** What code inside a block holds: the request's TLS key and certificate (TELEPORT_TLS_KEY, TELEPORT_TLS_CERT). */
    private TestClient boundTo(String id) {
        BotKeys keys = BotKeys.generate();
        Response issued = bot.post("/v1/certs", keys.issueBody(id, Map.of("usage", Map.of("build_url", "https://ci/job/a/1/"))));
        assertEquals(200, issued.status(), issued.toString());
        return cluster.client(new IdentityFile(keys.tls().getPrivate(), BotKeys.parseTls(issued.json().path("tls_certificate").asText()),
                List.of(cluster.server().ca().certificate())));
    }

    private List<JsonNode> refusals() {
        List<JsonNode> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events").json().path("items").forEach(e -> {
            if (e.path("event").asText().equals("request_identity.denied")) {
                out.add(e);
            }
        });
        return out;
    }

    private static void assertDenied(Response r) {
        assertEquals(403, r.status(), r.toString());
        assertEquals("access_denied", r.code(), r.toString());
        assertTrue(r.message().contains("may only read and release its own access request"), r.message());
        assertTrue(r.message().contains("needs the bot's join identity"), "says what to use instead: " + r.message());
    }

    @Test
    void aRequestBoundIdentityCannotMintCertificatesForAnotherApprovedRequestOfTheSameBot() {
        assertDenied(bound.post("/v1/certs", BotKeys.generate().issueBody(other, Map.of())));
        List<JsonNode> refused = refusals();
        assertEquals(1, refused.size());
        assertEquals(mine, refused.get(0).path("request_id").asText());
        assertEquals("POST", refused.get(0).path("fields").path("method").asText());
        assertEquals("/v1/certs", refused.get(0).path("fields").path("path").asText());
        assertEquals("jenkins-deploy", refused.get(0).path("user").asText());
        assertFalse(cluster.admin().get("/v1/access-requests/" + other).json().path("spec").has("assume_start_time"),
                "nothing was issued for the other request");
    }

    @Test
    void aRequestBoundIdentityCannotReissueForItsOwnRequestEither() {
        assertDenied(bound.post("/v1/certs", BotKeys.generate().issueBody(mine, Map.of())));
        assertEquals(1, refusals().size());
    }

    @Test
    void aRequestBoundIdentityCannotReleaseAnotherBuildsRequest() {
        TestClient otherBuild = boundTo(other);
        assertDenied(bound.post("/v1/access-requests/" + other + "/release", Map.of()));
        assertEquals(200, otherBuild.get("/v1/access-requests/" + other).status(), "the other build's certificate still works");
        assertEquals(1, refusals().size());
    }

    @Test
    void aRequestBoundIdentityReadsAndReleasesItsOwnRequest() {
        Response read = bound.get("/v1/access-requests/" + mine);
        assertEquals(200, read.status(), read.toString());
        Response released = bound.post("/v1/access-requests/" + mine + "/release", Map.of());
        assertEquals(200, released.status(), released.toString());
        assertEquals(2, released.json().path("revoked_serials").size());
        assertEquals(List.of(), refusals());
    }

    @Test
    void theJoinIdentityStillIssuesAndReleases() {
        assertEquals(200, bot.post("/v1/certs", BotKeys.generate().issueBody(other, Map.of())).status());
        assertEquals(200, bot.post("/v1/access-requests/" + other + "/release", Map.of()).status());
    }

    @Test
    void aRequestBoundIdentityIsRefusedOnEveryOtherEndpoint() {
        Set<String> open = Set.of("GET /v1/ping", "GET /v1/ca/ssh", "GET /v1/revocations/krl", "GET /v1/revocations/crl",
                "GET /.well-known/openid-configuration", "GET /.well-known/jwks-oidc",
                // An OIDC token for its own request is what a request-bound identity is for (OidcIdentityProviderTest).
                "POST /v1/oidc/token");
        Set<String> own = Set.of("GET /v1/access-requests/{id}", "POST /v1/access-requests/{id}/release");
        int tried = 0;
        for (Route route : Routes.shape()) {
            String key = route.method() + " " + route.template();
            if (open.contains(key)) {
                continue;
            }
            // Own-request routes are tried on the other request; everything else with plausible parameters.
            String path = route.template().replace("{id}", other).replace("{name}", "jenkins-deploy");
            Response r = bound.call(route.method(), path, route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}");
            assertDenied(r);
            tried++;
            if (own.contains(key)) {
                continue;
            }
            Response onMine = bound.call(route.method(), route.template().replace("{id}", mine).replace("{name}", "x"),
                    route.method().equals("GET") || route.method().equals("DELETE") ? null : "{}");
            assertDenied(onMine);
            tried++;
        }
        assertTrue(tried > 30, "every authenticated route was tried: " + tried);
        assertEquals(tried, refusals().size(), "each refusal is audited");
    }
}
