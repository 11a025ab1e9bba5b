package io.jenkins.plugins.teleport.auth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin CLI driven as a person would, against a real server: the README walkthrough and the exit codes. */
class TctlTest {

    @TempDir
    Path dir;

    TestCluster cluster;
    Path admin;

    /** What one tctl invocation did. */
    record Run(int exit, String out, String err) {}

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir.resolve("server"));
        admin = dir.resolve("admin.pem");
        cluster.adminIdentity().write(admin);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    Run tctl(Path identity, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--auth-server=" + cluster.server().url());
        all.add("--identity=" + identity);
        return tctlRaw(all.toArray(String[]::new));
    }

    static Run tctlRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Tctl.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theReadmeWalkthroughRunsThroughTctl() throws Exception {
        Run created = tctl(admin, "create", "-f", Path.of("..", "examples", "walkthrough.yaml").toString());
        assertEquals(0, created.exit(), created.err());
        assertTrue(created.out().contains("bot 'jenkins-deploy' created"), created.out());

        for (String user : List.of("alice", "bob", "carol")) {
            Run signed = tctl(admin, "auth", "sign", "--user", user, "--out", dir.resolve(user + ".pem").toString());
            assertEquals(0, signed.exit(), signed.err());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(user + ".pem"))));
        }
        Path alice = dir.resolve("alice.pem");
        Run request = tctl(alice, "requests", "create", "--bot", "jenkins-deploy", "--roles", "deploy",
                "--reason", "CHG-1234", "--max-duration", "2h", "-q");
        assertEquals(0, request.exit(), request.err());
        String id = request.out().strip();
        assertTrue(id.matches("[0-9a-f-]{36}"), id);

        Run own = tctl(alice, "requests", "review", id, "--approve");
        assertEquals(Tctl.REFUSED, own.exit());
        assertTrue(own.err().contains("created request " + id + " and cannot review it") && own.err().contains("[access_denied]"),
                own.err());

        Run first = tctl(dir.resolve("bob.pem"), "requests", "review", id, "--approve", "--reason", "ok");
        assertTrue(first.out().contains("PENDING (cab: 1 of 2 approvals)"), first.out());
        Run second = tctl(dir.resolve("carol.pem"), "requests", "review", id, "--approve", "--reason", "CAB ok");
        assertTrue(second.out().contains("is APPROVED"), second.out());

        Run list = tctl(admin, "requests", "ls");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("APPROVED") && l.contains("alice")), list.out());

        Run another = tctl(alice, "requests", "create", "--bot", "jenkins-deploy", "--roles", "deploy", "--reason", "CHG-2", "-q");
        String other = another.out().strip();
        Run cancelledByBob = tctl(dir.resolve("bob.pem"), "requests", "cancel", other);
        assertEquals(Tctl.REFUSED, cancelledByBob.exit(), "only who asked cancels: " + cancelledByBob.err());
        Run cancelled = tctl(alice, "requests", "cancel", other, "--reason", "wrong change");
        assertTrue(cancelled.out().contains("is CANCELLED (cancelled: wrong change)"), cancelled.out());

        Run audit = tctl(admin, "audit", "ls", "--request", id);
        List<String> events = new ArrayList<>();
        for (String line : audit.out().strip().split("\n")) {
            JsonNode e = Json.mapper().readTree(line);
            assertEquals(id, e.path("request_id").asText());
            events.add(e.path("event").asText() + ":" + e.path("user").asText());
        }
        assertEquals(List.of("access_request.create:alice", "access_request.review:bob", "access_request.review:carol",
                "access_request.update:carol"), events);
    }

    @Test
    void aBotJoinsAssumesAnApprovedRequestAndReleasesIt() throws Exception {
        assertEquals(0, tctl(admin, "create", "-f", Path.of("..", "examples", "walkthrough.yaml").toString()).exit());
        Run token = tctl(admin, "tokens", "add", "--bot", "jenkins-deploy", "-q");
        assertEquals(0, token.exit(), token.err());
        Files.writeString(dir.resolve("token"), token.out().strip());
        for (String user : List.of("alice", "bob", "carol")) {
            tctl(admin, "auth", "sign", "--user", user, "--out", dir.resolve(user + ".pem").toString());
        }
        String id = tctl(dir.resolve("alice.pem"), "requests", "create", "--bot", "jenkins-deploy", "--roles", "deploy",
                "--reason", "CHG-1", "-q").out().strip();
        tctl(dir.resolve("bob.pem"), "requests", "review", id, "--approve");
        tctl(dir.resolve("carol.pem"), "requests", "review", id, "--approve");

        Path out = dir.resolve("bundle");
        Run assume = tctl(admin, "bots", "assume", "--bot", "jenkins-deploy", "--token-file", dir.resolve("token").toString(),
                "--ca-pin", cluster.server().ca().pin(), "--request", id, "--out", out.toString());
        assertEquals(0, assume.exit(), assume.err());
        assertTrue(assume.out().contains("principals: deploy"), assume.out());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("id_ed25519"))));
        assertTrue(Files.readString(out.resolve("id_ed25519")).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertTrue(Files.readString(out.resolve("id_ed25519-cert.pub")).startsWith("ssh-ed25519-cert-v01@openssh.com "));

        Run wrongPin = tctl(admin, "bots", "assume", "--bot", "jenkins-deploy", "--token-file", dir.resolve("token").toString(),
                "--ca-pin", "sha256:" + "0".repeat(64), "--request", id, "--out", dir.resolve("other").toString());
        assertEquals(Tctl.UNREACHABLE, wrongPin.exit());

        Run release = tctl(out.resolve("bot-identity.pem"), "bots", "release", "--request", id);
        assertEquals(0, release.exit(), release.err());
        assertTrue(release.out().contains("ssh:") && release.out().contains("tls:"), release.out());

        Run lock = tctl(admin, "locks", "add", "--bot", "jenkins-deploy", "--message", "incident", "--ttl", "1h");
        assertEquals(0, lock.exit(), lock.err());
        Run locks = tctl(admin, "locks", "ls");
        assertTrue(locks.out().contains("bot=jenkins-deploy") && locks.out().contains("incident"), locks.out());
        String lockName = lock.out().split(" ")[1];
        assertEquals(0, tctl(admin, "locks", "rm", lockName).exit());
        assertTrue(tctl(admin, "tokens", "ls").out().contains("NAME"), "tokens ls prints a table");
    }

    @Test
    void getPrintsJsonWhenAsked() throws Exception {
        Run roles = tctl(admin, "get", "roles", "--format", "json");
        assertEquals(0, roles.exit(), roles.err());
        JsonNode list = Json.mapper().readTree(roles.out());
        assertTrue(list.isArray() && list.get(0).path("metadata").path("name").asText().equals("admin"), roles.out());
    }

    @Test
    void usersAddCreatesTheUserAndAWorkingIdentity() {
        Run add = tctl(admin, "users", "add", "dora", "--roles", "admin", "--out", dir.resolve("dora.pem").toString());
        assertEquals(0, add.exit(), add.err());
        Run asDora = tctl(dir.resolve("dora.pem"), "get", "users");
        assertTrue(asDora.out().contains("dora"), asDora.out());
    }

    @Test
    void usersAddPrintsAOneTimeInviteLinkAndResetAndLockWork() {
        assertEquals(0, tctl(admin, "create", "-f", Path.of("..", "examples", "walkthrough.yaml").toString()).exit());
        Run add = tctl(admin, "users", "add", "erin", "--roles", "cab");
        assertEquals(0, add.exit(), add.err());
        assertTrue(add.out().contains("User \"erin\" has been created with roles cab but requires a password"), add.out());
        assertTrue(add.out().matches("(?s).*\n" + java.util.regex.Pattern.quote(cluster.server().url().toString())
                + "/web/invite/[A-Za-z0-9_-]{22}\n.*"), add.out());
        assertTrue(Files.notExists(Path.of("erin.pem")), "no identity file unless --out is given");

        Run reset = tctl(admin, "users", "reset", "erin", "--ttl", "2h");
        assertEquals(0, reset.exit(), reset.err());
        assertTrue(reset.out().contains("/web/reset/"), reset.out());
        Run tooLong = tctl(admin, "users", "reset", "erin", "--ttl", "25h");
        assertEquals(Tctl.REFUSED, tooLong.exit());
        assertTrue(tooLong.err().contains("at most 24h"), tooLong.err());

        Run lock = tctl(admin, "users", "lock", "erin", "--message", "left the company");
        assertEquals(0, lock.exit(), lock.err());
        assertTrue(lock.out().startsWith("user 'erin' locked by lock "), lock.out());
        Run locks = tctl(admin, "locks", "ls");
        assertTrue(locks.out().contains("user=erin") && locks.out().contains("left the company"), locks.out());
        assertEquals(Tctl.REFUSED, tctl(admin, "users", "reset", "nobody").exit());
    }

    @Test
    void exitCodesTellScriptsWhatWentWrong() throws Exception {
        Run usage = tctl(admin, "requests", "create", "--bot", "b");
        assertEquals(2, usage.exit(), "missing --roles is a usage error");
        Run unknownKind = tctl(admin, "get", "widgets");
        assertEquals(2, unknownKind.exit());
        assertTrue(unknownKind.err().contains("unknown kind 'widgets'"), unknownKind.err());

        Run missingIdentity = tctl(dir.resolve("nope.pem"), "get", "roles");
        assertEquals(Tctl.LOCAL, missingIdentity.exit());
        assertTrue(missingIdentity.err().contains("identity file"), missingIdentity.err());

        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run unreachable = tctlRaw("get", "roles", "--auth-server=https://127.0.0.1:" + closedPort, "--identity=" + admin);
        assertEquals(Tctl.UNREACHABLE, unreachable.exit());
        assertTrue(unreachable.err().contains("cannot reach the auth server"), unreachable.err());
        assertTrue(!unreachable.err().contains(": null"), "the reason is named, never 'null': " + unreachable.err());

        Run refused = tctl(admin, "get", "role", "no-such-role");
        assertEquals(Tctl.REFUSED, refused.exit());
        assertTrue(refused.err().contains("[not_found]"), refused.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : List.of(new String[] {"--help"}, new String[] {"requests", "create", "--help"},
                new String[] {"audit", "ls", "--help"}, new String[] {"users", "add", "--help"}, new String[] {"create", "--help"},
                new String[] {"users", "reset", "--help"}, new String[] {"users", "lock", "--help"})) {
            Run help = tctlRaw(cmd);
            assertEquals(0, help.exit());
            assertTrue(help.out().contains("Usage: tctl"), help.out());
        }
    }
}
