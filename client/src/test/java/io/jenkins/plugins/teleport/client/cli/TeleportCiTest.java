package io.jenkins.plugins.teleport.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.client.oidc.AwsWebIdentityTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code teleport-ci exec} as a CI job runs it: the command's exit code, its environment, and cleanup. */
class TeleportCiTest {

    @TempDir
    Path dir;

    TestCluster cluster;

    /** One run's exit code and standard error. */
    record Run(int exit, String err) {}

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    String request(int approvals) {
        String id = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1", Optional.of(Duration.ofHours(2)), Optional.empty(), false)).json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol").subList(0, approvals)) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        return id;
    }

    Run exec(String requestId, String... command) throws Exception {
        return exec(List.of(), requestId, command);
    }

    Run exec(List<String> options, String requestId, String... command) throws Exception {
        Files.writeString(dir.resolve("token"), cluster.token("jenkins-deploy", false));
        List<String> args = new ArrayList<>(List.of("exec", "--server", cluster.server().url().toString(),
                "--ca-pin", cluster.server().ca().pin(), "--bot", "jenkins-deploy", "--token-file", dir.resolve("token").toString(),
                "--request", requestId, "--bundle-dir", dir.resolve("bundles").toString(),
                "--state-dir", dir.resolve("pending").toString(), "--usage", "build_url=https://ci/7"));
        args.addAll(options);
        args.add("--");
        args.addAll(List.of(command));
        StringWriter err = new StringWriter();
        var cl = TeleportCi.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args.toArray(String[]::new));
        return new Run(exit, err.toString());
    }

    int releases(String id) {
        return (int) cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").findValues("event").stream()
                .filter(e -> e.asText().equals("cert.release")).count();
    }

    boolean bundlesLeft() throws Exception {
        try (var s = Files.list(dir.resolve("bundles"))) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void theCommandSeesTheVariablesAndItsExitCodeIsPassedThrough() throws Exception {
        String id = request(2);
        Path seen = dir.resolve("seen");
        Run run = exec(id, "sh", "-c", "test -r \"$TELEPORT_SSH_KEY\" && test -f \"$TELEPORT_SSH_CONFIG\" && test -f \"$TELEPORT_IDENTITY_FILE\""
                + " && echo \"$TELEPORT_ACCESS_REQUEST_ID $TELEPORT_BOT\" > " + seen + " && exit 3");
        assertEquals(3, run.exit(), run.err());
        assertEquals(id + " jenkins-deploy", Files.readString(seen).strip());
        assertEquals(1, releases(id));
        assertFalse(bundlesLeft());
        assertTrue(run.err().contains("[teleport-ci] released access request " + id), run.err());
    }

    @Test
    void aRequestThatCannotBeUsedFailsWith125AndTheCommandNeverRuns() throws Exception {
        String id = request(1);
        Path marker = dir.resolve("ran");
        Run run = exec(id, "touch", marker.toString());
        assertEquals(TeleportCi.SCOPE_FAILED, run.exit());
        assertTrue(run.err().contains("is PENDING: cab: 1 of 2 approvals"), run.err());
        assertFalse(Files.exists(marker));
    }

    @Test
    void aMissingCommandIs127AndTheCertificatesAreStillReleased() throws Exception {
        String id = request(2);
        Run run = exec(id, "/no/such/command");
        assertEquals(TeleportCi.NOT_FOUND, run.exit(), run.err());
        assertEquals(1, releases(id));
        assertFalse(bundlesLeft());
    }

    @Test
    void withAnAwsIntegrationTheCommandFindsTheWebIdentityTokenFileAndRole() throws Exception {
        AwsWebIdentityTest.allowIntegration(cluster, "prod-deploy", AwsWebIdentityTest.ROLE_ARN);
        String id = request(2);
        Path seen = dir.resolve("seen");
        Run run = exec(List.of("--aws-integration", "prod-deploy"), id, "sh", "-c",
                "test \"$(stat -c %a \"$AWS_WEB_IDENTITY_TOKEN_FILE\")\" = 600 && case \"$AWS_WEB_IDENTITY_TOKEN_FILE\" in "
                        + "\"$TELEPORT_IDENTITY_DIR\"/*) ;; *) exit 9;; esac && cut -c1-3 \"$AWS_WEB_IDENTITY_TOKEN_FILE\" > " + seen
                        + " && echo \"$AWS_ROLE_ARN $AWS_ROLE_SESSION_NAME\" >> " + seen);
        assertEquals(0, run.exit(), run.err());
        assertEquals("eyJ\n" + AwsWebIdentityTest.ROLE_ARN + " jenkins-deploy@" + id, Files.readString(seen).strip());
        assertTrue(run.err().contains("AWS web identity token for integration prod-deploy written"), run.err());
        assertFalse(bundlesLeft(), "the token goes with the identity directory");
    }

    @Test
    void anAwsIntegrationTheRequestMayNotUseFailsWith125AndStillReleases() throws Exception {
        AwsWebIdentityTest.allowIntegration(cluster, "prod-deploy", AwsWebIdentityTest.ROLE_ARN);
        cluster.apply(io.jenkins.plugins.teleport.api.Integration.awsOidc("billing", "arn:aws:iam::123456789012:role/billing", null));
        String id = request(2);
        Path marker = dir.resolve("ran");
        Run run = exec(List.of("--aws-integration", "billing"), id, "touch", marker.toString());
        assertEquals(TeleportCi.SCOPE_FAILED, run.exit(), run.err());
        assertTrue(run.err().contains("may not use integration 'billing'"), run.err());
        assertFalse(Files.exists(marker));
        assertEquals(1, releases(id));
        assertFalse(bundlesLeft());
    }

    @Test
    void releasePendingWithNothingPendingSucceeds() {
        StringWriter err = new StringWriter();
        var cl = TeleportCi.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("release-pending", "--state-dir", dir.resolve("pending").toString()));
        assertTrue(err.toString().contains("no release pending"), err.toString());
    }
}
