package io.jenkins.plugins.teleport.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code teleport-ci exec --request-roles … --wait …}: the bot asks for itself, says who may approve and how, waits on
 * the long poll of a real auth server, and runs the command once approved; a denial, the end of the wait and a signal
 * stop it (the last two cancel the request).
 */
class TeleportCiWaitTest {

    private static final Pattern CREATED = Pattern.compile("created access request ([0-9a-f-]{36}) ");

    @TempDir
    Path dir;

    TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        Files.writeString(dir.resolve("token"), cluster.token("jenkins-deploy", false));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** Standard error as it is written, so a test can wait for a line instead of for time. */
    static final class Err extends Writer {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(char[] c, int off, int len) {
            text.append(c, off, len);
            notifyAll();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        synchronized String await(String expected) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (text.indexOf(expected) < 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + expected + "' in:\n" + text);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return text.toString();
        }

        @Override
        public synchronized String toString() {
            return text.toString();
        }
    }

    List<String> args(String wait, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", "--server", cluster.server().url().toString(),
                "--ca-pin", cluster.server().ca().pin(), "--bot", "jenkins-deploy", "--token-file", dir.resolve("token").toString(),
                "--request-roles", "deploy", "--reason", "CHG-77 deploy 4.2", "--wait", wait,
                "--bundle-dir", dir.resolve("bundles").toString(), "--state-dir", dir.resolve("pending").toString(), "--"));
        args.addAll(List.of(command));
        return args;
    }

    CompletableFuture<Integer> execInBackground(Err err, String wait, String... command) {
        var cl = TeleportCi.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] argv = args(wait, command).toArray(String[]::new);
        return CompletableFuture.supplyAsync(() -> cl.execute(argv));
    }

    static String createdId(String err) {
        Matcher m = CREATED.matcher(err);
        assertTrue(m.find(), err);
        return m.group(1);
    }

    JsonNode request(String id) {
        return cluster.admin().get("/v1/access-requests/" + id).json();
    }

    void review(String reviewer, ReviewVerdict verdict, String reason, String id) {
        assertEquals(200, cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(verdict, reason)).status());
    }

    @Test
    void theBotAsksForItselfSaysWhoMayApproveAndHowPrintsEachChangeAndRunsTheCommandOnceApproved() throws Exception {
        Err err = new Err();
        Path seen = dir.resolve("seen");
        CompletableFuture<Integer> exit = execInBackground(err, "10m", "sh", "-c", "echo \"$TELEPORT_ACCESS_REQUEST_ID\" > " + seen);
        err.await("waiting up to 10m for the approval");
        String id = createdId(err.await("PENDING: cab: 0 of 2 approvals"));
        String before = err.toString();
        assertTrue(before.contains("who may review: cab: 2 approvals from reviewers matching contains(reviewer.roles, \"cab\")"), before);
        assertTrue(before.contains("to approve: tctl requests review " + id + " --approve --reason"), before);
        assertTrue(before.contains("request page: " + cluster.server().url().toString().replaceAll("/$", "") + "/web/requests/" + id), before);
        assertTrue(before.contains("PENDING: cab: 0 of 2 approvals"), before);
        JsonNode created = request(id);
        assertEquals("bot:jenkins-deploy", created.path("spec").path("requested_by").asText(), "the bot asked for itself");
        assertEquals("CHG-77 deploy 4.2", created.path("spec").path("request_reason").asText());
        assertTrue(created.path("spec").path("one_shot").asBoolean(), "a bot's own request is one-shot");

        review("bob", ReviewVerdict.APPROVED, "ok", id);
        err.await("PENDING: cab: 1 of 2 approvals");
        assertFalse(exit.isDone(), "one approval of two is not enough");
        review("carol", ReviewVerdict.APPROVED, "ok", id);

        assertEquals(0, exit.get(60, TimeUnit.SECONDS), err.toString());
        assertTrue(err.toString().contains("APPROVED"), err.toString());
        assertEquals(id, Files.readString(seen).strip(), "the command ran inside the new request's scope");
        assertEquals("CONSUMED", request(id).path("status").path("state").asText(), "used once and released");
    }

    @Test
    void aDenialStopsBeforeTheCommandNamingTheReviewerAndTheReason() throws Exception {
        Err err = new Err();
        Path marker = dir.resolve("ran");
        CompletableFuture<Integer> exit = execInBackground(err, "10m", "touch", marker.toString());
        String id = createdId(err.await("for the approval"));
        review("bob", ReviewVerdict.DENIED, "not during the freeze", id);
        assertEquals(TeleportCi.SCOPE_FAILED, exit.get(60, TimeUnit.SECONDS));
        assertTrue(err.toString().contains("access request " + id + " was denied by bob: not during the freeze"), err.toString());
        assertFalse(Files.exists(marker), "the command never ran");
    }

    @Test
    void theEndOfTheWaitCancelsTheRequestAndExitsWith124() throws Exception {
        Err err = new Err();
        Path marker = dir.resolve("ran");
        CompletableFuture<Integer> exit = execInBackground(err, "1s", "touch", marker.toString());
        assertEquals(TeleportCi.WAIT_TIMED_OUT, exit.get(60, TimeUnit.SECONDS), err.toString());
        String id = createdId(err.toString());
        assertTrue(err.toString().contains("was not approved by"), err.toString());
        JsonNode cancelled = request(id);
        assertEquals("CANCELLED", cancelled.path("status").path("state").asText());
        assertTrue(cancelled.path("spec").path("resolve_reason").asText().contains("not approved within 1s"), cancelled.toString());
        assertFalse(Files.exists(marker));
        // Cancelled is final: a late approval changes nothing.
        assertEquals(409, cluster.user("bob").post("/v1/access-requests/" + id + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "late")).status());
    }

    @Test
    void sigtermWhileWaitingCancelsTheRequest() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TeleportCi.class.getName()));
        command.addAll(args("10m", "true"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        String id = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.append(line).append('\n');
                Matcher m = CREATED.matcher(line);
                if (m.find()) {
                    id = m.group(1);
                }
                if (line.contains("for the approval")) {
                    // SIGTERM, as a CI runner stops a job (Process.destroy would close this stream too)
                    assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(id != null, out.toString());
        JsonNode cancelled = request(id);
        assertEquals("CANCELLED", cancelled.path("status").path("state").asText(), out.toString());
        assertTrue(cancelled.path("spec").path("resolve_reason").asText().contains("SIGINT/SIGTERM"), cancelled.toString());
    }

    @Test
    void exactlyOneOfRequestAndRequestRolesIsGiven() {
        Err err = new Err();
        var cl = TeleportCi.commandLine();
        cl.setErr(new PrintWriter(err, true));
        List<String> both = new ArrayList<>(args("1m", "true"));
        both.add(1, "--request");
        both.add(2, "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        assertEquals(2, cl.execute(both.toArray(String[]::new)));
        assertTrue(err.toString().contains("give either --request ID"), err.toString());
    }
}
