package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bot joins and assumes an approved access request: each security invariant of DESIGN.md about request-bound
 * certificates is a test here, over real HTTPS + mTLS against a real store.
 */
class AssumeRequestTest {

    static final Path WALKTHROUGH = Path.of("..", "examples", "walkthrough.yaml");
    static final String BUILD_URL = "https://jenkins.example.com/job/deploy/42/";

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient bot;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(WALKTHROUGH));
        bot = cluster.client(cluster.join("jenkins-deploy"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    String createRequest(boolean oneShot) {
        Response r = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), "CHG-1234", Optional.of(Duration.ofHours(2)), Optional.empty(), oneShot));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("metadata").path("name").asText();
    }

    void review(String who, String id, ReviewVerdict verdict) {
        assertEquals(200, cluster.user(who).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(verdict, "cab")).status());
    }

    String approvedRequest(boolean oneShot) {
        String id = createRequest(oneShot);
        review("bob", id, ReviewVerdict.APPROVED);
        review("carol", id, ReviewVerdict.APPROVED);
        return id;
    }

    Response issue(TestClient client, String id, BotKeys keys) {
        return client.post("/v1/certs", keys.issueBody(id, Map.of("usage", Map.of("ci_system", "jenkins", "build_url", BUILD_URL))));
    }

    List<JsonNode> events(String id) {
        List<JsonNode> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events" + (id.isEmpty() ? "" : "?request_id=" + id)).json().path("items").forEach(out::add);
        return out;
    }

    static void assertRefused(Response r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(code, r.code(), r.toString());
        assertTrue(r.message().contains(messagePart), r.message());
    }

    X509CRL crl() throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(
                cluster.anonymous().getBytes("/v1/revocations/crl")));
    }

    // --- join ---

    @Test
    void aSingleUseTokenJoinsOnceAndTheFailureIsAuditedWithoutTheToken() {
        String token = cluster.token("jenkins-deploy", false);
        var key = CertificateAuthority.newKeyPair();
        Response first = cluster.tryJoin("jenkins-deploy", token, key);
        assertEquals(200, first.status(), first.toString());
        X509Certificate cert = BotKeys.parseTls(first.json().path("certificate").asText());
        assertEquals(Optional.of(ClientIdentity.bot("jenkins-deploy")), ClientIdentity.of(cert));
        Duration lifetime = Duration.between(Instant.now(), cert.getNotAfter().toInstant());
        assertTrue(lifetime.compareTo(Duration.ofMinutes(61)) <= 0 && lifetime.compareTo(Duration.ofMinutes(55)) > 0, lifetime.toString());

        Response second = cluster.tryJoin("jenkins-deploy", token, key);
        assertRefused(second, 403, "access_denied", "join refused");

        List<JsonNode> all = events("");
        assertTrue(all.stream().anyMatch(e -> e.path("event").asText().equals("bot.join")
                && e.path("fields").path("bot").asText().equals("jenkins-deploy")));
        JsonNode failed = all.stream().filter(e -> e.path("event").asText().equals("join.failed")).findFirst().orElseThrow();
        assertEquals("TJ001E", failed.path("code").asText());
        assertEquals("unknown token", failed.path("fields").path("reason").asText(), "a consumed token no longer exists");
        assertFalse(all.toString().contains(token), "no audit event contains the token");
    }

    @Test
    void aTokenForAnotherBotOrAnExpiredOneIsRefused() {
        cluster.apply(Bot.of("other", List.of("deploy")));
        String token = cluster.token("other", true);
        assertRefused(cluster.tryJoin("jenkins-deploy", token, CertificateAuthority.newKeyPair()), 403, "access_denied", "join refused");
        assertEquals(200, cluster.tryJoin("other", token, CertificateAuthority.newKeyPair()).status(), "a reusable token joins again");
        cluster.clock().advance(Duration.ofHours(2));
        assertRefused(cluster.tryJoin("other", token, CertificateAuthority.newKeyPair()), 403, "access_denied", "join refused");
        List<String> reasons = events("").stream().filter(e -> e.path("event").asText().equals("join.failed"))
                .map(e -> e.path("fields").path("reason").asText()).toList();
        assertTrue(reasons.get(0).contains("is for bot 'other', not 'jenkins-deploy'"), reasons.toString());
        assertTrue(reasons.get(1).startsWith("token expired at"), reasons.toString());
    }

    // --- issuance invariants ---

    @Test
    void certificatesCarryTheRequestIdAndTheBotsLogins() {
        String id = approvedRequest(false);
        BotKeys keys = BotKeys.generate();
        Response r = issue(bot, id, keys);
        assertEquals(200, r.status(), r.toString());

        OpenSshCertificate ssh = BotKeys.parseSsh(r.json().path("ssh_certificate").asText());
        assertEquals(List.of("deploy"), List.copyOf(ssh.getPrincipals()));
        assertEquals(OpenSshCertificate.Type.USER, ssh.getType());
        assertTrue(ssh.getId().contains("bot:jenkins-deploy") && ssh.getId().contains("request:" + id), ssh.getId());
        assertEquals(r.json().path("ssh_serial").asText(), Long.toString(ssh.getSerial()));
        String extension = ssh.getExtensions().stream().filter(o -> o.getName().equals("teleport-active-requests"))
                .findFirst().orElseThrow().getData();
        assertEquals("{\"access_requests\":[\"" + id + "\"]}", extension);
        assertTrue(ssh.getExtensions().stream().anyMatch(o -> o.getName().equals("disallow-reissue")));

        X509Certificate tls = BotKeys.parseTls(r.json().path("tls_certificate").asText());
        assertEquals(List.of(id), ClientIdentity.requestIds(tls));
        ClientIdentity identity = ClientIdentity.of(tls).orElseThrow();
        assertEquals(ClientIdentity.bot("jenkins-deploy"), identity.unbound(), "it names the bot");
        assertTrue(identity.isRequestBound() && identity.disallowReissue(), "and the request, with DisallowReissue: " + identity);
        assertEquals(tls.getNotAfter().toInstant().getEpochSecond(), ssh.getValidBefore());

        JsonNode create = events(id).stream().filter(e -> e.path("event").asText().equals("cert.create")).findFirst().orElseThrow();
        assertEquals("TC000I", create.path("code").asText());
        assertEquals(BUILD_URL, create.path("fields").path("build_url").asText());
        assertEquals(r.json().path("tls_serial").asText(), create.path("fields").path("tls_serial").asText());
        assertTrue(cluster.admin().get("/v1/access-requests/" + id).json().path("spec").has("assume_start_time"));
    }

    static List<String> extensionNames(Response issued) {
        return BotKeys.parseSsh(issued.json().path("ssh_certificate").asText()).getExtensions().stream()
                .map(o -> o.getName()).toList();
    }

    @Test
    void sshPermissionsDefaultToPtyOnly() {
        // Teleport's Identity.Encode always permits a pty; forwarding only when a role grants it.
        List<String> names = extensionNames(issue(bot, approvedRequest(false), BotKeys.generate()));
        assertTrue(names.contains("permit-pty"), names.toString());
        for (String off : List.of("permit-agent-forwarding", "permit-port-forwarding", "permit-X11-forwarding", "permit-user-rc")) {
            assertFalse(names.contains(off), off + " in " + names);
        }
    }

    @Test
    void sshPermissionsFollowTheRequestedRolesOptions() {
        JsonNode role = cluster.admin().get("/v1/roles/deploy").json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) role.path("spec")).putObject("options")
                .put("forward_agent", true).put("port_forwarding", true).put("permit_x11_forwarding", true);
        assertEquals(200, cluster.admin().put("/v1/roles/deploy", role).status());
        List<String> names = extensionNames(issue(bot, approvedRequest(false), BotKeys.generate()));
        assertTrue(names.containsAll(List.of("permit-pty", "permit-agent-forwarding", "permit-port-forwarding",
                "permit-X11-forwarding")), names.toString());
    }

    @Test
    void theBotsOwnRolesDoNotGrantSshPermissions() {
        JsonNode role = cluster.admin().get("/v1/roles/jenkins-deploy-bot").json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) role.path("spec")).putObject("options").put("forward_agent", true);
        assertEquals(200, cluster.admin().put("/v1/roles/jenkins-deploy-bot", role).status());
        assertFalse(extensionNames(issue(bot, approvedRequest(false), BotKeys.generate())).contains("permit-agent-forwarding"),
                "only the requested roles' options count");
    }

    @Test
    void onlyTheBotNamedInTheRequestGetsCertificates() {
        String id = approvedRequest(false);
        cluster.apply(Bot.of("build", List.of("jenkins-deploy-bot")));
        TestClient other = cluster.client(cluster.join("build"));
        assertRefused(issue(other, id, BotKeys.generate()), 403, "access_denied",
                "request " + id + " is for bot 'jenkins-deploy', this identity is bot 'build'");
    }

    @Test
    void theAuthorOfARequestCannotAssumeIt() {
        String id = approvedRequest(false);
        assertRefused(issue(cluster.user("alice"), id, BotKeys.generate()), 403, "access_denied", "(it created the request)");
    }

    @Test
    void aPendingRequestIsRefusedSayingHowFarItGot() {
        String id = createRequest(false);
        review("bob", id, ReviewVerdict.APPROVED);
        assertRefused(issue(bot, id, BotKeys.generate()), 409, "request_pending", "is PENDING: cab: 1 of 2 approvals");
    }

    @Test
    void aDeniedRequestIsRefused() {
        String id = createRequest(false);
        review("carol", id, ReviewVerdict.DENIED);
        assertRefused(issue(bot, id, BotKeys.generate()), 409, "request_denied", "denied by carol");
    }

    @Test
    void anExpiredRequestIsRefused() {
        String id = approvedRequest(false);
        cluster.clock().advance(Duration.ofHours(3));
        assertRefused(issue(bot, id, BotKeys.generate()), 409, "request_expired", "expired at");
    }

    @Test
    void aLockedRequestIsRefusedAndItsCertificatesAreWithdrawn() throws Exception {
        String id = approvedRequest(false);
        Response issued = issue(bot, id, BotKeys.generate());
        Response lock = cluster.admin().post("/v1/locks", Map.of("spec", Map.of("target", Map.of("access_request", id),
                "message", "incident 7")));
        assertEquals(201, lock.status(), lock.toString());
        assertRefused(issue(bot, id, BotKeys.generate()), 403, "locked", "incident 7");
        BigInteger serial = new BigInteger(issued.json().path("tls_serial").asText(), 16);
        assertTrue(crl().getRevokedCertificate(serial) != null, "a locked certificate is in the CRL");
        assertTrue(events(id).stream().anyMatch(e -> e.path("event").asText().equals("lock.created")));
    }

    @Test
    void aLockedBotCannotCallTheApiAtAll() {
        String id = approvedRequest(false);
        assertEquals(201, cluster.admin().post("/v1/locks", Map.of("spec", Map.of("target", Map.of("bot", "jenkins-deploy")))).status());
        assertRefused(issue(bot, id, BotKeys.generate()), 403, "locked", "locked by lock");
        assertRefused(bot.get("/v1/access-requests/" + id), 403, "locked", "locked by lock");
    }

    @Test
    void aOneShotRequestIsClaimedByItsFirstIssuanceAndASecondAssumeNamesTheFirstBuild() {
        String id = approvedRequest(true);
        assertEquals(200, issue(bot, id, BotKeys.generate()).status());
        assertRefused(issue(bot, id, BotKeys.generate()), 409, "request_claimed", "already assumed at");
        assertRefused(issue(cluster.client(cluster.join("jenkins-deploy")), id, BotKeys.generate()), 409, "request_claimed",
                "by build " + BUILD_URL);
        assertEquals(1, events(id).stream().filter(e -> e.path("event").asText().equals("cert.create")).count());
        assertEquals(BUILD_URL, cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("assumed_by")
                .path("build_url").asText());
    }

    @Test
    void everyIssuanceAndReleaseBumpsTheRequestsRevision() {
        String id = approvedRequest(false);
        long before = cluster.admin().get("/v1/access-requests/" + id).json().path("metadata").path("revision").asLong();
        assertEquals(200, issue(bot, id, BotKeys.generate()).status());
        assertEquals(200, issue(bot, id, BotKeys.generate()).status());
        assertEquals(200, bot.post("/v1/access-requests/" + id + "/release", Map.of()).status());
        long after = cluster.admin().get("/v1/access-requests/" + id).json().path("metadata").path("revision").asLong();
        assertEquals(before + 3, after);
    }

    @Test
    void aOneShotRequestIsConsumedByItsRelease() {
        String id = approvedRequest(true);
        assertEquals(200, issue(bot, id, BotKeys.generate()).status());
        Response released = bot.post("/v1/access-requests/" + id + "/release", Map.of());
        assertEquals(200, released.status(), released.toString());
        assertTrue(released.json().path("consumed").asBoolean());
        assertRefused(issue(bot, id, BotKeys.generate()), 409, "request_consumed", "one-shot");
        assertEquals("CONSUMED", cluster.admin().get("/v1/access-requests/" + id).json().path("status").path("state").asText());
    }

    @Test
    void certificateLifetimeIsCappedByTheRequestsAccessExpiryAndTheRoles() {
        String id = approvedRequest(false);
        JsonNode request = cluster.admin().get("/v1/access-requests/" + id).json();
        Instant accessEnds = Instant.parse(request.path("spec").path("max_duration").asText());
        Response longAsk = bot.post("/v1/certs", BotKeys.generate().issueBody(id, Map.of("ttl", "5h")));
        assertEquals(200, longAsk.status(), longAsk.toString());
        Instant validBefore = Instant.parse(longAsk.json().path("valid_before").asText());
        assertEquals(accessEnds, validBefore, "5h asked, the request's access ends after 2h");

        JsonNode role = cluster.admin().get("/v1/roles/deploy").json();
        ((com.fasterxml.jackson.databind.node.ObjectNode) role.path("spec")).putObject("options").put("max_session_ttl", "30m");
        assertEquals(200, cluster.admin().put("/v1/roles/deploy", role).status());
        Response capped = bot.post("/v1/certs", BotKeys.generate().issueBody(id, Map.of("ttl", "5h")));
        Duration lifetime = Duration.between(Instant.parse(capped.json().path("valid_after").asText()),
                Instant.parse(capped.json().path("valid_before").asText()));
        assertTrue(lifetime.compareTo(Duration.ofMinutes(31)) <= 0, "max_session_ttl 30m (+1m backdating): " + lifetime);
    }

    @Test
    void aRequestNoLongerAllowedByTheBotsCurrentRolesIsRefused() {
        String id = approvedRequest(false);
        Role narrowed = Role.of("jenkins-deploy-bot", new Role.Spec(null, new Role.Conditions(null,
                new Role.RequestConditions(List.of("something-else"), null, null, Optional.empty(), null), null, null), null));
        assertEquals(200, cluster.admin().put("/v1/roles/jenkins-deploy-bot", narrowed).status());
        assertRefused(issue(bot, id, BotKeys.generate()), 403, "access_denied",
                "is no longer valid: bot 'jenkins-deploy' may no longer request role 'deploy'");
    }

    // --- release ---

    @Test
    void releaseRevokesTheCertificatesAtOnce() throws Exception {
        String id = approvedRequest(false);
        BotKeys keys = BotKeys.generate();
        Response issued = issue(bot, id, keys);
        X509Certificate tls = BotKeys.parseTls(issued.json().path("tls_certificate").asText());
        TestClient withRequestCert = cluster.client(new IdentityFile(keys.tls().getPrivate(), tls,
                List.of(cluster.server().ca().certificate())));
        assertEquals(200, withRequestCert.get("/v1/access-requests/" + id).status(), "the request-bound certificate works");

        assertRefused(cluster.user("alice").post("/v1/access-requests/" + id + "/release", Map.of()), 403, "access_denied",
                "only bot 'jenkins-deploy' can release");
        Response released = bot.post("/v1/access-requests/" + id + "/release", Map.of("usage", Map.of("build_url", BUILD_URL)));
        assertEquals(200, released.status(), released.toString());
        assertEquals(2, released.json().path("revoked_serials").size());
        assertFalse(released.json().path("consumed").asBoolean());

        assertRefused(withRequestCert.get("/v1/access-requests/" + id), 401, "unauthenticated", "was revoked");
        assertTrue(crl().getRevokedCertificate(tls.getSerialNumber()) != null);
        JsonNode release = events(id).stream().filter(e -> e.path("event").asText().equals("cert.release")).findFirst().orElseThrow();
        assertEquals(BUILD_URL, release.path("fields").path("build_url").asText());
        assertEquals(200, bot.post("/v1/access-requests/" + id + "/release", Map.of()).status(), "releasing again is harmless");
    }

    @Test
    void badIssuanceInputIsAFourHundred() {
        String id = approvedRequest(false);
        BotKeys keys = BotKeys.generate();
        assertRefused(bot.post("/v1/certs", keys.issueBody(id, Map.of("ssh_public_key", "ssh-ed25519 nonsense"))), 400,
                "bad_request", "ssh_public_key");
        assertRefused(bot.post("/v1/certs", keys.issueBody(id, Map.of("tls_public_key", "-----BEGIN PUBLIC KEY-----\nAA==\n"))),
                400, "bad_request", "tls_public_key");
        assertRefused(bot.post("/v1/certs", keys.issueBody("not-a-uuid", Map.of())), 400, "bad_request", "not an access request ID");
        assertRefused(bot.post("/v1/certs", keys.issueBody(id, Map.of("usage", Map.of("bot", "x")))), 400, "bad_request", "reserved");
        assertRefused(bot.post("/v1/certs", keys.issueBody(id, Map.of("ttl", "-5m"))), 400, "bad_request", "");
        assertEquals(0, events(id).stream().filter(e -> e.path("event").asText().equals("cert.create")).count());
    }
}
