package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.fasterxml.jackson.databind.JsonNode;
import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestContext;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part B end to end: "Teleport bot" credentials with join method {@code jenkins} hold no secret; the block joins the
 * real auth server with the ID token the plugin signs for the build, and the server checks it against the JWKS the
 * plugin's unprotected root action serves (fetched over loopback HTTP, as from a controller). Part C on top: a request
 * restricted to a job and branch is usable by that job's builds only, and the build page shows the restriction.
 */
class JenkinsJoinBlockTest {

    static final String OIDC_CREDENTIALS = "jenkins-deploy-oidc";

    @TempDir
    Path dir;

    PluginFixture fixture;
    RootActionServer controller;
    String issuer;
    Log log;
    AgentChannel agent;
    Path workspace;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
        controller = new RootActionServer(new TeleportOidcIssuer());
        System.setProperty("jenkins.rootUrl", controller.rootUrl());
        issuer = controller.rootUrl() + "teleport-oidc";
        Response token = fixture.cluster.admin().put("/v1/tokens/jenkins-prod", Map.of("kind", "token", "version", "v2",
                "metadata", Map.of("name", "jenkins-prod"),
                "spec", Map.of("join_method", "jenkins", "bot_name", "jenkins-deploy", "jenkins", Map.of(
                        "issuer", issuer, "jwks_uri", issuer + "/jwks",
                        "allow", List.of(Map.of("job", "deploy/*", "branch", "main"))))));
        assertEquals(201, token.status(), token.toString());
        TeleportBotCredentials noSecret = new TeleportBotCredentials(CredentialsScope.GLOBAL, OIDC_CREDENTIALS, "deploy bot, jenkins join",
                "jenkins-deploy", null);
        noSecret.setJoinMethod("jenkins");
        noSecret.setTokenName("jenkins-prod");
        CredentialsProvider.STORE.add(noSecret);
        log = new Log();
        agent = new AgentChannel();
        workspace = Files.createDirectories(dir.resolve("agent").resolve("workspace").resolve("deploy"));
        // The test cluster's clock stands still; the ID token is signed with the controller's real clock.
        fixture.cluster.clock().advance(Duration.between(fixture.cluster.clock().instant(), Instant.now()));
    }

    @AfterEach
    void tearDown() {
        controller.close();
        fixture.close();
    }

    /** A build of a multibranch project's branch job: branch-api contributes BRANCH_NAME to the job's environment. */
    static TestRun build(String job, String branch, int number) throws Exception {
        TestJob j = new TestJob(job);
        j.contributeForTest("BRANCH_NAME", branch);
        return new TestRun(j, number);
    }

    TestContext contextFor(TestRun run) {
        return new TestContext().with(Run.class, run).with(TaskListener.class, log).with(FilePath.class, StepHarness.workspace(agent, workspace));
    }

    String restrictedRequest(String job, String branch) {
        String id = fixture.cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1234", Optional.of(Duration.ofHours(2)), Optional.empty(), false, job, branch)).json()
                .path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            fixture.cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        return id;
    }

    TeleportAccessRequestStep step(String id) {
        TeleportAccessRequestStep step = new TeleportAccessRequestStep(id);
        step.setCredentialsId(OIDC_CREDENTIALS);
        return step;
    }

    List<JsonNode> events(String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : fixture.cluster.admin().get("/v1/audit/events").json().path("items")) {
            if (e.path("event").asText().equals(type)) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void aBotWithTheJenkinsJoinMethodJoinsWithTheBuildsIdTokenAndTheRestrictedRequestServesItsJobAndBranch() throws Exception {
        String id = restrictedRequest("deploy/prod", "main");
        TestRun run = build("deploy/prod", "main", 7);
        TeleportAccessRequestStep step = step(id);
        TestContext oidc = contextFor(run);
        assertFalse(step.start(oidc).start(), "the work runs in the background");
        oidc.awaitBody();
        assertNull(oidc.failure, String.valueOf(oidc.failure));
        assertEquals(id, oidc.bodyEnvironment().get("TELEPORT_ACCESS_REQUEST_ID"));
        assertTrue(log.text().contains("bot 'jenkins-deploy' (join method jenkins, token resource jenkins-prod, job deploy/prod, branch main)"),
                log.text());

        JsonNode join = events("bot.join").stream().filter(e -> e.path("fields").path("join_method").asText().equals("jenkins"))
                .findFirst().orElseThrow(() -> new AssertionError("no jenkins bot.join: " + events("bot.join")));
        assertEquals("deploy/prod", join.path("fields").path("jenkins_job").asText(), join.toString());
        assertEquals("main", join.path("fields").path("jenkins_branch").asText(), join.toString());
        assertTrue(fixture.events(id, "cert.create").size() >= 1, "issued for the restricted request");

        TeleportRequestAction action = run.getActions(TeleportRequestAction.class).stream().filter(a -> a.getRequestId().equals(id))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(action.isRestricted());
        assertEquals("job deploy/prod, branch main", action.getRestriction(), "what the build page shows");

        oidc.invoker.callback.onSuccess(oidc, "deployed");
        oidc.awaitDone();
        assertEquals("deployed", oidc.result, String.valueOf(oidc.failure));
        assertTrue(fixture.events(id, "cert.release").size() >= 1, "released with the jenkins-joined identity");
        assertFalse(log.text().matches("(?s).*eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\..*"), "no ID token in the log: " + log.text());
    }

    /** Runs {@code step} for {@code run}: it must fail before its body; the failure's message. */
    String refusal(TeleportAccessRequestStep step, TestRun run) throws Exception {
        TestContext context = contextFor(run);
        step.start(context).start();
        context.awaitDone();
        assertInstanceOf(AbortException.class, context.failure);
        assertNull(context.invoker, "the body never ran");
        return context.failure.getMessage();
    }

    @Test
    void aRestrictedRequestRefusesABotThatJoinedWithASecretToken() throws Exception {
        String id = restrictedRequest("deploy/prod", "main");
        // The server's default credentials: a join token.
        String message = refusal(new TeleportAccessRequestStep(id), build("deploy/prod", "main", 8));
        assertTrue(message.contains("did not join through Jenkins"), message);
    }

    @Test
    void aRequestRestrictedToAnotherJobIsRefusedNamingBothJobs() throws Exception {
        String message = refusal(step(restrictedRequest("deploy/prod", "main")), build("deploy/test", "main", 3));
        assertTrue(message.contains("is restricted to job deploy/prod") && message.contains("joined for job deploy/test"), message);
    }

    @Test
    void aBranchNoAllowRuleMatchesIsRefusedAtTheJoinWithTheReason() throws Exception {
        String message = refusal(step(restrictedRequest("", "")), build("deploy/prod", "feature-x", 4));
        assertTrue(message.contains("join refused"), message);
        JsonNode failed = events("join.failed").get(0);
        assertTrue(failed.path("fields").path("reason").asText().contains("matches no allow rule"), failed.toString());
    }

    @Test
    void blocksOfOtherJobsOrBranchesNeverShareAJenkinsJoinedIdentity() throws Exception {
        TeleportServer server = TeleportGlobalConfiguration.get().server(Optional.empty());
        BotCredentialsLookup.Found bot = BotCredentialsLookup.forBuild(server, OIDC_CREDENTIALS, build("deploy/prod", "main", 1));
        String prodMain = BotSessions.key(server, bot, build("deploy/prod", "main", 1), "main");
        assertEquals(prodMain, BotSessions.key(server, bot, build("deploy/prod", "main", 2), "main"), "another build of the same branch");
        assertFalse(prodMain.equals(BotSessions.key(server, bot, build("deploy/prod", "release", 1), "release")), "another branch");
        assertFalse(prodMain.equals(BotSessions.key(server, bot, build("deploy/test", "main", 1), "main")), "another job");
    }
}
