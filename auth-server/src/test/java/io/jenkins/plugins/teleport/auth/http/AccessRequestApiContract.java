package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access-request API over real HTTPS and mTLS, against a real store. Each backend runs the same contract
 * (see the subclasses), so SQLite and PostgreSQL behave alike.
 */
abstract class AccessRequestApiContract {

    /** The README walkthrough's resources, so the example users copy is the one tested. */
    static final Path WALKTHROUGH = Path.of("..", "examples", "walkthrough.yaml");

    @TempDir
    Path dir;

    TestCluster cluster;
    TestClient alice;
    TestClient bob;
    TestClient carol;

    abstract TestCluster.Backend backend();

    @BeforeEach
    void startCluster() throws IOException {
        cluster = TestCluster.start(backend(), dir);
        cluster.applyYaml(Files.readString(WALKTHROUGH));
        alice = cluster.user("alice");
        bob = cluster.user("bob");
        carol = cluster.user("carol");
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    String createDeployRequest() {
        Response r = alice.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1234", Optional.of(Duration.ofHours(2)), Optional.empty(), false));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("metadata").path("name").asText();
    }

    static SubmitReview approve(String reason) {
        return new SubmitReview(ReviewVerdict.APPROVED, reason);
    }

    List<JsonNode> auditTrail(String id) {
        List<JsonNode> out = new ArrayList<>();
        cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").forEach(out::add);
        return out;
    }

    @Test
    void twoApprovalsFromTheBoardApproveTheRequestAndTheAuditTrailShowsEachStep() {
        String id = createDeployRequest();
        Response first = bob.post("/v1/access-requests/" + id + "/reviews", approve("looks fine"));
        assertEquals(200, first.status(), first.toString());
        assertEquals("PENDING", first.json().path("status").path("state").asText());
        assertEquals("cab: 1 of 2 approvals", first.json().path("status").path("progress").asText());

        Response second = carol.post("/v1/access-requests/" + id + "/reviews", approve("CAB approved"));
        assertEquals("APPROVED", second.json().path("spec").path("state").asText());
        assertEquals("CAB approved", second.json().path("spec").path("resolve_reason").asText());

        List<JsonNode> trail = auditTrail(id);
        assertEquals(List.of("access_request.create", "access_request.review", "access_request.review", "access_request.update"),
                trail.stream().map(e -> e.path("event").asText()).toList());
        assertEquals(List.of("alice", "bob", "carol", "carol"), trail.stream().map(e -> e.path("user").asText()).toList());
        assertEquals("T5000I", trail.get(0).path("code").asText());
        assertEquals("APPROVED", trail.get(3).path("fields").path("state").asText());
        trail.forEach(e -> {
            assertEquals(id, e.path("request_id").asText());
            assertTrue(e.path("uid").asText().length() == 36 && e.hasNonNull("time"), e.toString());
        });
    }

    @Test
    void theAuthorCannotReviewTheirOwnRequestAndNothingIsWritten() {
        String id = createDeployRequest();
        Response r = alice.post("/v1/access-requests/" + id + "/reviews", approve("mine"));
        assertEquals(403, r.status());
        assertEquals("access_denied", r.code());
        assertTrue(r.message().contains("created request " + id + " and cannot review it"), r.message());
        assertEquals(1, auditTrail(id).size());
        assertEquals(0, cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("reviews").size());
    }

    @Test
    void aReviewerReviewsOnce() {
        String id = createDeployRequest();
        assertEquals(200, bob.post("/v1/access-requests/" + id + "/reviews", approve("")).status());
        Response again = bob.post("/v1/access-requests/" + id + "/reviews", approve(""));
        assertEquals(409, again.status());
        assertEquals("already_reviewed", again.code());
    }

    @Test
    void oneDenialEndsTheRequestForGood() {
        String id = createDeployRequest();
        Response denied = carol.post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.DENIED, "not this week"));
        assertEquals("DENIED", denied.json().path("spec").path("state").asText());
        Response late = bob.post("/v1/access-requests/" + id + "/reviews", approve(""));
        assertEquals(409, late.status());
        assertEquals("request_not_pending", late.code());
        assertEquals("DENIED", cluster.admin().get("/v1/access-requests/" + id).json().path("status").path("state").asText());
    }

    @Test
    void requestedRolesAreCheckedAgainstTheBotNotTheAuthor() {
        Response r = alice.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("cab"), "x",
                Optional.empty(), Optional.empty(), false));
        assertEquals(403, r.status());
        assertTrue(r.message().contains("bot 'jenkins-deploy' may not request role 'cab'"), r.message());
        Response forOtherBot = bob.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"), "x",
                Optional.empty(), Optional.empty(), false));
        assertEquals(403, forOtherBot.status(), "bob has no role naming the bot");
    }

    @Test
    void anExpiredRequestCannotBeApprovedAndShowsAsExpired() {
        String id = createDeployRequest();
        cluster.clock().advance(Duration.ofHours(3));
        Response r = bob.post("/v1/access-requests/" + id + "/reviews", approve(""));
        assertEquals(409, r.status());
        assertEquals("request_expired", r.code());
        assertEquals("EXPIRED", cluster.admin().get("/v1/access-requests/" + id).json().path("status").path("state").asText());
    }

    @Test
    void accessIsCappedByTheRolesMaxDuration() {
        Response r = alice.post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"), "x",
                Optional.of(Duration.ofHours(10)), Optional.empty(), false));
        JsonNode spec = r.json().path("spec");
        Duration access = Duration.between(Instant.parse(spec.path("created").asText()), Instant.parse(spec.path("max_duration").asText()));
        assertEquals(Duration.ofHours(2), access, "jenkins-deploy-bot sets request.max_duration: 2h");
    }

    @Test
    void badInputIsAClearFourHundredAndWritesNothing() {
        String id = createDeployRequest();
        String reviews = "/v1/access-requests/" + id + "/reviews";
        Map<Response, String> cases = new java.util.LinkedHashMap<>();
        cases.put(bob.post(reviews, "{\"proposed_state\": \"APPROVED\""), "bad_request");
        cases.put(bob.post(reviews, "{\"proposed_state\": \"APPROVED\", \"aproved_by\": \"me\"}"), "bad_request");
        cases.put(bob.post(reviews, "{\"proposed_state\": \"MAYBE\"}"), "bad_request");
        cases.put(bob.post(reviews, "{}"), "bad_request");
        cases.put(bob.post(reviews, "null"), "bad_request");
        cases.put(bob.post(reviews, "[1,2]"), "bad_request");
        cases.put(bob.post(reviews, ""), "bad_request");
        cases.put(bob.post(reviews, "x".repeat((1 << 20) + 1)), "payload_too_large");
        cases.put(bob.post("/v1/access-requests/not-an-id/reviews", approve("")), "bad_request");
        cases.put(bob.get("/v1/access-requests/../../etc/passwd"), "not_found");
        cases.put(bob.get("/v1/access-requests?state=SOMETIMES"), "bad_request");
        cases.put(bob.get("/v1/audit/events?request_id=" + id + "&from=yesterday"), "bad_request");
        cases.put(alice.post("/v1/access-requests", "{\"bot\": \"jenkins-deploy\", \"roles\": [\"deploy\"], \"max_duration\": \"forever\"}"),
                "bad_request");
        cases.put(cluster.admin().post("/v1/roles", "{\"kind\": \"role\", \"metadata\": {\"name\": \"bad name!\"}}"), "bad_request");
        cases.put(cluster.admin().post("/v1/roles", "{\"kind\": \"user\", \"metadata\": {\"name\": \"x\"}}"), "bad_request");
        cases.put(cluster.admin().post("/v1/roles", "{\"kind\": \"role\", \"metadata\": {\"name\": \"t\"}, "
                + "\"spec\": {\"allow\": {\"request\": {\"thresholds\": [{\"approve\": 0, \"deny\": 1}]}}}}"), "bad_request");
        cases.forEach((response, code) -> {
            assertTrue(response.status() >= 400 && response.status() < 500, response.toString());
            assertEquals(code, response.code(), response.toString());
            assertTrue(response.message().length() > 10, response.toString());
        });
        JsonNode stored = cluster.admin().get("/v1/access-requests/" + id).json();
        assertEquals(1, stored.path("metadata").path("revision").asLong());
        assertEquals("PENDING", stored.path("spec").path("state").asText());
        assertEquals(1, auditTrail(id).size());
        assertEquals(404, cluster.admin().get("/v1/roles/t").status());
    }

    @Test
    void aStaleRevisionLosesTheCompareAndSwap() {
        JsonNode role = cluster.admin().get("/v1/roles/deploy").json();
        assertEquals(1, role.path("metadata").path("revision").asLong());
        Response first = cluster.admin().put("/v1/roles/deploy", role);
        assertEquals(200, first.status(), first.toString());
        assertEquals(2, first.json().path("metadata").path("revision").asLong());
        Response stale = cluster.admin().put("/v1/roles/deploy", role);
        assertEquals(409, stale.status());
        assertEquals("revision_conflict", stale.code());
    }

    @Test
    void unknownEndpointsAndMethodsAnswerInTheErrorShape() {
        Response missing = bob.get("/v1/nothing-here");
        assertEquals(404, missing.status());
        assertEquals("not_found", missing.code());
        Response method = bob.call("PATCH", "/v1/roles", "{}");
        assertEquals(405, method.status());
        assertEquals("method_not_allowed", method.code());
    }

    @Test
    void peopleSeeOnlyRequestsTheyAreInvolvedIn() {
        cluster.apply(User.of("dave", List.of("deploy")));
        String id = createDeployRequest();
        TestClient dave = cluster.user("dave");
        assertEquals(404, dave.get("/v1/access-requests/" + id).status());
        assertEquals(0, dave.get("/v1/access-requests").json().path("items").size());
        assertEquals(403, dave.get("/v1/audit/events?request_id=" + id).status());
        assertEquals(1, bob.get("/v1/access-requests").json().path("items").size(), "a reviewer sees what they may review");
        assertEquals(1, alice.get("/v1/audit/events?request_id=" + id).json().path("items").size(), "the author reads the trail");
    }

    @Test
    void racingReviewersResolveTheRequestExactlyOnce() throws Exception {
        int reviewers = 12;
        cluster.apply(Role.of("racer-bot", new Role.Spec(null, new Role.Conditions(null,
                        new Role.RequestConditions(List.of("deploy"), null, List.of(new Threshold("board", 3, 3)), Optional.empty(), null),
                        null, null), null)),
                Bot.of("racer", List.of("racer-bot")),
                Role.of("racer-requester", new Role.Spec(null, new Role.Conditions(null,
                        new Role.RequestConditions(null, List.of("racer"), null, Optional.empty(), null), null, null), null)),
                User.of("requester", List.of("racer-requester")));
        for (int i = 0; i < reviewers; i++) {
            cluster.apply(User.of("reviewer-" + i, List.of("cab")));
        }
        Response created = cluster.user("requester").post("/v1/access-requests",
                new CreateAccessRequest("racer", List.of("deploy"), "race", Optional.empty(), Optional.empty(), false));
        String id = created.json().path("metadata").path("name").asText();

        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < reviewers; i++) {
            clients.add(cluster.user("reviewer-" + i));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(reviewers);
        List<Future<Response>> answers = new ArrayList<>();
        for (TestClient c : clients) {
            answers.add(pool.submit(() -> {
                go.await();
                return c.post("/v1/access-requests/" + id + "/reviews", approve("race"));
            }));
        }
        go.countDown();
        int accepted = 0;
        int tooLate = 0;
        for (Future<Response> f : answers) {
            Response r = f.get();
            if (r.status() == 200) {
                accepted++;
            } else {
                assertEquals("request_not_pending", r.code(), r.toString());
                tooLate++;
            }
        }
        pool.shutdown();

        assertEquals(3, accepted, "exactly the threshold's approvals are accepted");
        assertEquals(reviewers - 3, tooLate);
        JsonNode stored = cluster.admin().get("/v1/access-requests/" + id).json();
        assertEquals("APPROVED", stored.path("spec").path("state").asText());
        assertEquals(3, stored.path("spec").path("reviews").size());
        List<JsonNode> trail = auditTrail(id);
        assertEquals(1, trail.stream().filter(e -> e.path("event").asText().equals("access_request.update")).count());
        assertEquals(3, trail.stream().filter(e -> e.path("event").asText().equals("access_request.review")).count());
    }
}
