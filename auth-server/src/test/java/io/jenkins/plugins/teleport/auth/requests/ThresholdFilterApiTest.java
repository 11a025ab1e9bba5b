package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
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

/** The walkthrough's cab threshold, with its filter, through the real API. */
class ThresholdFilterApiTest {

    @TempDir
    Path dir;

    TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        // Operators may review deploy requests too, but are not on the change board.
        cluster.apply(Role.of("ops", new Role.Spec(null, new Role.Conditions(null, null,
                new Role.ReviewConditions(List.of("deploy")), null), null)),
                User.of("oscar", List.of("ops")), User.of("olga", List.of("ops")));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private String create() {
        Response r = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), "CHG-1234", Optional.of(Duration.ofHours(1)), Optional.empty(), false));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("metadata").path("name").asText();
    }

    private Response review(String who, String id, ReviewVerdict verdict) {
        return cluster.user(who).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(verdict, "checked"));
    }

    @Test
    void approvalsFromReviewersWithoutCabDoNotCountTowardTheWalkthroughsCabThreshold() {
        String id = create();
        assertEquals(200, review("oscar", id, ReviewVerdict.APPROVED).status());
        Response afterOps = review("olga", id, ReviewVerdict.APPROVED);
        assertEquals(200, afterOps.status(), afterOps.toString());
        assertEquals("PENDING", afterOps.json().path("status").path("state").asText(), "two approvals, none from cab");
        assertEquals("cab: 0 of 2 approvals", afterOps.json().path("status").path("progress").asText());
        assertEquals(List.of(), afterOps.json().path("spec").path("reviews").get(0).findValuesAsText("threshold_indexes"));

        Response bob = review("bob", id, ReviewVerdict.APPROVED);
        assertEquals("cab: 1 of 2 approvals", bob.json().path("status").path("progress").asText());
        assertEquals(0, bob.json().path("spec").path("reviews").get(2).path("threshold_indexes").get(0).asInt());
        assertEquals("APPROVED", review("carol", id, ReviewVerdict.APPROVED).json().path("status").path("state").asText());
    }

    @Test
    void aDenialFromOutsideTheBoardDoesNotDenyButOneFromTheBoardDoes() {
        String id = create();
        assertEquals("PENDING", review("oscar", id, ReviewVerdict.DENIED).json().path("status").path("state").asText());
        assertEquals("DENIED", review("bob", id, ReviewVerdict.DENIED).json().path("status").path("state").asText());
    }

    @Test
    void aRoleWithAFilterOutsideTheLanguageIsRefusedNamingThePosition() {
        Response r = cluster.admin().post("/v1/roles", Map.of("kind", "role", "version", "v7",
                "metadata", Map.of("name", "bad-board"),
                "spec", Map.of("allow", Map.of("request", Map.of("roles", List.of("deploy"),
                        "thresholds", List.of(Map.of("name", "cab", "filter", "contains(reviewer.traits, \"cab\")",
                                "approve", 2, "deny", 1)))))));
        assertEquals(400, r.status(), r.toString());
        assertEquals("bad_request", r.code());
        assertTrue(r.message().contains("threshold 'cab' filter unknown name 'reviewer.traits' at position 10"), r.message());
        assertEquals(404, cluster.admin().get("/v1/roles/bad-board").status(), "nothing was written");
    }
}
