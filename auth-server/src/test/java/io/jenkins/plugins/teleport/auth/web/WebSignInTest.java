package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in to the web pages over real HTTPS, as a browser without script would: invites, password and TOTP, the
 * session cookie, rate limits, audit events, and sessions that locks, resets and deletions end at once.
 */
class WebSignInTest {

    @TempDir
    Path dir;

    ChangeBoard board;

    @BeforeEach
    void start() throws Exception {
        board = ChangeBoard.start(dir);
    }

    @AfterEach
    void stop() {
        board.close();
    }

    @Test
    void anInvitedPersonSetsAPasswordEnrolsAnAuthenticatorAndIsSignedIn() {
        String link = board.invite("bob", false);
        assertTrue(link.matches("/web/invite/[A-Za-z0-9_-]{22}"), link);
        PageClient browser = board.browser();
        PageClient.Page page = browser.get(link);
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<svg") && page.body().contains("aria-label=\"QR code of the authenticator key for bob\""),
                "the enrolment QR code is on the page");
        byte[] key = ChangeBoard.keyOf(page);
        assertEquals(Totp.SECRET_BYTES, key.length);

        PageClient.Page wrong = browser.post("/web/invite", Map.of("csrf", page.field("csrf"), "token", page.field("token"),
                "password", ChangeBoard.PASSWORD, "confirm", ChangeBoard.PASSWORD, "code", "000000".equals(board.code(key)) ? "111111" : "000000"));
        assertEquals(400, wrong.status());
        assertTrue(wrong.body().contains("the authenticator code is not right"), wrong.body());
        PageClient.Page weak = browser.post("/web/invite", Map.of("csrf", page.field("csrf"), "token", page.field("token"),
                "password", "short", "confirm", "short", "code", board.code(key)));
        assertTrue(weak.body().contains("at least 12 characters"), weak.body());

        PageClient.Page done = browser.post("/web/invite", Map.of("csrf", page.field("csrf"), "token", page.field("token"),
                "password", ChangeBoard.PASSWORD, "confirm", ChangeBoard.PASSWORD, "code", board.code(key)));
        assertEquals(303, done.status(), done.body());
        assertEquals("/web/", done.header("location").orElseThrow());
        assertEquals(200, browser.get("/web/").status(), "signed in");
        assertEquals(404, board.browser().get(link).status(), "the link works once");
        assertTrue(board.browser().get(link).body().contains(Invites.NOT_VALID));
    }

    @Test
    void withTheWebPagesTurnedOffTheirPathsAreTheApis() {
        try (io.jenkins.plugins.teleport.auth.testing.TestCluster off = io.jenkins.plugins.teleport.auth.testing.TestCluster.start(
                io.jenkins.plugins.teleport.auth.ServerConfig.defaults().withListenAddr("127.0.0.1:0").withDataDir(dir.resolve("off"))
                        .withWeb(new io.jenkins.plugins.teleport.auth.ServerConfig.Web(false, null)))) {
            TestClient.Response page = off.admin().get("/web/login");
            assertEquals(404, page.status());
            assertEquals("not_found", page.code(), "the API's JSON answer: no page is served");
            assertEquals(201, off.admin().post("/v1/users", User.of("bob", List.of())).status());
            assertEquals(201, off.admin().post("/v1/users/bob/invites", Map.of()).status(), "the invite endpoint stays, for scripts");
        }
    }

    @Test
    void theLogShowsInviteLinksWithoutTheirToken() {
        WebPages pages = new WebPages("test", null, null, null, null, null, null, null);
        String link = board.invite("bob", false);
        assertEquals("/web/invite/…", pages.loggable(link));
        assertEquals("/web/reset/…", pages.loggable("/web/reset/" + "x".repeat(80)));
        assertEquals("/web/requests/42", pages.loggable("/web/requests/42"));
    }

    @Test
    void theSessionCookieIsHttpOnlySecureSameSiteStrictAndShortLived() {
        byte[] key = board.enrol(board.browser(), "bob");
        PageClient browser = board.browser();
        PageClient.Page form = browser.get("/web/login");
        String pre = form.setCookies().get(0);
        assertTrue(pre.startsWith("__Host-csrf=") && pre.contains("; Secure; HttpOnly; SameSite=Strict") && pre.contains("Path=/"), pre);
        PageClient.Page done = browser.post("/web/login", Map.of("csrf", form.field("csrf"), "next", "/web/requests",
                "user", "bob", "password", ChangeBoard.PASSWORD, "code", board.freshCode(key)));
        assertEquals(303, done.status(), done.body());
        assertEquals("/web/requests", done.header("location").orElseThrow(), "back to the page asked for");
        String cookie = done.setCookies().stream().filter(c -> c.startsWith("__Host-session=")).findFirst().orElseThrow();
        assertTrue(cookie.matches("__Host-session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; Secure; HttpOnly; SameSite=Strict"), cookie);

        board.cluster.clock().advance(Duration.ofHours(12));
        PageClient.Page later = browser.get("/web/");
        assertEquals(401, later.status(), "a session lasts 12 h");
        assertTrue(later.body().contains("your session ended at"), later.body());
        assertTrue(later.setCookies().contains("__Host-session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"));
    }

    @Test
    void signingInNeedsThePasswordAndAFreshCodeAndSaysNothingAboutWhichWasWrong() {
        byte[] key = board.enrol(board.browser(), "bob");
        for (Map<String, String> attempt : List.of(
                Map.of("user", "bob", "password", "wrong password!!", "code", board.freshCode(key)),
                Map.of("user", "bob", "password", ChangeBoard.PASSWORD, "code", "123456"),
                Map.of("user", "nobody", "password", ChangeBoard.PASSWORD, "code", board.freshCode(key)),
                Map.of("user", "<script>", "password", ChangeBoard.PASSWORD, "code", "1"))) {
            PageClient browser = board.browser();
            PageClient.Page form = browser.get("/web/login");
            java.util.HashMap<String, String> fields = new java.util.HashMap<>(attempt);
            fields.put("csrf", form.field("csrf"));
            PageClient.Page refused = browser.post("/web/login", fields);
            assertEquals(401, refused.status(), attempt.toString());
            assertTrue(refused.body().contains(SignIn.INVALID), refused.body());
            assertTrue(browser.cookie("__Host-session").isEmpty());
        }
        String code = board.freshCode(key);
        PageClient first = board.browser();
        PageClient.Page form = first.get("/web/login");
        assertEquals(303, first.post("/web/login", Map.of("csrf", form.field("csrf"), "user", "bob", "password",
                ChangeBoard.PASSWORD, "code", code)).status());
        PageClient second = board.browser();
        PageClient.Page again = second.post("/web/login", Map.of("csrf", second.get("/web/login").field("csrf"), "user", "bob",
                "password", ChangeBoard.PASSWORD, "code", code));
        assertEquals(401, again.status(), "a code is accepted once (Teleport's UsedTOTPToken)");
    }

    @Test
    void failedSignInsAreRateLimitedPerUserAndAuditedWithoutThePassword() {
        byte[] key = board.enrol(board.browser(), "bob");
        PageClient browser = board.browser();
        String csrf = browser.get("/web/login").field("csrf");
        for (int i = 0; i < SignIn.MAX_USER_FAILURES; i++) {
            assertEquals(401, browser.post("/web/login", Map.of("csrf", csrf, "user", "bob", "password", "guess number " + i,
                    "code", board.freshCode(key))).status());
        }
        PageClient.Page limited = browser.post("/web/login", Map.of("csrf", csrf, "user", "bob", "password",
                ChangeBoard.PASSWORD, "code", board.freshCode(key)));
        assertEquals(429, limited.status(), "even the right password waits");
        assertTrue(limited.body().contains("too many failed sign-ins for user &#39;bob&#39;: try again after"), limited.body());

        board.cluster.clock().advance(SignIn.LOCKOUT);
        assertEquals(303, browser.post("/web/login", Map.of("csrf", csrf, "user", "bob", "password", ChangeBoard.PASSWORD,
                "code", board.freshCode(key))).status(), "after the lockout the person signs in");

        List<AuditEvent> logins = board.cluster.server().store().read(tx -> tx.events(Optional.empty(), Optional.empty(),
                Optional.empty(), 1000)).stream().filter(e -> e.event().equals("user.login")).toList();
        assertEquals(SignIn.MAX_USER_FAILURES + 1, logins.stream().filter(e -> e.code().equals("T1000W")).count(), logins.toString());
        assertEquals(1, logins.stream().filter(e -> e.code().equals("T1000I")).count());
        assertTrue(logins.stream().allMatch(e -> e.user().equals("bob") && e.fields().get("remote_addr").equals("127.0.0.1")));
        String all = board.cluster.server().store().read(tx -> tx.events(Optional.empty(), Optional.empty(), Optional.empty(), 1000))
                .toString();
        assertFalse(all.contains("guess number") || all.contains(ChangeBoard.PASSWORD), "no password in the audit log");
    }

    @Test
    void failedSignInsAreRateLimitedPerAddress() {
        PageClient browser = board.browser();
        String csrf = browser.get("/web/login").field("csrf");
        for (int i = 0; i < SignIn.MAX_ADDRESS_FAILURES; i++) {
            // A different user each time: the per-user limit never applies, the address's does.
            assertEquals(401, browser.post("/web/login", Map.of("csrf", csrf, "user", "user" + i, "password", "not the password",
                    "code", "123456")).status());
        }
        PageClient.Page limited = browser.post("/web/login", Map.of("csrf", csrf, "user", "someone", "password", "x", "code", "1"));
        assertEquals(429, limited.status());
        assertTrue(limited.body().contains("too many failed sign-ins from 127.0.0.1"), limited.body());
    }

    @Test
    void lockingAUserEndsTheirWebSessionsAtOnceAndForGood() {
        byte[] key = board.enrol(board.browser(), "bob");
        PageClient browser = board.signedIn("bob", key);
        assertEquals(200, browser.get("/web/").status());
        TestClient.Response lock = board.cluster.admin().post("/v1/locks", Map.of("kind", "lock", "version", "v2",
                "metadata", Map.of("name", "incident-7"), "spec", Map.of("target", Map.of("user", "bob"), "message", "incident 7")));
        assertEquals(201, lock.status(), lock.toString());
        PageClient.Page after = browser.get("/web/");
        assertEquals(401, after.status());
        assertTrue(after.body().contains("sign in to see this page") || after.body().contains("locked"), after.body());
        PageClient.Page signIn = board.browser().post("/web/login", Map.of("csrf", "x", "user", "bob", "password", "x", "code", "1"));
        assertEquals(403, signIn.status(), "no token, refused before anything else");
        PageClient other = board.browser();
        PageClient.Page refused = other.post("/web/login", Map.of("csrf", other.get("/web/login").field("csrf"), "user", "bob",
                "password", ChangeBoard.PASSWORD, "code", board.freshCode(key)));
        assertEquals(401, refused.status());
        assertTrue(refused.body().contains("user &#39;bob&#39; is locked by lock incident-7 (incident 7)"), refused.body());

        assertEquals(204, board.cluster.admin().delete("/v1/locks/incident-7").status());
        assertEquals(401, browser.get("/web/").status(), "the ended session stays ended when the lock is lifted");
        assertEquals(200, board.signedIn("bob", key).get("/web/").status(), "a new sign-in works again");
    }

    @Test
    void aSessionWhoseUserIsLockedOrDeletedEndsOnItsNextRequest() {
        byte[] key = board.enrol(board.browser(), "bob");
        PageClient browser = board.signedIn("bob", key);
        // A lock that also names another field does not end sessions when it is made, but is checked on every request.
        board.cluster.server().store().write(tx -> tx.create(new io.jenkins.plugins.teleport.api.Lock(null, null,
                io.jenkins.plugins.teleport.api.Metadata.named("direct"), new io.jenkins.plugins.teleport.api.Lock.Spec(
                new io.jenkins.plugins.teleport.api.Lock.Target("", "bob", "", ""), "", Optional.empty(), "test"))));
        PageClient.Page locked = browser.get("/web/");
        assertEquals(401, locked.status());
        assertTrue(locked.body().contains("is locked by lock direct"), locked.body());
        board.cluster.server().store().write(tx -> tx.delete(io.jenkins.plugins.teleport.api.Lock.class, "direct"));

        PageClient again = board.signedIn("bob", key);
        assertEquals(204, board.cluster.admin().delete("/v1/users/bob").status());
        PageClient.Page gone = again.get("/web/");
        assertEquals(401, gone.status());
        board.cluster.apply(User.of("bob", List.of("cab")));
        PageClient.Page form = board.browser().get("/web/login");
        PageClient fresh = board.browser();
        assertEquals(401, fresh.post("/web/login", Map.of("csrf", fresh.get("/web/login").field("csrf"), "user", "bob",
                "password", ChangeBoard.PASSWORD, "code", board.freshCode(key))).status(),
                "a user made again under the same name has no password: the deleted one's is gone");
        assertTrue(form.status() == 200);
    }

    @Test
    void aResetRemovesThePasswordAuthenticatorAndSessionsAndSendsANewLink() {
        byte[] key = board.enrol(board.browser(), "bob");
        PageClient browser = board.signedIn("bob", key);
        String link = board.invite("bob", true);
        assertTrue(link.startsWith("/web/reset/"), link);
        assertEquals(401, browser.get("/web/").status(), "the reset ended the session");
        PageClient other = board.browser();
        assertEquals(401, other.post("/web/login", Map.of("csrf", other.get("/web/login").field("csrf"), "user", "bob",
                "password", ChangeBoard.PASSWORD, "code", board.freshCode(key))).status(), "the old password is gone");
        PageClient.Page page = board.browser().get(link);
        assertTrue(page.body().contains("Reset the sign-in of bob"), page.body());
        assertFalse(java.util.Arrays.equals(key, ChangeBoard.keyOf(page)), "a new authenticator key");

        TestClient.Response invite = board.cluster.admin().post("/v1/users/bob/invites", Map.of());
        assertEquals(201, invite.status(), "a reset link is open, no password is set: an invite may replace it");
        board.enrol(board.browser(), "carol");
        TestClient.Response twice = board.cluster.admin().post("/v1/users/carol/invites", Map.of());
        assertEquals(409, twice.status());
        assertTrue(twice.message().contains("tctl users reset carol"), twice.message());
    }

    @Test
    void invitesNeedTheRightToUpdateUsersAndAreAudited() {
        TestClient.Response refused = board.cluster.user("alice").post("/v1/users/bob/invites", Map.of());
        assertEquals(403, refused.status());
        TestClient.Response tooLong = board.cluster.admin().post("/v1/users/bob/invites", Map.of("ttl", "49h"));
        assertEquals(400, tooLong.status());
        assertEquals(404, board.cluster.admin().post("/v1/users/nobody/invites", Map.of()).status());
        TestClient.Response made = board.cluster.admin().post("/v1/users/bob/invites", Map.of("ttl", "2h"));
        assertEquals(201, made.status());
        String url = made.json().path("url").asText();
        assertTrue(url.startsWith(board.base() + "/web/invite/"), url);
        List<AuditEvent> events = board.cluster.server().store().read(tx -> tx.events(Optional.empty(), Optional.empty(),
                Optional.empty(), 1000)).stream().filter(e -> e.event().equals("reset_password_token.create")).toList();
        assertEquals(1, events.size());
        assertEquals("T6000I", events.get(0).code());
        assertEquals("bob", events.get(0).fields().get("name"));
        assertFalse(events.toString().contains(url.substring(url.lastIndexOf('/') + 1)), "the token is not in the audit log");
    }

    @Test
    void theStoreKeepsNoTokenNorPasswordNorPlainAuthenticatorKey() throws Exception {
        PageClient browser = board.browser();
        PageClient.Page invite = browser.get(board.invite("bob", false));
        String token = invite.field("token");
        byte[] key = ChangeBoard.keyOf(invite);
        browser.post("/web/invite", Map.of("csrf", invite.field("csrf"), "token", token, "password", ChangeBoard.PASSWORD,
                "confirm", ChangeBoard.PASSWORD, "code", board.code(key)));
        String session = browser.cookie("__Host-session").orElseThrow();
        board.cluster.stop();
        byte[] db = Files.readAllBytes(dir.resolve("auth.db"));
        byte[] wal = Files.exists(dir.resolve("auth.db-wal")) ? Files.readAllBytes(dir.resolve("auth.db-wal")) : new byte[0];
        String stored = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1) + new String(wal, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String secret : List.of(token, session, ChangeBoard.PASSWORD, Base32.encode(key))) {
            assertFalse(stored.contains(secret), "the store's files do not contain " + secret);
        }
        assertTrue(stored.contains("$argon2id$v=19$"), "the password is there as an Argon2id hash");
        board.cluster.restart();
        assertEquals(200, browser.get("/web/").status(), "the session is in the store: it outlives a restart");
        assertTrue(Json.mapper().writeValueAsString(board.cluster.admin().get("/v1/users/bob").json()).matches("[^$]*"),
                "the API's user resource holds no hash");
    }
}
