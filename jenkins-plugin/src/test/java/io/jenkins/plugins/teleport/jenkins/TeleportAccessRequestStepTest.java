package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.fasterxml.jackson.databind.JsonNode;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestContext;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code withTeleportAccessRequest} driven the way Pipeline drives it (through the stubs), against a real auth
 * server: start, body success, failure, abort, resume after a controller restart, agent gone at cleanup.
 */
class TeleportAccessRequestStepTest {

    @TempDir
    Path dir;

    PluginFixture fixture;
    TestRun run;
    Log log;
    AgentChannel agent;
    Path workspace;
    TestContext context;
    StepExecution execution;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
        run = new TestRun(new TestJob("deploy"), 42);
        log = new Log();
        agent = new AgentChannel();
        workspace = Files.createDirectories(dir.resolve("agent").resolve("workspace").resolve("deploy"));
        context = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    void start(TeleportAccessRequestStep step) throws Exception {
        execution = step.start(context);
        assertFalse(execution.start(), "the work runs in the background, not on the Pipeline thread");
        context.awaitBody();
    }

    Path bundlesDir() {
        return workspace.resolveSibling("deploy@tmp").resolve("teleport-access-request");
    }

    long bundles() throws Exception {
        if (!Files.isDirectory(bundlesDir())) {
            return 0;
        }
        try (Stream<Path> s = Files.list(bundlesDir())) {
            return s.count();
        }
    }

    /** The request-bound X.509 identity from the bundle, to ask the server whether it still accepts it. */
    IdentityFile tlsIdentity(EnvVars env) throws Exception {
        String key = Files.readString(Path.of(env.get("TELEPORT_TLS_KEY")));
        return new IdentityFile(Pem.privateKey(key), Pem.certificates(Files.readString(Path.of(env.get("TELEPORT_TLS_CERT")))).get(0),
                Pem.certificates(Files.readString(Path.of(env.get("TELEPORT_TLS_CA")))));
    }

    @Test
    void theBodySeesTheVariablesAndFilesThenTheyAreDeletedAndTheCertificatesReleased() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));

        EnvVars env = context.bodyEnvironment();
        assertEquals(id, env.get("TELEPORT_ACCESS_REQUEST_ID"));
        assertEquals("jenkins-deploy", env.get("TELEPORT_BOT"));
        Path bundle = Path.of(env.get("TELEPORT_IDENTITY_DIR"));
        assertEquals(bundlesDir(), bundle.getParent(), "under the workspace's @tmp, never inside the workspace");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
        for (String variable : List.of("TELEPORT_IDENTITY_FILE", "TELEPORT_SSH_CONFIG", "TELEPORT_SSH_KEY", "TELEPORT_SSH_CERT",
                "TELEPORT_TLS_KEY", "TELEPORT_TLS_CERT", "TELEPORT_TLS_CA")) {
            assertTrue(Files.isRegularFile(Path.of(env.get(variable))), variable);
        }
        assertTrue(Files.readString(Path.of(env.get("TELEPORT_SSH_CERT"))).startsWith("ssh-ed25519-cert-v01@openssh.com "));
        IdentityFile requestIdentity = tlsIdentity(env);
        assertEquals(200, fixture.cluster.client(requestIdentity).get("/v1/access-requests/" + id).status());
        assertTrue(context.bodyEnvironment().values().stream().noneMatch(v -> v.contains("PRIVATE KEY")), "variables hold paths only");

        TeleportRequestAction action = run.getAction(TeleportRequestAction.class);
        assertEquals(id, action.getRequestId());
        assertEquals("alice", action.getRequestedBy());
        assertEquals("CHG-1234", action.getReason());
        assertEquals(List.of("deploy"), action.getRoles());
        assertEquals(List.of("bob (APPROVED)", "carol (APPROVED)"), action.getReviewers());
        assertEquals(fixture.cluster.server().url() + "/v1/access-requests/" + id, action.getRequestUrl().replace("//v1", "/v1"));
        assertEquals("in use", action.getReleaseStatus());

        context.invoker.callback.onSuccess(context, "deployed");
        context.awaitDone();
        assertEquals("deployed", context.result);
        assertNull(context.failure);
        assertFalse(Files.exists(bundle), "the identity directory is gone");
        assertEquals(401, fixture.cluster.client(requestIdentity).get("/v1/access-requests/" + id).status(), "revoked at once");
        List<JsonNode> releases = fixture.events(id, "cert.release");
        assertEquals(1, releases.size());
        assertEquals("https://jenkins.example.com/job/deploy/42/", releases.get(0).path("fields").path("build_url").asText());
        assertEquals("https://jenkins.example.com/job/deploy/42/",
                fixture.events(id, "cert.create").get(0).path("fields").path("build_url").asText());
        assertTrue(action.getReleaseStatus().startsWith("released at"), action.getReleaseStatus());
        assertTrue(CredentialsProvider.TRACKED.contains("deploy#42 " + PluginFixture.CREDENTIALS_ID), "credentials use is tracked");
        assertTrue(log.text().contains("[teleport] released access request " + id), log.text());
        assertFalse(log.text().contains("PRIVATE KEY"), log.text());
        assertFalse(log.text().contains(fixture.token), "the join token never reaches the log");
    }

    @Test
    void aFailingBodyStillDeletesAndReleases() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        Path bundle = Path.of(context.bodyEnvironment().get("TELEPORT_IDENTITY_DIR"));

        AbortException bodyFailure = new AbortException("script returned exit code 1");
        context.invoker.callback.onFailure(context, bodyFailure);
        context.awaitDone();
        assertEquals(bodyFailure, context.failure, "the body's failure is the step's");
        assertFalse(Files.exists(bundle));
        assertEquals(1, fixture.events(id, "cert.release").size());
    }

    @Test
    void anAbortedBodyStillDeletesAndReleases() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        Path bundle = Path.of(context.bodyEnvironment().get("TELEPORT_IDENTITY_DIR"));

        context.invoker.callback.onFailure(context, new FlowInterruptedException(Result.ABORTED));
        context.awaitDone();
        assertInstanceOf(FlowInterruptedException.class, context.failure);
        assertFalse(Files.exists(bundle));
        assertEquals(1, fixture.events(id, "cert.release").size());
    }

    @Test
    void aControllerRestartDuringTheBodyStillCleansUpFromTheSavedState() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        EnvVars env = context.bodyEnvironment();
        Path bundle = Path.of(env.get("TELEPORT_IDENTITY_DIR"));
        String sshKey = Files.readString(Path.of(env.get("TELEPORT_SSH_KEY")));

        byte[] saved = StepHarness.serialize(List.of(execution, context.invoker.callback, context.invoker.contexts));
        String text = new String(saved, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("PRIVATE KEY"), "no key material in the saved program");
        assertFalse(text.contains(sshKey.lines().skip(1).findFirst().orElseThrow()), "not even part of a key");
        assertFalse(text.contains(fixture.token), "nor the join token");

        BotSessions.clear(); // the restart forgets the controller's memory
        List<?> restored = (List<?>) StepHarness.readBack(saved);
        var callback = (org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback) restored.get(1);
        callback.onSuccess(context, "done after restart");
        context.awaitDone();
        assertEquals("done after restart", context.result, String.valueOf(context.failure));
        assertFalse(Files.exists(bundle));
        assertEquals(1, fixture.events(id, "cert.release").size());
    }

    @Test
    void anAgentGoneAtCleanupSkipsTheDeletionButStillReleases() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));

        agent.disconnect();
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        assertEquals("ok", context.result, "an offline agent does not fail the build by itself: " + context.failure);
        assertEquals(1, fixture.events(id, "cert.release").size());
        assertTrue(log.text().contains("could not be deleted"), log.text());
    }

    @Test
    void aRequestThatIsNotApprovedFailsBeforeTheBodyWithTheReason() throws Exception {
        String id = fixture.request(1);
        execution = new TeleportAccessRequestStep(id).start(context);
        execution.start();
        context.awaitDone();
        assertInstanceOf(AbortException.class, context.failure);
        assertTrue(context.failure.getMessage().contains("is PENDING: cab: 1 of 2 approvals"), context.failure.getMessage());
        assertNull(context.invoker, "the body never ran");
        assertEquals(0, bundles(), "nothing was written on the agent");
    }

    @Test
    void anExpiredRequestFailsBeforeTheBody() throws Exception {
        fixture.cluster.clock().advance(java.time.Duration.ofHours(-3)); // made and approved three hours ago: its 2h are over
        String id = fixture.request(2);
        fixture.cluster.clock().advance(java.time.Duration.ofHours(3));
        execution = new TeleportAccessRequestStep(id).start(context);
        execution.start();
        context.awaitDone();
        assertTrue(context.failure.getMessage().contains("is EXPIRED"), context.failure.getMessage());
        assertNull(context.invoker);
        assertEquals(0, bundles());
    }

    @Test
    void anotherBotsRequestFailsBeforeTheBodyNamingBothBots() throws Exception {
        fixture.cluster.apply(io.jenkins.plugins.teleport.api.Bot.of("build", List.of("jenkins-deploy-bot")));
        CredentialsProvider.STORE.add(new TeleportBotCredentials(com.cloudbees.plugins.credentials.CredentialsScope.GLOBAL,
                "build-bot", "", "build", hudson.util.Secret.fromString(fixture.cluster.token("build", true))));
        String id = fixture.request(2);
        TeleportAccessRequestStep step = new TeleportAccessRequestStep(id);
        step.setCredentialsId("build-bot");
        execution = step.start(context);
        execution.start();
        context.awaitDone();
        assertTrue(context.failure.getMessage().contains("is for bot 'jenkins-deploy', this identity is bot 'build'"),
                context.failure.getMessage());
        assertNull(context.invoker);
        assertEquals(0, bundles(), "the keys made on the agent were removed again");
    }

    @Test
    void withoutANodeTheErrorSaysToAddOne() throws Exception {
        String id = fixture.request(2);
        context.objects.remove(FilePath.class);
        execution = new TeleportAccessRequestStep(id).start(context);
        execution.start();
        context.awaitDone();
        assertTrue(context.failure.getMessage().contains("inside node"), context.failure.getMessage());
    }

    @Test
    void anUnknownServerOrMissingCredentialsAreClearErrors() throws Exception {
        String id = fixture.request(2);
        TeleportAccessRequestStep unknownServer = new TeleportAccessRequestStep(id);
        unknownServer.setServer("prod");
        execution = unknownServer.start(context);
        execution.start();
        context.awaitDone();
        assertTrue(context.failure.getMessage().contains("No Teleport auth server named 'prod'"), context.failure.getMessage());

        TestContext second = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
        TeleportAccessRequestStep noCredentials = new TeleportAccessRequestStep(id);
        noCredentials.setCredentialsId("nope");
        noCredentials.start(second).start();
        second.awaitDone();
        assertTrue(second.failure.getMessage().contains("No Teleport bot credentials with ID 'nope'"), second.failure.getMessage());
    }

    @Test
    void privateKeysPrintedInsideTheBlockAreMasked() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        String key = Files.readString(Path.of(context.bodyEnvironment().get("TELEPORT_SSH_KEY")));
        String tlsKey = Files.readString(Path.of(context.bodyEnvironment().get("TELEPORT_TLS_KEY")));

        String shown = context.filtered("before\n" + key + tlsKey + "after\n");
        assertTrue(shown.startsWith("before\n") && shown.endsWith("after\n"), shown);
        for (String line : (key + tlsKey).lines().toList()) {
            if (line.length() > 8) {
                assertFalse(shown.contains(line), "masked: " + line);
            }
        }
        assertTrue(shown.contains(PrivateKeyMaskingFilter.MASK));
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
    }

    @Test
    void aSecondBlockReusesTheBotIdentityInsteadOfJoiningAgain() throws Exception {
        for (int i = 0; i < 2; i++) {
            String id = fixture.request(2);
            context = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                    .with(FilePath.class, StepHarness.workspace(agent, workspace));
            start(new TeleportAccessRequestStep(id));
            context.invoker.callback.onSuccess(context, "ok");
            context.awaitDone();
        }
        long joins = 0;
        for (JsonNode e : fixture.cluster.admin().get("/v1/audit/events").json().path("items")) {
            joins += e.path("event").asText().equals("bot.join") ? 1 : 0;
        }
        assertEquals(1, joins, "one join serves both blocks while the identity is valid");
    }
}
