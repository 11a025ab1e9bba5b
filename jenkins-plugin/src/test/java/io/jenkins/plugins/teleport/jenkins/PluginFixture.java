package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import hudson.util.Secret;
import io.jenkins.plugins.teleport.api.Integration;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A real auth server with the README's walkthrough resources, and Jenkins configured to use it. */
final class PluginFixture implements AutoCloseable {

    static final String CREDENTIALS_ID = "jenkins-deploy-bot";

    final TestCluster cluster;
    final String token;

    PluginFixture(Path dir) throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("auth"));
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        token = cluster.token("jenkins-deploy", true);
        BotSessions.clear();
        for (Path pending : PendingReleaseRetry.store(java.time.Clock.systemUTC()).files()) {
            Files.deleteIfExists(pending); // another test's
        }
        CredentialsProvider.STORE.clear();
        CredentialsProvider.TRACKED.clear();
        CredentialsProvider.STORE.add(new TeleportBotCredentials(CredentialsScope.GLOBAL, CREDENTIALS_ID, "deploy bot",
                "jenkins-deploy", Secret.fromString(token)));
        TeleportServer server = new TeleportServer("dev", cluster.server().url().toString(), cluster.server().ca().pin());
        server.setCredentialsId(CREDENTIALS_ID);
        TeleportGlobalConfiguration.get().setServers(List.of(server));
        System.setProperty("jenkins.rootUrl", "https://jenkins.example.com/");
    }

    /** A request for the bot, approved by as many of bob and carol as asked (two are needed). */
    String request(int approvals) {
        return request(approvals, false);
    }

    /** As {@link #request(int)}, one-shot if asked: claimed by its first issuance. */
    String request(int approvals, boolean oneShot) {
        String id = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1234", Optional.of(Duration.ofHours(2)), Optional.empty(), oneShot)).json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol").subList(0, approvals)) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        return id;
    }

    /** An aws-oidc integration, and the requested role {@code deploy} may {@code use} it (as docs/oidc.md sets it up). */
    void allowIntegration(String name, String roleArn) {
        cluster.apply(Integration.awsOidc(name, roleArn, null));
        JsonNode deploy = cluster.admin().get("/v1/roles/deploy").json();
        ObjectNode rule = ((ObjectNode) deploy.path("spec").path("allow")).putArray("rules").addObject();
        rule.putArray("resources").add("integration");
        rule.putArray("verbs").add("use");
        rule.putArray("names").add(name);
        if (cluster.admin().put("/v1/roles/deploy", deploy).status() != 200) {
            throw new IllegalStateException("cannot let role deploy use integration " + name);
        }
    }

    List<JsonNode> events(String requestId, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : cluster.admin().get("/v1/audit/events?request_id=" + requestId).json().path("items")) {
            if (e.path("event").asText().equals(type)) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        cluster.close();
        BotSessions.clear();
    }
}
