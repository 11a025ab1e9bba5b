package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change board's pages over real HTTPS: what waits for whom, reviews with the API's rules, the request's
 * certificates and audit trail with links to builds, my requests, and the pages' defences (CSRF, origin, headers,
 * escaping, no secret in a page or an address).
 */
class WebReviewPagesTest {

    @TempDir
    static Path dir;

    static ChangeBoard board;
    static PageClient alice;
    static PageClient bob;
    static PageClient carol;
    static byte[] carolKey;

    @BeforeAll
    static void start() throws Exception {
        board = ChangeBoard.start(dir);
        alice = board.browser();
        bob = board.browser();
        carol = board.browser();
        board.enrol(alice, "alice");
        board.enrol(bob, "bob");
        carolKey = board.enrol(carol, "carol");
    }

    @AfterAll
    static void stop() {
        board.close();
    }

    @Test
    void reviewersSeeWhatWaitsForThemAndTheAuthorDoesNot() {
        String id = board.request("CHG-1: waiting list");
        PageClient.Page bobs = bob.get("/web/");
        assertTrue(bobs.body().contains("/web/requests/" + id), "bob (cab) may review it");
        assertTrue(bobs.body().contains("cab: 0 of 2 approvals"), bobs.body());
        assertFalse(alice.get("/web/").body().contains("/web/requests/" + id), "alice created it: another reviewer must");
        assertTrue(alice.get("/web/requests").body().contains("/web/requests/" + id), "it is among alice's requests");

        post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "ok"));
        assertFalse(bob.get("/web/").body().contains("/web/requests/" + id), "bob has reviewed it: nothing waits for him");
        assertTrue(carol.get("/web/").body().contains("cab: 1 of 2 approvals"), "carol sees the progress");
    }

    @Test
    void aReviewResolvesTheRequestWithTheApisRules() {
        String id = board.request("CHG-2: deploy release 42");
        PageClient.Page own = alice.get("/web/requests/" + id);
        assertFalse(own.body().contains("id=\"review\""), "no review form for the author");
        assertTrue(own.textOf("not-reviewable").contains("created request " + id + " and cannot review it"), own.body());
        PageClient.Page self = post(alice, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "mine"));
        assertEquals(403, self.status(), "a self-review posted anyway is refused by the service");
        assertTrue(self.textOf("notice").contains("cannot review it: another reviewer must"), self.body());

        PageClient.Page approved = post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "CAB ok"));
        assertEquals(303, approved.status());
        assertEquals("/web/requests/" + id, approved.header("location").orElseThrow());
        PageClient.Page page = bob.get("/web/requests/" + id);
        assertEquals("PENDING", page.textOf("state"));
        assertEquals("cab: 1 of 2 approvals", page.textOf("progress"));
        PageClient.Page twice = post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "DENIED", "reason", "again"));
        assertEquals(409, twice.status());
        assertTrue(twice.textOf("notice").contains("has already reviewed request"), twice.body());

        assertEquals(303, post(carol, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "ok too")).status());
        PageClient.Page done = carol.get("/web/requests/" + id);
        assertEquals("APPROVED", done.textOf("state"));
        assertTrue(done.textOf("progress").startsWith("approved by bob, carol"), done.body());
        TestClient.Response api = board.cluster.user("alice").get("/v1/access-requests/" + id);
        assertEquals("APPROVED", api.json().path("status").path("state").asText(), "the API sees the same state");
        assertEquals(List.of("bob", "carol"), List.of(api.json().path("spec").path("reviews").get(0).path("author").asText(),
                api.json().path("spec").path("reviews").get(1).path("author").asText()));
        assertTrue(done.body().contains("access_request.update"), "the audit trail shows the resolution");
    }

    @Test
    void oneDenialWithAReasonEndsTheRequest() {
        String id = board.request("CHG-9: to be denied");
        PageClient.Page denied = post(carol, "/web/requests/" + id + "/reviews", Map.of("verdict", "DENIED",
                "reason", "not during the freeze"));
        assertEquals(303, denied.status(), denied.body());
        PageClient.Page page = bob.get("/web/requests/" + id);
        assertEquals("DENIED", page.textOf("state"));
        assertTrue(page.textOf("progress").contains("denied by carol: not during the freeze"), page.body());
        assertFalse(page.body().contains("id=\"review\""), "a DENIED request takes no more reviews");
        assertFalse(bob.get("/web/").body().contains("/web/requests/" + id), "nothing waits for bob any more");
        PageClient.Page late = post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "late"));
        assertEquals(409, late.status());
        assertTrue(late.textOf("notice").contains("is already DENIED"), late.body());
    }

    @Test
    void aFormWithoutItsCsrfTokenOrFromAnotherSiteChangesNothing() {
        String id = board.request("CHG-3: csrf");
        String path = "/web/requests/" + id + "/reviews";
        PageClient.Page missing = bob.post(path, Map.of("verdict", "APPROVED", "reason", "forged"));
        assertEquals(403, missing.status());
        assertTrue(missing.body().contains("CSRF token is missing or wrong"), missing.body());
        PageClient.Page wrong = bob.post(path, Map.of("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "verdict", "APPROVED"));
        assertEquals(403, wrong.status());
        PageClient.Page othersToken = bob.post(path, Map.of("csrf", alice.get("/web/").field("csrf"), "verdict", "APPROVED"));
        assertEquals(403, othersToken.status(), "a token is bound to its session");
        String token = bob.get("/web/requests/" + id).field("csrf");
        PageClient.Page crossSite = bob.post(path, Map.of("csrf", token, "verdict", "APPROVED"),
                Map.of("Origin", "https://evil.example.com", "Sec-Fetch-Site", "cross-site"));
        assertEquals(403, crossSite.status());
        assertTrue(crossSite.body().contains("only from this server"), crossSite.body());
        PageClient.Page json = bob.post(path, Map.of(), Map.of("Origin", bob.origin(), "Content-Type", "application/json"));
        assertTrue(json.status() == 415 || json.status() == 403, "only forms: " + json.status());
        assertEquals(0, board.cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("reviews").size(),
                "no review was recorded");
    }

    @Test
    void aReasonWithMarkupIsShownAsText() {
        String id = board.request("<script>alert('xss')</script> & <b>bold</b>");
        for (PageClient.Page page : List.of(bob.get("/web/"), bob.get("/web/requests/" + id), alice.get("/web/requests"))) {
            assertFalse(page.body().contains("<script>alert"), page.uri().toString());
            assertFalse(page.body().contains("<b>bold"), page.uri().toString());
            assertTrue(page.body().contains("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"),
                    page.body());
        }
    }

    @Test
    void theRequestPageShowsItsCertificatesAndLinksEachBuild() {
        String id = board.request("CHG-4: certificates");
        post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", ""));
        post(carol, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", ""));
        IdentityFile botIdentity = board.cluster.join("jenkins-deploy");
        TestClient bot = board.cluster.client(botIdentity);
        BotKeys keys = BotKeys.generate();
        TestClient.Response issued = bot.post("/v1/certs", keys.issueBody(id, Map.of("usage",
                Map.of("build_url", "https://jenkins.example.com/job/deploy/42/"))));
        assertEquals(200, issued.status(), issued.toString());
        String sshSerial = issued.json().path("ssh_serial").asText();
        String tlsSerial = issued.json().path("tls_serial").asText();
        BotKeys evilKeys = BotKeys.generate();
        assertEquals(200, bot.post("/v1/certs", evilKeys.issueBody(id, Map.of("usage", Map.of("build_url", "javascript:alert(1)"))))
                .status());

        PageClient.Page page = bob.get("/web/requests/" + id);
        assertTrue(page.body().contains("<code>" + sshSerial + "</code>") && page.body().contains("<code>" + tlsSerial + "</code>"),
                page.body());
        assertTrue(page.body().contains("<a href=\"https://jenkins.example.com/job/deploy/42/\" rel=\"noreferrer noopener\">"),
                "build_url is a link to the build");
        assertFalse(page.body().contains("href=\"javascript:"), "a javascript: build_url is no link");
        assertTrue(page.body().contains("javascript:alert(1)"), "but it is shown");
        assertTrue(page.body().contains(">live<"), page.body());

        assertEquals(200, bot.post("/v1/access-requests/" + id + "/release", Map.of()).status());
        PageClient.Page released = bob.get("/web/requests/" + id);
        assertFalse(released.body().contains(">live<"), "released certificates are no longer live");
        assertTrue(released.body().contains(">released "), released.body());
        assertTrue(released.body().contains("cert.release"), "the audit trail shows the release");
    }

    @Test
    void myRequestsAsksForAccessOnBehalfOfABot() {
        String csrf = alice.get("/web/requests").field("csrf");
        PageClient.Page created = alice.post("/web/requests", Map.of("csrf", csrf, "bot", "jenkins-deploy", "roles", "deploy",
                "reason", "CHG-5: from the page", "max_duration", "90m", "one_shot", "true"));
        assertEquals(303, created.status(), created.body());
        String location = created.header("location").orElseThrow();
        assertTrue(location.matches("/web/requests/[0-9a-f-]{36}"), location);
        String id = location.substring("/web/requests/".length());
        TestClient.Response api = board.cluster.user("alice").get("/v1/access-requests/" + id);
        assertEquals("jenkins-deploy", api.json().path("spec").path("user").asText());
        assertTrue(api.json().path("spec").path("one_shot").asBoolean());
        assertEquals("CHG-5: from the page", api.json().path("spec").path("request_reason").asText());

        PageClient.Page refused = alice.post("/web/requests", Map.of("csrf", csrf, "bot", "jenkins-deploy", "roles", "admin",
                "reason", "keep <this>", "max_duration", ""));
        assertEquals(403, refused.status());
        assertTrue(refused.textOf("notice").contains("may not request role &#39;admin&#39;"), refused.body());
        assertTrue(refused.body().contains("keep &lt;this&gt;</textarea>"), "the form keeps what was typed");
        PageClient.Page bad = alice.post("/web/requests", Map.of("csrf", csrf, "bot", "jenkins-deploy", "roles", "deploy",
                "reason", "x", "max_duration", "soon"));
        assertEquals(400, bad.status());
        assertTrue(bad.textOf("notice").startsWith("duration:"), bad.body());
        PageClient.Page reviewer = post(bob, "/web/requests", Map.of("bot", "jenkins-deploy", "roles", "deploy", "reason", "x",
                "max_duration", ""));
        assertEquals(403, reviewer.status(), "bob may not ask on behalf of bots");
    }

    @Test
    void aRequestRestrictedToAJenkinsJobAndBranchSaysSoOnEveryPage() {
        String csrf = alice.get("/web/requests").field("csrf");
        PageClient.Page created = alice.post("/web/requests", Map.of("csrf", csrf, "bot", "jenkins-deploy", "roles", "deploy",
                "reason", "CHG-10: only the production job", "max_duration", "", "jenkins_job", "deploy/<production>",
                "jenkins_branch", "main"));
        assertEquals(303, created.status(), created.body());
        String id = created.header("location").orElseThrow().substring("/web/requests/".length());
        TestClient.Response api = board.cluster.user("alice").get("/v1/access-requests/" + id);
        assertEquals("deploy/<production>", api.json().path("spec").path("jenkins_job").asText(), "the form's job reaches the API");
        assertEquals("main", api.json().path("spec").path("jenkins_branch").asText());

        String shown = "job <code>deploy/&lt;production&gt;</code>, branch <code>main</code>";
        PageClient.Page page = bob.get("/web/requests/" + id);
        assertTrue(page.body().contains("<span id=\"restriction\">" + shown + "</span>"), page.body());
        String waiting = bob.get("/web/").body();
        String row = waiting.substring(waiting.indexOf("/web/requests/" + id));
        assertTrue(row.substring(0, row.indexOf("</tr>")).contains(shown), "the waiting list shows the restriction: " + waiting);
        assertTrue(alice.get("/web/requests").body().contains(shown), "so do my requests");

        String open = board.request("CHG-11: any build");
        assertTrue(bob.get("/web/requests/" + open).body().contains("any build of the bot"), "no restriction, said as such");
    }

    @Test
    void theAuthorCancelsARequestFromItsPageAndItShowsAsCancelled() {
        String id = board.request("CHG-12: withdrawn");
        assertFalse(bob.get("/web/requests/" + id).body().contains("id=\"cancel\""), "a reviewer gets no cancel form");
        PageClient.Page byReviewer = post(bob, "/web/requests/" + id + "/cancel", Map.of("reason", "not mine"));
        assertEquals(403, byReviewer.status(), "posted anyway, the service refuses it");
        assertTrue(byReviewer.textOf("notice").contains("may not cancel request"), byReviewer.body());

        assertTrue(alice.get("/web/requests/" + id).body().contains("id=\"cancel\""), "the author may withdraw it");
        PageClient.Page cancelled = post(alice, "/web/requests/" + id + "/cancel", Map.of("reason", "change postponed"));
        assertEquals(303, cancelled.status(), cancelled.body());
        PageClient.Page page = bob.get("/web/requests/" + id);
        assertEquals("CANCELLED", page.textOf("state"));
        assertTrue(page.body().contains("state-cancelled"), "styled as such");
        assertTrue(page.body().contains("change postponed"), "the reason is shown");
        assertFalse(page.body().contains("id=\"review\""), "a cancelled request takes no reviews");
        assertFalse(alice.get("/web/requests/" + id).body().contains("id=\"cancel\""), "nor a second cancel");
        assertFalse(bob.get("/web/").body().contains("/web/requests/" + id), "nothing waits for bob any more");
        assertEquals("CANCELLED", board.cluster.admin().get("/v1/access-requests/" + id).json().path("status").path("state").asText());
        PageClient.Page again = post(alice, "/web/requests/" + id + "/cancel", Map.of("reason", ""));
        assertEquals(409, again.status());
        assertTrue(again.textOf("notice").contains("is already CANCELLED"), again.body());
    }

    @Test
    void aReviewRulesReviewIsShownAsTheRulesAndDoesNotCountForThePeoplesThreshold() {
        board.cluster.applyYaml("""
                kind: review_rule
                version: v1
                metadata:
                  name: freeze-check
                spec:
                  roles: [deploy]
                  condition: 'equals(request.reason, "CHG-13: reviewed by a rule")'
                  decision: APPROVED
                  reason: outside the change freeze
                """);
        String id = board.request("CHG-13: reviewed by a rule");
        PageClient.Page page = bob.get("/web/requests/" + id);
        assertEquals("PENDING", page.textOf("state"), "the cab threshold wants people of role cab");
        assertEquals("cab: 0 of 2 approvals", page.textOf("progress"));
        String reviews = page.body().substring(page.body().indexOf("<table id=\"reviews\">"));
        reviews = reviews.substring(0, reviews.indexOf("</table>"));
        assertTrue(reviews.contains("<span class=\"rule\">review rule <code>freeze-check</code></span>"), reviews);
        assertTrue(reviews.contains("outside the change freeze") && reviews.contains("(automatic)"), reviews);
        assertTrue(page.body().contains("review-rule:freeze-check"), "the audit trail names the rule's reviewer");
        assertTrue(bob.get("/web/").body().contains("/web/requests/" + id), "it still waits for the board");
    }

    @Test
    void everyAnswerHasTheSecurityHeaders() {
        String id = board.request("CHG-6: headers");
        PageClient anonymous = board.browser();
        List<PageClient.Page> pages = List.of(anonymous.get("/"), anonymous.get("/web/login"), anonymous.get("/web/"),
                anonymous.get("/web/static/app.js"), anonymous.get("/web/static/app.css"), anonymous.get("/web/nope"),
                anonymous.get("/web/invite/not-a-token"), bob.get("/web/"), bob.get("/web/requests/" + id),
                bob.get("/web/requests"), bob.get("/web/logout"), bob.get("/web/requests/not-a-uuid"));
        for (PageClient.Page p : pages) {
            String csp = p.header("content-security-policy").orElse("");
            assertEquals(WebPages.CSP, csp, p.uri().toString());
            assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"));
            assertEquals("DENY", p.header("x-frame-options").orElse(""), p.uri().toString());
            assertEquals("nosniff", p.header("x-content-type-options").orElse(""));
            assertEquals("same-origin", p.header("referrer-policy").orElse(""));
            assertEquals("no-store", p.header("cache-control").orElse(""));
            assertTrue(p.status() < 500, p.uri() + " " + p.status());
            assertFalse(p.body().contains("<script>") || p.body().matches("(?s).*\\son[a-z]+=.*") || p.body().contains("style=\""),
                    "no inline script, handler or style: " + p.uri());
        }
        assertEquals(303, pages.get(0).status());
        assertEquals("/web/", pages.get(0).header("location").orElseThrow());
        assertEquals(401, pages.get(2).status(), "signed out: the sign-in form");
        assertEquals(405, pages.get(10).status(), "sign-out is a POST");
        assertEquals(404, board.cluster.admin().get("/web-not").status(), "other paths stay the API's");
        assertEquals("not_found", board.cluster.admin().get("/v1/nope").code(), "the API answers JSON as before");
    }

    @Test
    void noSecretIsInAPageOrAnAddress() {
        String session = bob.cookie("__Host-session").orElseThrow();
        String id = board.request("CHG-7: secrets");
        List<PageClient.Page> pages = List.of(bob.get("/web/"), bob.get("/web/requests/" + id), bob.get("/web/requests"),
                post(bob, "/web/requests/" + id + "/reviews", Map.of("verdict", "APPROVED", "reason", "")));
        for (PageClient.Page p : pages) {
            assertFalse(p.body().contains(session), "the session token is only in the cookie");
            assertFalse(p.body().contains(ChangeBoard.PASSWORD));
            assertFalse(p.body().contains("totp-key"), "the authenticator key is only on the enrolment page");
            assertFalse(p.body().contains("BEGIN") && p.body().contains("PRIVATE KEY"));
            assertFalse(p.uri().toString().contains(session) || p.header("location").orElse("").contains(session));
            assertFalse(p.uri().toString().contains("csrf") || p.header("location").orElse("").contains("csrf"));
        }
        for (PageClient.Page p : bob.seen()) {
            assertFalse(p.header("location").orElse("").contains("?"), "no redirect carries a query: " + p.header("location"));
        }
    }

    @Test
    void theJenkinsBuildPagesLinkLeadsThroughSignInToTheRequest() {
        String id = board.request("CHG-8: from a Jenkins build page");
        PageClient fromJenkins = board.browser();
        PageClient.Page asked = fromJenkins.get("/web/requests/" + id);
        assertEquals(401, asked.status(), "not signed in yet");
        assertEquals("/web/requests/" + id, asked.field("next"), "the sign-in form remembers where the link pointed");
        PageClient.Page signedIn = fromJenkins.post("/web/login", Map.of("csrf", asked.field("csrf"), "next", asked.field("next"),
                "user", "carol", "password", ChangeBoard.PASSWORD, "code", board.freshCode(carolKey)));
        assertEquals("/web/requests/" + id, signedIn.header("location").orElseThrow());
        assertTrue(fromJenkins.get("/web/requests/" + id).body().contains("CHG-8: from a Jenkins build page"));
        // A real browser keeps the SameSite=Strict cookie off a link followed from another site: the page opens itself
        // again from this origin, which carries the cookie; a browser with no session then gets the sign-in form.
        PageClient cookieless = board.browser();
        PageClient.Page bounce = cookieless.get("/web/requests/" + id, Map.of("Sec-Fetch-Site", "cross-site"));
        assertEquals(200, bounce.status());
        assertTrue(bounce.body().contains("<meta http-equiv=\"refresh\" content=\"0;url=/web/requests/" + id + "\">"), bounce.body());
        assertEquals(401, cookieless.get("/web/requests/" + id, Map.of("Sec-Fetch-Site", "same-origin")).status());
        PageClient.Page elsewhere = fromJenkins.post("/web/logout", Map.of("csrf", fromJenkins.get("/web/").field("csrf")));
        assertEquals(200, elsewhere.status());
        PageClient.Page open = fromJenkins.post("/web/login", Map.of("csrf", fromJenkins.get("/web/login").field("csrf"),
                "next", "https://evil.example.com/", "user", "carol", "password", ChangeBoard.PASSWORD, "code", board.freshCode(carolKey)));
        assertEquals("/web/", open.header("location").orElseThrow(), "no redirect off this server");
    }

    @Test
    void signingOutEndsTheSession() {
        PageClient extra = board.signedIn("carol", carolKey);
        String session = extra.cookie("__Host-session").orElseThrow();
        PageClient.Page out = extra.post("/web/logout", Map.of("csrf", extra.get("/web/").field("csrf")));
        assertEquals(200, out.status());
        assertTrue(out.body().contains("You are signed out."), out.body());
        assertTrue(extra.cookie("__Host-session").isEmpty(), "the cookie is cleared");
        PageClient replay = board.browser();
        replay.setCookie("__Host-session", session);
        assertEquals(401, replay.get("/web/").status(), "the session is gone from the store, not only from the browser");
        assertEquals(200, carol.get("/web/").status(), "carol's other session is not affected");
    }

    private static PageClient.Page post(PageClient who, String path, Map<String, String> fields) {
        String page = path.replaceFirst("/(reviews|cancel)$", "");
        String csrf = who.get(page.equals("/web/requests") ? "/web/requests" : page).field("csrf");
        java.util.Map<String, String> all = new java.util.HashMap<>(fields);
        all.put("csrf", csrf);
        return who.post(path, all);
    }
}
