package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The README walkthrough's cluster on a real server (roles, the bot, alice who asks, bob and carol on the change
 * board), with helpers to invite people, enrol them through the pages, sign them in and create requests.
 */
final class ChangeBoard implements AutoCloseable {

    static final String PASSWORD = "correct horse battery staple";

    final TestCluster cluster;

    private ChangeBoard(TestCluster cluster) {
        this.cluster = cluster;
    }

    static ChangeBoard start(Path dir) throws Exception {
        TestCluster cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        return new ChangeBoard(cluster);
    }

    URI base() {
        return cluster.server().url();
    }

    PageClient browser() {
        return new PageClient(base(), cluster.anonymousTls());
    }

    /** What {@code tctl users add}/{@code reset} prints: the link (path only). */
    String invite(String user, boolean reset) {
        Map<String, Object> body = reset ? Map.of("reset", true) : Map.of();
        TestClient.Response r = cluster.admin().post("/v1/users/" + user + "/invites", body);
        if (r.status() != 201) {
            throw new AssertionError("invite " + user + ": " + r);
        }
        return URI.create(r.json().path("url").asText()).getPath();
    }

    /** The base32 key an invite page shows for the authenticator app. */
    static byte[] keyOf(PageClient.Page invitePage) {
        return Base32.decode(invitePage.textOf("totp-key"));
    }

    /** Invites {@code user} and enrols them through the pages; returns their authenticator key (their session is kept). */
    byte[] enrol(PageClient browser, String user) {
        PageClient.Page page = browser.get(invite(user, false));
        byte[] key = keyOf(page);
        PageClient.Page done = browser.post("/web/invite", Map.of("csrf", page.field("csrf"), "token", page.field("token"),
                "password", PASSWORD, "confirm", PASSWORD, "code", code(key)));
        if (done.status() != 303) {
            throw new AssertionError("enrol " + user + ": " + done.status() + "\n" + done.body());
        }
        return key;
    }

    /** A code for {@code key} now, after moving the clock a step on (each code is accepted once). */
    String freshCode(byte[] key) {
        cluster.clock().advance(Duration.ofSeconds(Totp.PERIOD_SECONDS));
        return code(key);
    }

    String code(byte[] key) {
        return Totp.code(key, cluster.clock().instant());
    }

    /** Signs {@code user} in from a new browser. */
    PageClient signedIn(String user, byte[] key) {
        PageClient browser = browser();
        PageClient.Page form = browser.get("/web/login");
        PageClient.Page done = browser.post("/web/login", Map.of("csrf", form.field("csrf"), "next", "/web/", "user", user,
                "password", PASSWORD, "code", freshCode(key)));
        if (done.status() != 303) {
            throw new AssertionError("sign in " + user + ": " + done.status() + "\n" + done.body());
        }
        return browser;
    }

    /** Creates a request as alice through the API, for any build; its ID. */
    String request(String reason) {
        return request(reason, "", "");
    }

    /** Creates a request as alice through the API, for builds of {@code jenkinsJob} and {@code jenkinsBranch} (empty: any). */
    String request(String reason, String jenkinsJob, String jenkinsBranch) {
        Map<String, Object> ask = new LinkedHashMap<>();
        ask.put("bot", "jenkins-deploy");
        ask.put("roles", List.of("deploy"));
        ask.put("reason", reason);
        ask.put("max_duration", "2h");
        ask.put("jenkins_job", jenkinsJob);
        ask.put("jenkins_branch", jenkinsBranch);
        TestClient.Response r = cluster.user("alice").post("/v1/access-requests", ask);
        if (r.status() != 201) {
            throw new AssertionError("request: " + r);
        }
        return r.json().path("metadata").path("name").asText();
    }

    @Override
    public void close() {
        cluster.close();
    }
}
