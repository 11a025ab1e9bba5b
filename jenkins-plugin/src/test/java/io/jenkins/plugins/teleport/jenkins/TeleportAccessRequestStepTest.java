package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
        assertEquals(fixture.cluster.server().url() + "/web/requests/" + id, action.getRequestUrl(), "the request's page");
        assertEquals(action.getRequestUrl() + "#audit", action.getAuditUrl());
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
    void aBuildAbortedAfterAControllerRestartDuringTheBodyStillDeletesAndReleases() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        Path bundle = Path.of(context.bodyEnvironment().get("TELEPORT_IDENTITY_DIR"));
        byte[] saved = StepHarness.serialize(execution);

        BotSessions.clear(); // the restart forgets the controller's memory, and the restored execution read nothing yet
        StepExecution restored = (StepExecution) StepHarness.readBack(saved);
        restored.stop(new FlowInterruptedException(Result.ABORTED));
        context.awaitDone();
        assertInstanceOf(FlowInterruptedException.class, context.failure);
        for (int i = 0; i < 400 && (fixture.events(id, "cert.release").isEmpty() || Files.exists(bundle)); i++) {
            Thread.sleep(25); // the cleanup after a stop runs in the background once the step has completed
        }
        assertEquals(1, fixture.events(id, "cert.release").size(), "released by the restored execution");
        assertFalse(Files.exists(bundle), "and the files deleted");
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
    void aOneShotRequestServesOneBlockASecondFailsBeforeItsBodySayingSo() throws Exception {
        String id = fixture.request(2, true);
        start(new TeleportAccessRequestStep(id));

        TestContext second = contextFor(new TestRun(new TestJob("other"), 1));
        new TeleportAccessRequestStep(id).start(second).start();
        second.awaitDone();
        assertInstanceOf(AbortException.class, second.failure);
        assertTrue(second.failure.getMessage().contains("is one-shot and was already assumed"), second.failure.getMessage());
        assertNull(second.invoker, "the second body never ran");
        assertEquals(1, bundles(), "only the first block's files are on the agent");
        assertEquals(List.of(), fixture.events(id, "cert.release"), "the refused block did not end the first block's access");

        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        assertEquals("ok", context.result, String.valueOf(context.failure));
        assertEquals(1, fixture.events(id, "cert.create").size());
        assertEquals(1, fixture.events(id, "cert.release").size());
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

    long joins() {
        long n = 0;
        for (JsonNode e : fixture.cluster.admin().get("/v1/audit/events").json().path("items")) {
            n += e.path("event").asText().equals("bot.join") ? 1 : 0;
        }
        return n;
    }

    TestContext contextFor(TestRun build) {
        return new TestContext().with(Run.class, build).with(TaskListener.class, log)
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
    }

    @Test
    void credentialsWithTheSameIdAndBotNameInAFolderButAnotherTokenAreRefusedAndShareNothing() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id)); // the real credentials join; their identity is cached
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        assertEquals(1, joins());

        CredentialsProvider.FOLDER_STORES.put("team", List.of(new TeleportBotCredentials(
                com.cloudbees.plugins.credentials.CredentialsScope.GLOBAL, PluginFixture.CREDENTIALS_ID, "look-alike", "jenkins-deploy",
                hudson.util.Secret.fromString("not-the-token"))));
        try {
            TestRun other = new TestRun(new TestJob("team/deploy"), 1);
            TestContext inFolder = contextFor(other);
            new TeleportAccessRequestStep(fixture.request(2)).start(inFolder).start();
            inFolder.awaitDone();
            assertInstanceOf(AbortException.class, inFolder.failure);
            assertTrue(inFolder.failure.getMessage().contains("join refused"), inFolder.failure.getMessage());
            assertNull(inFolder.invoker, "the body never ran with the real credentials' identity");
            assertEquals(1, joins(), "no second identity was issued");

            // The same token in the folder is a separate session too: stores do not share identities.
            CredentialsProvider.FOLDER_STORES.put("team", List.of(new TeleportBotCredentials(
                    com.cloudbees.plugins.credentials.CredentialsScope.GLOBAL, PluginFixture.CREDENTIALS_ID, "copy", "jenkins-deploy",
                    hudson.util.Secret.fromString(fixture.token))));
            TestContext copy = contextFor(other);
            new TeleportAccessRequestStep(fixture.request(2)).start(copy).start();
            copy.awaitBody();
            copy.invoker.callback.onSuccess(copy, "ok");
            copy.awaitDone();
            assertEquals(2, joins(), "the folder's credentials joined for themselves");
        } finally {
            CredentialsProvider.FOLDER_STORES.clear();
        }
    }

    @Test
    void aPendingReleaseKeepsNoKeyOnTheControllerAndIsFinishedInTheBackground() throws Exception {
        run.registerForLookup();
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        fixture.cluster.stop();
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        assertEquals("ok", context.result, "an unreachable server does not fail the build: " + context.failure);
        TeleportRequestAction action = run.getAction(TeleportRequestAction.class);
        assertTrue(action.getReleaseStatus().startsWith("release pending"), action.getReleaseStatus());

        Path home = Path.of(jenkins.model.Jenkins.get().getRootDir().getPath());
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("PRIVATE KEY"), f + " holds a private key");
                assertFalse(text.contains(fixture.token), f + " holds the join token");
            }
        }
        assertEquals(1, PendingReleaseRetry.store(java.time.Clock.systemUTC()).files().stream()
                .filter(f -> f.getFileName().toString().startsWith(id)).count());

        fixture.cluster.restart();
        BotSessions.clear(); // as after a controller restart: the credentials join again
        List<String> lines = new java.util.ArrayList<>();
        PendingReleaseRetry.retry(java.time.Clock.systemUTC(), lines::add);
        assertTrue(lines.contains("pending release of access request " + id + " done"), lines.toString());
        assertEquals(1, fixture.events(id, "cert.release").size());
        assertTrue(action.getReleaseStatus().contains("retried in the background"), action.getReleaseStatus());
    }

    @Test
    void anOlderVersionsPendingReleaseWithAKeyIsRemoved() throws Exception {
        var store = PendingReleaseRetry.store(java.time.Clock.systemUTC());
        Files.createDirectories(store.dir());
        Path old = store.dir().resolve("0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a-1.json");
        Files.writeString(old, "{\"server\":\"https://a:3025\",\"identity_pem\":\"-----BEGIN PRIVATE KEY-----\\nMIG\\n\"}");
        List<String> lines = new java.util.ArrayList<>();
        PendingReleaseRetry.retry(java.time.Clock.systemUTC(), lines::add);
        assertFalse(Files.exists(old), lines.toString());
        assertTrue(lines.get(0).contains("an older version of the plugin kept a bot identity"), lines.toString());
    }

    @Test
    void aNewBlockDoesNotRetryOtherBuildsPendingReleases() throws Exception {
        String first = fixture.request(2);
        start(new TeleportAccessRequestStep(first));
        fixture.cluster.stop();
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
        fixture.cluster.restart();

        Log second = new Log();
        TestContext next = new TestContext().with(Run.class, new TestRun(new TestJob("other"), 1)).with(TaskListener.class, second)
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
        new TeleportAccessRequestStep(fixture.request(2)).start(next).start();
        next.awaitBody();
        next.invoker.callback.onSuccess(next, "ok");
        next.awaitDone();
        assertFalse(second.text().contains(first), "another build's request is not in this build's log: " + second.text());
        assertEquals(1, PendingReleaseRetry.store(java.time.Clock.systemUTC()).files().stream()
                .filter(f -> f.getFileName().toString().startsWith(first)).count(), "left to the background: " + second.text());
    }

    @Test
    void maxTtlCapsTheLifetimeEvenWhenNothingElseAsksForOne() throws Exception {
        TeleportGlobalConfiguration.get().getServers().get(0).setMaxTtl("30m");
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        TeleportRequestAction action = run.getAction(TeleportRequestAction.class);
        java.time.Duration lifetime = java.time.Duration.between(java.time.Instant.parse(action.getValidAfter()),
                java.time.Instant.parse(action.getValidBefore()));
        assertTrue(lifetime.compareTo(java.time.Duration.ofMinutes(31)) <= 0, "capped at 30m (+ backdating): " + lifetime);
        context.invoker.callback.onSuccess(context, "ok");
        context.awaitDone();
    }

    @Test
    void aRequestIdThatIsNotOneFailsBeforeAnyCallNamingTheParameter() throws Exception {
        for (String bad : List.of("../ping", "x?y=1", "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a/release")) {
            TestContext c = contextFor(run);
            new TeleportAccessRequestStep(bad).start(c).start();
            c.awaitDone();
            assertInstanceOf(AbortException.class, c.failure);
            assertTrue(c.failure.getMessage().contains("withTeleportAccessRequest's requestId"), c.failure.getMessage());
        }
        assertEquals(0, joins(), "nothing reached the auth server");
        assertEquals(0, bundles());
    }

    /** Stops the block when {@code phase} starts, from the block's own thread, as an abort arriving then would. */
    void stopWhen(BlockPhases.Phase phase) {
        BlockPhases.listen(new BlockPhases.Listener() {
            @Override
            public void took(BlockPhases.Phase p, long nanos) {
            }

            @Override
            public void starting(BlockPhases.Phase p) {
                if (p == phase) {
                    try {
                        execution.stop(new FlowInterruptedException(Result.ABORTED));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        });
    }

    @Test
    void aBlockStoppedWhileItsCertificatesAreIssuedReleasesThemAndDeletesTheFiles() throws Exception {
        for (BlockPhases.Phase phase : List.of(BlockPhases.Phase.ISSUE, BlockPhases.Phase.WRITE)) {
            String id = fixture.request(2);
            context = contextFor(run);
            execution = new TeleportAccessRequestStep(id).start(context);
            stopWhen(phase);
            try {
                execution.start();
                context.awaitDone();
            } finally {
                BlockPhases.listen(null);
            }
            assertInstanceOf(FlowInterruptedException.class, context.failure, phase + ": the stop is the block's end");
            assertNull(context.invoker, phase + ": the body never ran");
            for (int i = 0; i < 200 && fixture.events(id, "cert.release").isEmpty(); i++) {
                Thread.sleep(25); // the cleanup finishes on the block's thread after the step has completed
            }
            assertEquals(1, fixture.events(id, "cert.release").size(), phase + ": released");
            for (int i = 0; i < 200 && bundles() > 0; i++) {
                Thread.sleep(25);
            }
            assertEquals(0, bundles(), phase + ": the files are gone");
        }
    }

    @Test
    void aControllerRestartWhileCertificatesAreIssuedReleasesThemOnResume() throws Exception {
        String id = fixture.request(2);
        execution = new TeleportAccessRequestStep(id).start(context);
        java.util.concurrent.CountDownLatch saved = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch crash = new java.util.concurrent.CountDownLatch(1);
        byte[][] program = new byte[1][];
        BlockPhases.listen(new BlockPhases.Listener() {
            @Override
            public void took(BlockPhases.Phase p, long nanos) {
            }

            @Override
            public void starting(BlockPhases.Phase p) {
                if (p == BlockPhases.Phase.WRITE) {
                    try {
                        program[0] = StepHarness.serialize(execution); // Pipeline saves the program meanwhile
                        saved.countDown();
                        crash.await(); // the controller dies here: this thread never goes on
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    throw new IllegalStateException("the controller is gone");
                }
            }
        });
        try {
            execution.start();
            assertTrue(saved.await(60, java.util.concurrent.TimeUnit.SECONDS));
            BotSessions.clear();
            TestContext resumed = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                    .with(FilePath.class, StepHarness.workspace(agent, workspace));
            StepHarness.TestContext.CONTEXTS.put(context.id, resumed); // the restored program finds the new context
            StepExecution restored = (StepExecution) StepHarness.readBack(program[0]);
            assertTrue(restored.getStatus().startsWith("running in thread"), "the thread name is saved, as the real one saves it");
            restored.onResume();
            resumed.awaitDone();
            assertTrue(resumed.failure.getMessage().contains("Jenkins restarted"), String.valueOf(resumed.failure));
            assertEquals(1, fixture.events(id, "cert.release").size(), "what was issued before the restart is released");
            assertEquals(0, bundles(), "and the keys deleted");
        } finally {
            BlockPhases.listen(null);
            crash.countDown();
        }
    }

    @Test
    void keyLinesAreMaskedByValueInTheRunsCharsetAndInTheBodysFailure() throws Exception {
        run.setCharsetForTest(StandardCharsets.ISO_8859_1);
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        List<String> keyLines = new java.util.ArrayList<>();
        for (String variable : List.of("TELEPORT_TLS_KEY", "TELEPORT_SSH_KEY")) {
            Files.readAllLines(Path.of(context.bodyEnvironment().get(variable))).stream()
                    .filter(l -> l.length() >= SecretLines.MIN_LENGTH && !l.startsWith("-----")).forEach(keyLines::add);
        }
        assertTrue(keyLines.size() >= 4, keyLines.toString());
        String printed = "caf\u00e9 key=" + keyLines.get(1) + " next " + keyLines.get(keyLines.size() - 1) + "\n";
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        try (var out = ((hudson.console.ConsoleLogFilter) context.invoker.contexts.stream()
                .filter(o -> o instanceof hudson.console.ConsoleLogFilter).findFirst().orElseThrow()).decorateLogger((Run<?, ?>) null, sink)) {
            out.write(printed.getBytes(StandardCharsets.ISO_8859_1));
        }
        String shown = sink.toString(StandardCharsets.ISO_8859_1);
        assertEquals("caf\u00e9 key=**** next ****\n", shown, "masked without a PEM header, the rest intact in the run's charset");

        AbortException leaked = new AbortException("deploy failed: " + keyLines.get(2));
        context.invoker.callback.onFailure(context, leaked);
        context.awaitDone();
        assertFalse(context.failure.getMessage().contains(keyLines.get(2)), context.failure.getMessage());
        assertTrue(context.failure.getMessage().contains("deploy failed: ****"), context.failure.getMessage());
        assertEquals(1, fixture.events(id, "cert.release").size());
    }

    @Test
    void aKeyLineInTheCauseOrASuppressedFailureOfTheBodyIsMaskedToo() throws Exception {
        String id = fixture.request(2);
        start(new TeleportAccessRequestStep(id));
        List<String> keyLines = Files.readAllLines(Path.of(context.bodyEnvironment().get("TELEPORT_SSH_KEY"))).stream()
                .filter(l -> l.length() >= SecretLines.MIN_LENGTH && !l.startsWith("-----")).toList();
        IllegalStateException failure = new IllegalStateException("deploy failed", new java.io.IOException("read " + keyLines.get(0)));
        failure.addSuppressed(new RuntimeException("also " + keyLines.get(1)));
        StackTraceElement[] trace = failure.getStackTrace();

        context.invoker.callback.onFailure(context, failure);
        context.awaitDone();
        java.io.StringWriter printed = new java.io.StringWriter();
        context.failure.printStackTrace(new java.io.PrintWriter(printed));
        for (String line : keyLines.subList(0, 2)) {
            assertFalse(printed.toString().contains(line), printed.toString());
        }
        assertTrue(context.failure.getMessage().contains("IllegalStateException: deploy failed"), context.failure.getMessage());
        assertTrue(context.failure.getCause().getMessage().contains("java.io.IOException: read ****"), printed.toString());
        assertTrue(context.failure.getSuppressed()[0].getMessage().endsWith("also ****"), printed.toString());
        assertArrayEquals(trace, context.failure.getStackTrace(), "where it failed is kept");

        RuntimeException harmless = new RuntimeException("no key here", new java.io.IOException("nor here"));
        assertSame(harmless, TeleportAccessRequestStep.Execution.masked(harmless,
                new PrivateKeyMaskingFilter(SecretLines.of(String.join("\n", keyLines)), StandardCharsets.UTF_8)),
                "a failure with nothing to mask is the body's own");
    }

    @Test
    void onlyNamedClassesCrossTheAgentChannel() {
        for (Class<?> type : List.of(AgentBundle.PrepareKeys.class, AgentBundle.WriteCertificates.class, AgentBundle.Delete.class,
                PreparedKeys.class, CertificateFiles.class)) {
            for (java.lang.reflect.Field f : type.getDeclaredFields()) {
                assertFalse(f.getType().isArray() && f.getType() != byte[].class && f.getType() != int[].class,
                        type.getSimpleName() + "." + f.getName() + " is a positional array");
            }
        }
    }
}
