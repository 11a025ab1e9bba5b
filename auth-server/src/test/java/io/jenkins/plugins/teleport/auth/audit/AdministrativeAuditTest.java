package io.jenkins.plugins.teleport.auth.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every administrative change is audited, with who made it, in the change's transaction, and never with a secret. */
class AdministrativeAuditTest {

    @TempDir
    Path dir;

    TestCluster cluster;

    @BeforeEach
    void start() {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events").json().path("items").forEach(out::add);
        return out;
    }

    private List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.path("event").asText() + " " + e.path("fields").path("name").asText()).toList();
    }

    @Test
    void theWalkthroughsCreatesIdentitiesAndTokenAreEachAudited() throws Exception {
        int before = events().size();
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        for (String user : List.of("alice", "bob", "carol")) {
            Response signed = cluster.admin().post("/v1/users/" + user + "/certs",
                    Map.of("public_key", Pem.encode(CertificateAuthority.newKeyPair().getPublic())));
            assertEquals(200, signed.status(), signed.toString());
        }
        String token = cluster.token("jenkins-deploy", false);

        List<JsonNode> added = events().subList(before, events().size());
        assertEquals(List.of("role.created deploy", "role.created jenkins-deploy-bot", "role.created requester",
                "role.created cab", "bot.create jenkins-deploy", "user.create alice", "user.create bob", "user.create carol",
                "cert.create ", "cert.create ", "cert.create ", "join_token.create "), names(added));
        for (JsonNode e : added) {
            assertEquals("admin", e.path("user").asText(), "who made the change: " + e);
        }
        assertEquals(List.of("user:alice", "user:bob", "user:carol"), added.subList(8, 11).stream()
                .map(e -> e.path("fields").path("identity").asText()).toList());
        assertEquals("user", added.get(8).path("fields").path("cert_type").asText());
        assertEquals("TJT00I", added.get(11).path("code").asText());
        assertEquals("jenkins-deploy", added.get(11).path("fields").path("bot").asText());
        assertFalse(events().toString().contains(token), "the token's secret is in no event");
        assertEquals("requester", added.get(5).path("fields").path("roles").get(0).asText(), "user events name the roles");
    }

    @Test
    void updatesAndDeletesOfRolesUsersBotsTokensAndLocksAreAudited() {
        cluster.applyYaml("""
                kind: role
                version: v7
                metadata: {name: ops}
                ---
                kind: bot
                version: v1
                metadata: {name: build}
                spec: {roles: [ops]}
                ---
                kind: user
                version: v2
                metadata: {name: dave}
                spec: {roles: [ops]}
                """);
        int before = events().size();
        JsonNode role = cluster.admin().get("/v1/roles/ops").json();
        ((ObjectNode) role.path("spec")).putObject("options").put("max_session_ttl", "1h");
        assertEquals(200, cluster.admin().put("/v1/roles/ops", role).status());
        assertEquals(200, cluster.admin().put("/v1/users/dave", Map.of("kind", "user", "version", "v2",
                "metadata", Map.of("name", "dave"), "spec", Map.of("roles", List.of()))).status());
        String tokenName = cluster.admin().post("/v1/tokens", Map.of("bot_name", "build")).json().path("name").asText();
        assertEquals(204, cluster.admin().delete("/v1/tokens/" + tokenName).status());
        Response lock = cluster.admin().post("/v1/locks", Map.of("spec", Map.of("target", Map.of("bot", "build"))));
        assertEquals(204, cluster.admin().delete("/v1/locks/" + lock.json().path("metadata").path("name").asText()).status());
        assertEquals(204, cluster.admin().delete("/v1/bots/build").status());
        assertEquals(204, cluster.admin().delete("/v1/users/dave").status());
        assertEquals(204, cluster.admin().delete("/v1/roles/ops").status());

        List<JsonNode> added = events().subList(before, events().size());
        assertEquals(List.of("role.updated", "user.update", "join_token.create", "join_token.delete", "lock.created",
                "lock.deleted", "bot.delete", "user.delete", "role.deleted"),
                added.stream().map(e -> e.path("event").asText()).toList());
        assertEquals(2, added.get(0).path("fields").path("revision").asInt());
        assertEquals(tokenName, added.get(3).path("fields").path("token").asText());
        assertTrue(added.stream().allMatch(e -> e.path("user").asText().equals("admin")));
    }

    @Test
    void aRefusedChangeLeavesNoEvent() {
        int before = events().size();
        Response refused = cluster.user("nobody").post("/v1/roles", Map.of("kind", "role", "version", "v7",
                "metadata", Map.of("name", "sneaky")));
        assertEquals(401, refused.status(), "an unknown user: " + refused);
        Response invalid = cluster.admin().post("/v1/bots", Map.of("kind", "bot", "version", "v1",
                "metadata", Map.of("name", "b"), "spec", Map.of("roles", List.of("missing"))));
        assertEquals(400, invalid.status());
        assertEquals(before, events().size());
    }

    @Test
    void theBootstrapAdminIsAuditedAsBootstrap() {
        List<JsonNode> all = events();
        assertEquals(List.of("role.created", "user.create", "cert.create"),
                all.stream().limit(3).map(e -> e.path("event").asText()).toList());
        assertTrue(all.stream().limit(3).allMatch(e -> e.path("user").asText().equals("teleport-auth bootstrap")));
    }
}
