package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewRule;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
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

/**
 * The pipeline asks: a bot requests for itself the roles its own roles allow, with their thresholds and rules; it
 * never reviews; its requests are one-shot unless they say otherwise; it cancels them; and automatic review rules
 * (after Teleport's RFD 201) review requests as they are created.
 */
class BotRequestsTest {

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient bot;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        cluster.applyYaml("""
                kind: role
                version: v7
                metadata: {name: staging-deploy}
                spec: {allow: {logins: [staging]}}
                ---
                kind: role
                version: v7
                metadata: {name: staging-bot}
                spec: {allow: {request: {roles: [staging-deploy], max_duration: 1h}}}
                """);
        JsonNode jenkinsDeploy = cluster.admin().get("/v1/bots/jenkins-deploy").json();
        assertEquals(200, cluster.admin().put("/v1/bots/jenkins-deploy", Bot.of("jenkins-deploy",
                List.of("jenkins-deploy-bot", "staging-bot"))).status(), jenkinsDeploy.toString());
        bot = cluster.client(cluster.join("jenkins-deploy"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Response ask(TestClient as, String role, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("bot", "jenkins-deploy", "roles", List.of(role),
                "reason", "deploy build 42"));
        body.putAll(extra);
        return as.post("/v1/access-requests", body);
    }

    List<JsonNode> events(String id) {
        List<JsonNode> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").forEach(out::add);
        return out;
    }

    @Test
    void aBotRequestsForItselfWithTheThresholdsOfItsRolesAndTheRequestIsOneShot() {
        Response r = ask(bot, "deploy", Map.of());
        assertEquals(201, r.status(), r.toString());
        JsonNode spec = r.json().path("spec");
        assertEquals("bot:jenkins-deploy", spec.path("requested_by").asText());
        assertEquals("jenkins-deploy", spec.path("user").asText());
        assertTrue(spec.path("one_shot").asBoolean(), "a bot's requests are one-shot by default");
        assertEquals("cab: 0 of 2 approvals", r.json().path("status").path("progress").asText());
        assertFalse(ask(bot, "deploy", Map.of("one_shot", false)).json().path("spec").path("one_shot").asBoolean(),
                "unless the request says otherwise");
    }

    @Test
    void aBotMayRequestOnlyWhatItsRolesAllowAndOnlyForItself() {
        Response notAllowed = ask(bot, "cab", Map.of());
        assertEquals(403, notAllowed.status(), notAllowed.toString());
        assertTrue(notAllowed.message().contains("may not request role 'cab'"), notAllowed.message());
        cluster.apply(Bot.of("other", List.of("staging-bot")));
        Response forOther = bot.post("/v1/access-requests", Map.of("bot", "other", "roles", List.of("staging-deploy")));
        assertEquals(403, forOther.status(), forOther.toString());
        assertTrue(forOther.message().contains("may request access only for itself"), forOther.message());
    }

    @Test
    void theReasonRulesOfTheBotsRolesApply() {
        Response noReason = bot.post("/v1/access-requests", Map.of("bot", "jenkins-deploy", "roles", List.of("deploy")));
        assertEquals(400, noReason.status(), noReason.toString());
        assertTrue(noReason.message().contains("reason is required"), noReason.message());
    }

    @Test
    void aBotNeverReviewsItsOwnRequest() {
        String id = ask(bot, "deploy", Map.of()).json().path("metadata").path("name").asText();
        Response r = bot.post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "me"));
        assertEquals(403, r.status(), r.toString());
    }

    @Test
    void theBotThatAskedCancelsItsRequestAndItsCertificatesAreRevoked() {
        String id = ask(bot, "deploy", Map.of()).json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        IdentityFile bound = cluster.requestBound(bot, id, Map.of(), "1h");
        Response cancelled = bot.post("/v1/access-requests/" + id + "/cancel", Map.of("reason", "build aborted"));
        assertEquals(200, cancelled.status(), cancelled.toString());
        assertEquals("CANCELLED", cancelled.json().path("status").path("state").asText());
        assertEquals("cancelled: build aborted", cancelled.json().path("status").path("progress").asText());
        assertEquals(401, cluster.client(bound).get("/v1/access-requests/" + id).status(), "its certificate is revoked");
        Response issue = bot.post("/v1/certs", BotKeys.generate().issueBody(id, Map.of()));
        assertEquals(409, issue.status());
        assertEquals("request_cancelled", issue.code());
        JsonNode update = events(id).stream().filter(e -> e.path("event").asText().equals("access_request.update")
                && e.path("fields").path("state").asText().equals("CANCELLED")).findFirst().orElseThrow();
        assertEquals(2, update.path("fields").path("revoked").size());
        assertEquals(409, bot.post("/v1/access-requests/" + id + "/cancel", Map.of()).status(), "CANCELLED is terminal");
    }

    @Test
    void onlyWhoAskedOrAnAdministratorCancels() {
        String byAlice = cluster.user("alice").post("/v1/access-requests", Map.of("bot", "jenkins-deploy",
                "roles", List.of("deploy"), "reason", "CHG-9")).json().path("metadata").path("name").asText();
        assertEquals(403, bot.post("/v1/access-requests/" + byAlice + "/cancel", Map.of()).status(),
                "the bot did not ask for this one");
        assertEquals(403, cluster.user("bob").post("/v1/access-requests/" + byAlice + "/cancel", Map.of()).status());
        assertEquals(200, cluster.user("alice").post("/v1/access-requests/" + byAlice + "/cancel", Map.of()).status());
    }

    @Test
    void aReviewRuleApprovesStagingDeploysAtOnceAndLeavesProductionToTheBoard() {
        cluster.apply(ReviewRule.of("staging-auto", List.of("staging-deploy"), "equals(request.bot, \"jenkins-deploy\")",
                ReviewVerdict.APPROVED, "staging deploys need no board"));
        Response staging = ask(bot, "staging-deploy", Map.of());
        assertEquals("APPROVED", staging.json().path("status").path("state").asText(), staging.toString());
        String id = staging.json().path("metadata").path("name").asText();
        JsonNode review = events(id).stream().filter(e -> e.path("event").asText().equals("access_request.review"))
                .findFirst().orElseThrow();
        assertEquals("review-rule:staging-auto", review.path("user").asText());
        assertEquals("staging-auto", review.path("fields").path("review_rule").asText());
        assertEquals(1, events(id).stream().filter(e -> e.path("event").asText().equals("access_request.update")).count());

        Response prod = ask(bot, "deploy", Map.of());
        assertEquals("PENDING", prod.json().path("status").path("state").asText(), "the rule does not cover deploy");
    }

    @Test
    void aRuleCountsAsAReviewWithNoRolesSoACabFilteredThresholdIsNotMetByIt() {
        cluster.apply(ReviewRule.of("yes-to-all", List.of("*"), "", ReviewVerdict.APPROVED, "everything"));
        Response prod = ask(bot, "deploy", Map.of());
        assertEquals("PENDING", prod.json().path("status").path("state").asText());
        assertEquals("cab: 0 of 2 approvals", prod.json().path("status").path("progress").asText());
        JsonNode ruleReview = prod.json().path("spec").path("reviews").get(0);
        assertEquals("review-rule:yes-to-all", ruleReview.path("author").asText());
        assertTrue(ruleReview.path("threshold_indexes").isMissingNode(), "it matched no threshold: " + ruleReview);
    }

    @Test
    void aDenyingRuleDeniesAtOnce() {
        cluster.apply(ReviewRule.of("no-friday", List.of("staging-deploy"), "contains(request.roles, \"staging-deploy\")",
                ReviewVerdict.DENIED, "change freeze"));
        Response r = ask(bot, "staging-deploy", Map.of());
        assertEquals("DENIED", r.json().path("status").path("state").asText());
        assertEquals("denied by review-rule:no-friday: change freeze", r.json().path("status").path("progress").asText());
    }

    @Test
    void aRuleWhoseConditionSeesTheReviewerOrAnythingOutsideTheLanguageIsRefused() {
        Response r = cluster.admin().post("/v1/review-rules", ReviewRule.of("bad", List.of("deploy"),
                "contains(reviewer.roles, \"cab\")", ReviewVerdict.APPROVED, ""));
        assertEquals(400, r.status(), r.toString());
        assertTrue(r.message().contains("unknown name 'reviewer.roles' at position 10"), r.message());
    }
}
