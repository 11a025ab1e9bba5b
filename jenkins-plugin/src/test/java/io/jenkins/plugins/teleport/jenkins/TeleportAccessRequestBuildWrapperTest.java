package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jenkins.tasks.SimpleBuildWrapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The freestyle build wrapper: the same scope, set up before the build steps and disposed of after them. */
class TeleportAccessRequestBuildWrapperTest {

    @TempDir
    Path dir;

    PluginFixture fixture;
    TestRun run;
    Log log;
    FilePath workspace;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
        run = new TestRun(new TestJob("deploy-freestyle"), 7);
        log = new Log();
        workspace = StepHarness.workspace(new AgentChannel(), Files.createDirectories(dir.resolve("ws").resolve("deploy-freestyle")));
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @SuppressWarnings("deprecation")
    static SimpleBuildWrapper.Context newContext() {
        return new SimpleBuildWrapper.Context();
    }

    @Test
    void theBuildStepsSeeTheVariablesAndTheDisposerReleasesAndDeletes() throws Exception {
        String id = fixture.request(2);
        SimpleBuildWrapper.Context context = newContext();
        new TeleportAccessRequestBuildWrapper("${REQUEST_ID}").setUp(context, run, workspace, null, log,
                new EnvVars("REQUEST_ID", id));

        assertEquals(id, context.getEnv().get("TELEPORT_ACCESS_REQUEST_ID"), "the build parameter was expanded");
        Path bundle = Path.of(context.getEnv().get("TELEPORT_IDENTITY_DIR"));
        assertTrue(Files.isRegularFile(Path.of(context.getEnv().get("TELEPORT_SSH_CERT"))));

        SimpleBuildWrapper.Disposer disposer = (SimpleBuildWrapper.Disposer) StepHarness.roundTrip(context.getDisposer());
        String saved = new String(StepHarness.serialize(context.getDisposer()), StandardCharsets.ISO_8859_1);
        assertFalse(saved.contains("PRIVATE KEY") || saved.contains(fixture.token), "the disposer holds identifiers only");
        disposer.tearDown(run, workspace, null, log);
        assertFalse(Files.exists(bundle));
        assertEquals(1, fixture.events(id, "cert.release").size());
        assertEquals("https://jenkins.example.com/job/deploy-freestyle/7/",
                fixture.events(id, "cert.release").get(0).path("fields").path("build_url").asText());
    }

    @Test
    void aFreestyleBuildWithAnAwsIntegrationGetsTheTokenFileAndVariablesUntilTheDisposerEndsIt() throws Exception {
        fixture.allowIntegration("prod-deploy", AwsIntegrationBlockTest.ROLE_ARN);
        AwsIntegrationBlockTest.HeldTimer timer = new AwsIntegrationBlockTest.HeldTimer();
        var jenkinsTimer = AwsWebIdentities.scheduler;
        AwsWebIdentities.scheduler = timer;
        try {
            String id = fixture.request(2);
            TeleportAccessRequestBuildWrapper wrapper = new TeleportAccessRequestBuildWrapper(id);
            wrapper.setAwsIntegration("${AWS_INTEGRATION}");
            wrapper.setTtl("2h");
            SimpleBuildWrapper.Context context = newContext();
            wrapper.setUp(context, run, workspace, null, log, new EnvVars("AWS_INTEGRATION", "prod-deploy"));

            Path token = Path.of(context.getEnv().get("AWS_WEB_IDENTITY_TOKEN_FILE"));
            assertEquals(Path.of(context.getEnv().get("TELEPORT_IDENTITY_DIR")).resolve("aws-web-identity-token"), token);
            assertTrue(Files.readString(token).startsWith("eyJ"), "a JWS in compact form");
            assertEquals(AwsIntegrationBlockTest.ROLE_ARN, context.getEnv().get("AWS_ROLE_ARN"));
            assertEquals("jenkins-deploy@" + id, context.getEnv().get("AWS_ROLE_SESSION_NAME"));
            assertEquals(1, AwsWebIdentities.running(), "kept fresh while the build runs");

            context.getDisposer().tearDown(run, workspace, null, log);
            assertFalse(Files.exists(token));
            assertEquals(0, AwsWebIdentities.running());
            assertTrue(timer.last().future().isCancelled(), "no refresh after the build");
        } finally {
            AwsWebIdentities.scheduler = jenkinsTimer;
        }
    }

    @Test
    void aRequestThatIsNotApprovedStopsTheBuildBeforeItsSteps() throws Exception {
        String id = fixture.request(0);
        AbortException e = assertThrows(AbortException.class, () -> new TeleportAccessRequestBuildWrapper(id)
                .setUp(newContext(), run, workspace, null, log, new EnvVars()));
        assertTrue(e.getMessage().contains("is PENDING: cab: 0 of 2 approvals"), e.getMessage());
    }

    @Test
    void theBuildLogMasksPrivateKeys() throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        try (var filtered = new TeleportAccessRequestBuildWrapper("x").createLoggerDecorator(run).decorateLogger(run, out)) {
            filtered.write("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\nok\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("****\n****\n****\nok\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBuildLogMasksTheBlocksKeyLinesByValueOnceTheKeysExist() throws Exception {
        run.setCharsetForTest(StandardCharsets.ISO_8859_1);
        TeleportAccessRequestBuildWrapper wrapper = new TeleportAccessRequestBuildWrapper(fixture.request(2));
        hudson.console.ConsoleLogFilter decorator = wrapper.createLoggerDecorator(run); // Jenkins makes it before setUp
        SimpleBuildWrapper.Context context = newContext();
        wrapper.setUp(context, run, workspace, null, log, new EnvVars());
        List<String> keyLines = Files.readAllLines(Path.of(context.getEnv().get("TELEPORT_TLS_KEY"))).stream()
                .filter(l -> l.length() >= SecretLines.MIN_LENGTH && !l.startsWith("-----")).toList();
        assertFalse(keyLines.isEmpty());

        var out = new java.io.ByteArrayOutputStream();
        try (var filtered = decorator.decorateLogger(run, out)) {
            filtered.write(("caf\u00e9 " + keyLines.get(0) + " done\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        assertEquals("caf\u00e9 **** done\n", out.toString(StandardCharsets.ISO_8859_1), "a key line without its BEGIN line");
        context.getDisposer().tearDown(run, workspace, null, log);
        assertEquals(0, PrivateKeyMaskingFilter.buildsWithKeys(), "nothing kept once the build's block has ended");
    }

    @Test
    void aBuildParameterThatIsNotARequestIdStopsTheBuildNamingTheParameter() {
        AbortException e = assertThrows(AbortException.class, () -> new TeleportAccessRequestBuildWrapper("${REQUEST_ID}")
                .setUp(newContext(), run, workspace, null, log, new EnvVars("REQUEST_ID", "../../v1/ping")));
        assertTrue(e.getMessage().contains("requestId is '../../v1/ping', which is not an access request ID"), e.getMessage());
    }
}
