package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestContext;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import io.jenkins.plugins.teleport.stubs.FormSubmission;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * {@code withTeleportAccessRequest(roles: ['deploy'], reason: ..., waitForApproval: ...)} driven as Pipeline drives
 * it, against a real auth server: the bot creates its request and says how to review it, the block waits on timer
 * checks (no thread held), and enters its body once approved; a denial, the end of the wait and an abort end it (the
 * last two cancel the request); a controller restart while waiting resumes the wait for the same request.
 */
class TeleportAccessRequestWaitTest {

    @TempDir
    Path dir;

    PluginFixture fixture;
    TestRun run;
    Log log;
    TestContext context;
    StepExecution execution;
    Duration checkEvery;

    @BeforeEach
    void setUp() throws Exception {
        checkEvery = WaitForApproval.checkEvery;
        WaitForApproval.checkEvery = Duration.ofMillis(50);
        fixture = new PluginFixture(dir);
        run = new TestRun(new TestJob("deploy"), 42);
        log = new Log();
        Path workspace = Files.createDirectories(dir.resolve("agent").resolve("workspace").resolve("deploy"));
        context = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                .with(FilePath.class, StepHarness.workspace(new AgentChannel(), workspace));
    }

    @AfterEach
    void tearDown() {
        WaitForApproval.checkEvery = checkEvery;
        fixture.close();
    }

    static void until(BooleanSupplier condition, Object what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not reached: " + what);
            }
            Thread.sleep(10); // polls a condition; the wait under test is driven by the server's answers, not by time
        }
    }

    TeleportAccessRequestStep step(String wait) {
        TeleportAccessRequestStep step = new TeleportAccessRequestStep(null);
        step.setRoles(List.of("deploy"));
        step.setReason("deploy jenkins-deploy-42");
        step.setWaitForApproval(wait);
        return step;
    }

    /** Starts the step and returns the ID of the request it created, once it waits. */
    String startWaiting(String wait) throws Exception {
        execution = step(wait).start(context);
        assertFalse(execution.start(), "the work runs in the background, not on the Pipeline thread");
        until(() -> log.text().contains("waiting up to " + wait), log);
        return run.getAction(TeleportRequestWaitAction.class).getRequestId();
    }

    JsonNode request(String id) {
        return fixture.cluster.admin().get("/v1/access-requests/" + id).json();
    }

    String state(String id) {
        return request(id).path("status").path("state").asText();
    }

    void review(String reviewer, ReviewVerdict verdict, String reason, String id) {
        assertEquals(200, fixture.cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(verdict, reason)).status());
    }

    @Test
    void theBotCreatesItsRequestSaysWhoMayReviewWaitsWithoutAThreadAndEntersTheBodyOnceApproved() throws Exception {
        String id = startWaiting("10m");
        JsonNode created = request(id);
        assertEquals("bot:jenkins-deploy", created.path("spec").path("requested_by").asText());
        assertEquals("deploy jenkins-deploy-42", created.path("spec").path("request_reason").asText());
        String text = log.text();
        assertTrue(text.contains("[teleport] created access request " + id + " for bot 'jenkins-deploy': roles deploy"), text);
        assertTrue(text.contains("who may review: cab: 2 approvals from reviewers matching contains(reviewer.roles, \"cab\")"), text);
        assertTrue(text.contains("to approve: tctl requests review " + id + " --approve"), text);
        assertTrue(text.contains("/web/requests/" + id), text);
        TeleportRequestWaitAction action = run.getAction(TeleportRequestWaitAction.class);
        assertEquals("PENDING: cab: 0 of 2 approvals", action.getState());
        assertEquals("tctl requests review " + id + " --approve --reason \"...\"", action.getReviewCommand());
        assertTrue(action.getRequestPage().endsWith("/web/requests/" + id), action.getRequestPage());
        // While it waits, no background thread is running for the step (a restart would not be blocked).
        GeneralNonBlockingStepExecution waiting = (GeneralNonBlockingStepExecution) execution;
        until(() -> !waiting.blocksRestart(), "the creation's thread is given back");
        assertEquals("not currently scheduled, or running blocks", waiting.getStatus());

        review("bob", ReviewVerdict.APPROVED, "ok", id);
        until(() -> action.getState().equals("PENDING: cab: 1 of 2 approvals"), action.getState());
        assertTrue(log.text().contains("[teleport] access request " + id + ": PENDING: cab: 1 of 2 approvals"), log.text());
        assertEquals(1, context.bodyStarted.getCount(), "one approval of two does not open the block");
        review("carol", ReviewVerdict.APPROVED, "ok", id);

        context.awaitBody();
        assertEquals(id, context.bodyEnvironment().get("TELEPORT_ACCESS_REQUEST_ID"));
        assertTrue(action.getState().startsWith("APPROVED"), action.getState());
        assertEquals(2, action.getHistory().size(), action.getHistory().toString());
        assertEquals(id, run.getAction(TeleportRequestAction.class).getRequestId(), "the block's own action, as with requestId");
        context.invoker.callback.onSuccess(context, "deployed");
        context.awaitDone();
        assertEquals("deployed", context.result);
        assertEquals("CONSUMED", state(id), "a bot's own request is one-shot: used once and released");
    }

    @Test
    void aDenialFailsTheStepNamingTheReviewerAndTheReason() throws Exception {
        String id = startWaiting("10m");
        review("bob", ReviewVerdict.DENIED, "not during the freeze", id);
        context.awaitDone();
        assertInstanceOf(AbortException.class, context.failure);
        assertEquals("access request " + id + " was denied by bob: not during the freeze", context.failure.getMessage());
        assertEquals(1, context.bodyStarted.getCount(), "the body never ran");
        assertTrue(run.getAction(TeleportRequestWaitAction.class).getState().startsWith("DENIED"));
    }

    @Test
    void theEndOfTheWaitCancelsTheRequestAndFailsTheStep() throws Exception {
        String id = startWaiting("1s");
        context.awaitDone();
        assertInstanceOf(AbortException.class, context.failure);
        assertTrue(context.failure.getMessage().contains("was not approved by"), context.failure.getMessage());
        assertTrue(context.failure.getMessage().endsWith("the request is cancelled"), context.failure.getMessage());
        assertEquals("CANCELLED", state(id));
        assertTrue(request(id).path("spec").path("resolve_reason").asText().contains("not approved within 1s"));
        assertEquals(409, fixture.cluster.user("bob").post("/v1/access-requests/" + id + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "late")).status(), "a late approval changes nothing");
    }

    @Test
    void abortingTheBuildWhileItWaitsCancelsTheRequest() throws Exception {
        String id = startWaiting("10m");
        FlowInterruptedException abort = new FlowInterruptedException(Result.ABORTED);
        execution.stop(abort);
        context.awaitDone();
        assertEquals(abort, context.failure);
        until(() -> state(id).equals("CANCELLED"), "the request is cancelled");
        assertTrue(request(id).path("spec").path("resolve_reason").asText().contains("the build was aborted"));
        boolean cancelAudited = false;
        for (JsonNode e : fixture.events(id, "access_request.update")) {
            cancelAudited |= e.toString().contains("CANCELLED");
        }
        assertTrue(cancelAudited, "the cancellation is audited");
        assertEquals(409, fixture.cluster.user("bob").post("/v1/access-requests/" + id + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "late")).status(), "a cancelled request takes no more reviews");
        assertEquals(1, context.bodyStarted.getCount(), "the body never runs after an abort");
    }

    @Test
    void aControllerRestartWhileWaitingResumesWaitingForTheSameRequest() throws Exception {
        String id = startWaiting("10m");
        byte[] saved = StepHarness.serialize(execution);
        // The controller goes away: its timer is shut down and the old execution does nothing more.
        java.lang.reflect.Field f = execution.getClass().getDeclaredField("approval");
        f.setAccessible(true);
        ((WaitForApproval) f.get(execution)).halt();
        jenkins.util.Timer.shutdown();
        BotSessions.clear();

        StepExecution restored = (StepExecution) StepHarness.readBack(saved);
        restored.onResume();
        until(() -> log.text().contains("Jenkins restarted: still waiting for access request " + id), log);
        review("bob", ReviewVerdict.APPROVED, "ok", id);
        review("carol", ReviewVerdict.APPROVED, "ok", id);
        context.awaitBody();
        assertEquals(id, context.bodyEnvironment().get("TELEPORT_ACCESS_REQUEST_ID"));
        JsonNode all = fixture.cluster.admin().get("/v1/access-requests?bot=jenkins-deploy").json().path("items");
        assertEquals(1, all.size(), "no second request was created: " + all);
        context.invoker.callback.onSuccess(context, null);
        context.awaitDone();
        assertNull(context.failure);
        assertEquals("CONSUMED", state(id));
    }

    @Test
    void exactlyOneOfRequestIdAndRolesAndAWaitThatIsADuration() {
        TeleportAccessRequestStep both = step("10m");
        TeleportAccessRequestStep withId = new TeleportAccessRequestStep("0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        withId.setRoles(List.of("deploy"));
        for (TeleportAccessRequestStep s : List.of(withId, new TeleportAccessRequestStep(null))) {
            AbortException e = assertThrows(AbortException.class, () -> s.start(context));
            assertTrue(e.getMessage().contains("exactly one of requestId"), e.getMessage());
        }
        AbortException e = assertThrows(AbortException.class, () -> step("soon").start(context));
        assertTrue(e.getMessage().contains("waitForApproval 'soon' is not a duration"), e.getMessage());
        assertEquals("10m", both.getWaitForApproval());
        assertEquals("30m", new TeleportAccessRequestStep(null).getWaitForApproval(), "the default wait");
    }

    /**
     * The Snippet Generator makes the step from its form as Jenkins does for any describable (workflow-cps'
     * {@code Snippetizer.doGenerateSnippet} calls {@code Descriptor.newInstance}, which has Stapler bind the form); the
     * roles arrive as the text of one box, which the descriptor turns into the list of names: the step asks for them.
     */
    @Test
    void theSnippetGeneratorsFormMakesABlockThatAsksForTheRolesTyped() throws Exception {
        JSONObject form = new JSONObject().element("requestId", "").element("roles", "deploy, ").element("reason", "CHG-1234")
                .element("waitForApproval", "10m").element("server", "").element("credentialsId", "").element("ttl", "")
                .element("awsIntegration", "");
        StaplerRequest2 stapler = FormSubmission.of(form);
        List<JSONObject> bound = new ArrayList<>();
        StaplerRequest2 recording = (StaplerRequest2) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StaplerRequest2.class}, (proxy, method, args) -> {
                    if (method.getName().equals("bindJSON") && args[0] instanceof Class<?>) {
                        bound.add((JSONObject) args[1]);
                    }
                    return method.invoke(stapler, args);
                });
        TeleportAccessRequestStep step = (TeleportAccessRequestStep) new TeleportAccessRequestStep.DescriptorImpl()
                .newInstance(recording, form);
        assertEquals(List.of("deploy"), List.copyOf((JSONArray) bound.get(0).get("roles")),
                "Stapler is given the names as a list, not the box's text");
        assertEquals(List.of("deploy"), step.getRoles());
        assertNull(step.getRequestId(), "no ID: left out of the generated line");
        execution = step.start(context);
        assertFalse(execution.start());
        until(() -> log.text().contains("waiting up to 10m"), log);
        JsonNode created = request(run.getAction(TeleportRequestWaitAction.class).getRequestId());
        assertEquals("[\"deploy\"]", created.path("spec").path("roles").toString());
        assertEquals("CHG-1234", created.path("spec").path("request_reason").asText());
        execution.stop(new FlowInterruptedException(Result.ABORTED));
        context.awaitDone();
    }

    @Test
    void theFormsRolesAreNamesSeparatedByCommasOrBlanksAndAListDrawnBackAsTextReadsTheSame() {
        TeleportAccessRequestStep s = new TeleportAccessRequestStep(null);
        for (String typed : List.of("deploy, audit", "deploy audit", " deploy,audit ", "[deploy, audit]")) {
            s.setRoles(List.of(typed));
            assertEquals(List.of("deploy", "audit"), s.getRoles(), typed);
        }
        s.setRoles(List.of(List.of("deploy", "audit").toString()));
        assertEquals(List.of("deploy", "audit"), s.getRoles());
        s.setRoles(List.of("", " ", "[]"));
        assertEquals(List.of(), s.getRoles(), "an empty box or an empty list drawn back asks for nothing");
    }

    @Test
    void theStepsFormSaysWhichOfRequestIdAndRolesToGive() {
        TeleportAccessRequestStep.DescriptorImpl d = new TeleportAccessRequestStep.DescriptorImpl();
        String id = "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a";
        FormValidation neither = d.doCheckRequestId("", "");
        assertEquals(FormValidation.Kind.ERROR, neither.kind);
        assertTrue(neither.getMessage().contains("or the roles to ask for"), neither.getMessage());
        assertEquals(FormValidation.Kind.OK, d.doCheckRequestId("", "deploy").kind, "roles instead of an ID");
        assertEquals(FormValidation.Kind.OK, d.doCheckRequestId(id, "").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckRoles("deploy", "").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckRoles("", id).kind);
        FormValidation both = d.doCheckRoles("deploy", id);
        assertEquals(FormValidation.Kind.ERROR, both.kind);
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        assertEquals(FormValidation.Kind.OK, d.doCheckWaitForApproval("").kind, "empty: the default");
        assertEquals(FormValidation.Kind.OK, d.doCheckWaitForApproval("45m").kind);
        for (String bad : List.of("soon", "0s", "-5m")) {
            FormValidation v = d.doCheckWaitForApproval(bad);
            assertEquals(FormValidation.Kind.ERROR, v.kind, bad);
            assertTrue(v.getMessage().contains("is not a duration such as 30m"), v.getMessage());
        }
        FormValidation wrapper = new TeleportAccessRequestBuildWrapper.DescriptorImpl().doCheckRequestId("");
        assertFalse(wrapper.getMessage().contains("roles"), "the freestyle form has no roles: " + wrapper.getMessage());
    }

    @Test
    void theFormsLifetimeIsADurationOrAnExpressionOrEmpty() {
        TeleportAccessRequestStep.DescriptorImpl d = new TeleportAccessRequestStep.DescriptorImpl();
        for (String fine : List.of("", "30m", "1h30m", "${TTL}")) {
            assertEquals(FormValidation.Kind.OK, d.doCheckTtl(fine).kind, fine);
        }
        FormValidation forever = d.doCheckTtl("forever");
        assertEquals(FormValidation.Kind.ERROR, forever.kind);
        assertFalse(forever.getMessage().isBlank(), "says why");
        assertEquals(FormValidation.Kind.OK, d.doCheckWaitForApproval("${WAIT}").kind, "resolved at build time");
    }

    /** Pipeline hands the setter the Groovy list as written (structs' DescribableModel does not convert its elements). */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void rolesFromAGroovyListAreTakenAsTextWhateverTheElementsAre() {
        TeleportAccessRequestStep s = new TeleportAccessRequestStep(null);
        List groovyList = new java.util.ArrayList<>(List.of(" deploy ", 42, ""));
        s.setRoles(groovyList);
        assertEquals(List.of("deploy", "42"), s.getRoles());
        s.setRoles(null);
        assertEquals(List.of(), s.getRoles());
    }
}
