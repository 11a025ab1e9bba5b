package io.jenkins.plugins.teleport.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.client.oidc.WebIdentityRefresh;
import io.jenkins.plugins.teleport.jenkins.StepHarness.AgentChannel;
import io.jenkins.plugins.teleport.jenkins.StepHarness.Log;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestContext;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestJob;
import io.jenkins.plugins.teleport.jenkins.StepHarness.TestRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part A in Jenkins: {@code withTeleportAccessRequest(requestId: …, awsIntegration: 'prod-deploy')} against the real
 * auth server. The body gets the web identity token in an owner-only file of its identity directory and the three
 * AWS variables; the token is asked on the agent with the request-bound identity, refreshed before it expires (the
 * timer's tasks are run by hand here: no waiting), after a controller restart too, and never written after the end.
 */
class AwsIntegrationBlockTest {

    static final String ROLE_ARN = "arn:aws:iam::123456789012:role/prod-deploy";

    /** Jenkins' timer, held: the test runs each planned refresh when it wants to. */
    static final class HeldTimer implements WebIdentityRefresh.Scheduler {
        record Task(Runnable task, Duration delay, CompletableFuture<Void> future) {}

        final List<Task> tasks = new CopyOnWriteArrayList<>();

        @Override
        public Future<?> schedule(Runnable task, Duration delay) {
            Task t = new Task(task, delay, new CompletableFuture<>());
            tasks.add(t);
            return t.future();
        }

        Task last() {
            return tasks.get(tasks.size() - 1);
        }

        /** Runs the last planned task, as the timer would when its delay is up (unless it was cancelled). */
        void fire() {
            Task t = last();
            if (!t.future().isCancelled()) {
                t.task().run();
                t.future().complete(null);
            }
        }
    }

    @TempDir
    Path dir;

    PluginFixture fixture;
    HeldTimer timer;
    WebIdentityRefresh.Scheduler jenkinsTimer;
    TestRun run;
    Log log;
    AgentChannel agent;
    Path workspace;
    TestContext context;
    StepExecution execution;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PluginFixture(dir);
        fixture.allowIntegration("prod-deploy", ROLE_ARN);
        timer = new HeldTimer();
        jenkinsTimer = AwsWebIdentities.scheduler;
        AwsWebIdentities.scheduler = timer;
        run = new TestRun(new TestJob("deploy"), 42);
        log = new Log();
        agent = new AgentChannel();
        workspace = Files.createDirectories(dir.resolve("agent").resolve("workspace").resolve("deploy"));
        context = new TestContext().with(Run.class, run).with(TaskListener.class, log)
                .with(FilePath.class, StepHarness.workspace(agent, workspace));
    }

    @AfterEach
    void tearDown() {
        AwsWebIdentities.scheduler = jenkinsTimer;
        fixture.close();
    }

    TeleportAccessRequestStep step(String id, String integration) {
        TeleportAccessRequestStep step = new TeleportAccessRequestStep(id);
        step.setAwsIntegration(integration);
        step.setTtl("2h"); // the certificates outlive a token (1 h at most): it is refreshed inside the block
        return step;
    }

    void start(TeleportAccessRequestStep step) throws Exception {
        execution = step.start(context);
        assertFalse(execution.start());
        context.awaitBody();
        assertNull(context.failure, String.valueOf(context.failure));
    }

    /** Checks the token as AWS STS would (signature through the auth server's JWKS, issuer, audience, expiry). */
    JWTClaimsSet verified(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        JWKSet keys = JWKSet.parse(fixture.cluster.anonymous().get("/.well-known/jwks-oidc").json().toString());
        assertTrue(jwt.verify(new RSASSAVerifier(keys.getKeyByKeyId(jwt.getHeader().getKeyID()).toRSAKey())), "signed by the auth server");
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        String issuer = fixture.cluster.anonymous().get("/.well-known/openid-configuration").json().path("issuer").asText();
        assertEquals(issuer, c.getIssuer());
        assertEquals(List.of("sts.amazonaws.com"), c.getAudience());
        assertTrue(c.getExpirationTime().toInstant().isAfter(fixture.cluster.clock().instant()));
        return c;
    }

    @Test
    void theBodyGetsAnOwnerOnlyTokenFileAndTheAwsVariablesAndTheTokenIsRefreshedBeforeItExpires() throws Exception {
        String id = fixture.request(2);
        start(step(id, "prod-deploy"));

        EnvVars env = context.bodyEnvironment();
        Path bundle = Path.of(env.get("TELEPORT_IDENTITY_DIR"));
        Path tokenFile = Path.of(env.get("AWS_WEB_IDENTITY_TOKEN_FILE"));
        assertEquals(bundle.resolve("aws-web-identity-token"), tokenFile, "in the identity directory");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
        assertEquals(ROLE_ARN, env.get("AWS_ROLE_ARN"));
        assertEquals("jenkins-deploy@" + id, env.get("AWS_ROLE_SESSION_NAME"), "the bot and the request");
        String token = Files.readString(tokenFile, StandardCharsets.US_ASCII);
        JWTClaimsSet claims = verified(token);
        assertEquals("bot:jenkins-deploy", claims.getSubject());
        assertEquals(id, claims.getStringClaim("access_request"));
        assertEquals("https://jenkins.example.com/job/deploy/42/", claims.getStringClaim("build_url"));
        assertEquals("prod-deploy", run.getAction(TeleportRequestAction.class).getAwsIntegration());
        assertEquals(1, fixture.events(id, "oidc.token.issue").size());

        assertFalse(log.text().contains(token), "the token is never in the log");
        assertEquals("token ****", context.filtered("token " + token).trim(), "and masked if the body prints it");
        String saved = new String(StepHarness.serialize(List.of(execution, context.invoker.callback, context.invoker.contexts)),
                StandardCharsets.ISO_8859_1);
        assertFalse(saved.contains(token.substring(token.lastIndexOf('.') + 1)), "nor in the build's saved program");

        HeldTimer.Task planned = timer.last();
        Duration life = Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant());
        assertTrue(planned.delay().compareTo(life) < 0 && planned.delay().compareTo(life.multipliedBy(7).dividedBy(10)) > 0,
                "planned before the token expires: " + planned.delay() + " of " + life);
        timer.fire();
        String refreshed = Files.readString(tokenFile, StandardCharsets.US_ASCII);
        assertNotEquals(token, refreshed);
        assertNotEquals(claims.getJWTID(), verified(refreshed).getJWTID());
        assertEquals(2, fixture.events(id, "oidc.token.issue").size());
        assertTrue(log.text().contains("AWS web identity token for integration prod-deploy refreshed"), log.text());
        assertEquals(2, timer.tasks.size(), "and the next refresh planned");

        context.invoker.callback.onSuccess(context, "deployed");
        context.awaitDone();
        assertEquals("deployed", context.result, String.valueOf(context.failure));
        assertFalse(Files.exists(bundle), "the token goes with the identity directory");
        assertTrue(timer.last().future().isCancelled(), "no refresh after the end");
        assertEquals(0, AwsWebIdentities.running());
        timer.last().task().run(); // even a refresh that was already due writes nothing
        assertFalse(Files.exists(bundle));
        assertEquals(2, fixture.events(id, "oidc.token.issue").size());
    }

    @Test
    void afterAControllerRestartDuringTheBodyTheTokenIsFetchedAgainAndKeptFresh() throws Exception {
        String id = fixture.request(2);
        start(step(id, "prod-deploy"));
        Path tokenFile = Path.of(context.bodyEnvironment().get("AWS_WEB_IDENTITY_TOKEN_FILE"));
        String before = Files.readString(tokenFile);
        // A safe restart waits for what blocks it: the opening's background thread may still be finishing after the
        // body has started (saved then, the resumed step would fail as the real GeneralNonBlockingStepExecution does).
        TeleportAccessRequestWaitTest.until(() -> !execution.blocksRestart(), "the opening's thread is given back");
        byte[] saved = StepHarness.serialize(List.of(execution, context.invoker.callback));

        AwsWebIdentities.stop(readHandle(execution)); // the restart forgets the controller's memory: timers included
        BotSessions.clear();
        List<?> restored = (List<?>) StepHarness.readBack(saved);
        ((StepExecution) restored.get(0)).onResume();
        assertEquals(1, AwsWebIdentities.running(), "refreshing again");
        assertTrue(timer.last().delay().isZero() || timer.last().delay().isNegative(), "a fetch right away: " + timer.last().delay());
        timer.fire();
        assertNotEquals(before, Files.readString(tokenFile), "a new token in the same file");
        assertEquals(id, verified(Files.readString(tokenFile)).getStringClaim("access_request"));

        ((BodyExecutionCallback) restored.get(1)).onSuccess(context, "done after restart");
        context.awaitDone();
        assertEquals("done after restart", context.result, String.valueOf(context.failure));
        assertEquals(0, AwsWebIdentities.running());
        assertFalse(Files.exists(tokenFile));
    }

    @Test
    void anIntegrationTheRequestedRolesMayNotUseFailsBeforeTheBodyAndCleansUp() throws Exception {
        fixture.cluster.apply(io.jenkins.plugins.teleport.api.Integration.awsOidc("billing", "arn:aws:iam::123456789012:role/billing", null));
        String id = fixture.request(2);
        execution = step(id, "billing").start(context);
        execution.start();
        context.awaitDone();
        assertInstanceOf(AbortException.class, context.failure);
        assertTrue(context.failure.getMessage().contains("No AWS web identity token for integration 'billing'")
                && context.failure.getMessage().contains("may not use integration 'billing'"), context.failure.getMessage());
        assertNull(context.invoker, "the body never ran");
        assertEquals(1, fixture.events(id, "cert.release").size(), "what was issued is released");
        assertEquals(0, AwsWebIdentities.running());
        try (var left = Files.list(workspace.resolveSibling("deploy@tmp").resolve("teleport-access-request"))) {
            assertEquals(0, left.count(), "and the files deleted");
        }
    }

    private static ScopeHandle readHandle(StepExecution execution) throws Exception {
        var f = execution.getClass().getDeclaredField("reached");
        f.setAccessible(true);
        return (ScopeHandle) f.get(execution);
    }
}
