package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.AccessRequest.Review;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Threshold;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each threshold counts the reviews whose threshold_indexes name it, as calculateReviewBasedResolution does. */
class ThresholdProgressTest {

    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    private static AccessRequest.Spec spec(List<Review> reviews) {
        List<Threshold> thresholds = List.of(new Threshold("cab", "contains(reviewer.roles, \"cab\")", 2, 1),
                new Threshold("security", "contains(reviewer.roles, \"security\")", 1, 2));
        return new AccessRequest.Spec("jenkins-deploy", "alice", List.of("deploy", "db"), RequestState.PENDING, "CHG-1", "", NOW,
                NOW.plusSeconds(3600), NOW.plusSeconds(7200), Optional.empty(), false, thresholds,
                Map.of("deploy", List.of(List.of(0)), "db", List.of(List.of(0, 1))), reviews, Map.of(), "", "");
    }

    private static Review review(String who, ReviewVerdict verdict, Integer... indexes) {
        return new Review(who, List.of(), verdict, "", NOW, List.of(indexes));
    }

    @Test
    void eachThresholdCountsOnlyTheReviewsItsFilterMatched() {
        List<ThresholdProgress> p = ThresholdProgress.of(spec(List.of(review("bob", ReviewVerdict.APPROVED, 0),
                review("sam", ReviewVerdict.APPROVED, 1), review("dora", ReviewVerdict.APPROVED))));
        assertEquals(new ThresholdProgress("cab", "contains(reviewer.roles, \"cab\")", 1, 2, 0, 1, List.of("db", "deploy")), p.get(0));
        assertEquals(new ThresholdProgress("security", "contains(reviewer.roles, \"security\")", 1, 1, 0, 2, List.of("db")), p.get(1));
        assertEquals("cab: 1 of 2 approvals", p.get(0).summary());
        assertFalse(p.get(0).approved());
        assertTrue(p.get(1).approved());
    }

    @Test
    void itAgreesWithTheProgressLineAndTheResolution() {
        AccessRequest.Spec pending = spec(List.of(review("bob", ReviewVerdict.APPROVED, 0)));
        AccessRequest request = new AccessRequest(null, null, io.jenkins.plugins.teleport.api.Metadata.named("id"), pending,
                Optional.empty());
        String line = AccessRequestLifecycle.withStatus(request, NOW).status().orElseThrow().progress();
        ThresholdProgress cab = ThresholdProgress.of(pending).get(0);
        assertTrue(line.contains(cab.summary()), line + " names " + cab.summary());

        AccessRequest.Spec denied = spec(List.of(review("bob", ReviewVerdict.DENIED, 0)));
        assertTrue(ThresholdProgress.of(denied).get(0).denied());
        assertEquals(RequestState.DENIED, AccessRequestLifecycle.resolve(denied, denied.reviews()));
        AccessRequest.Spec approved = spec(List.of(review("bob", ReviewVerdict.APPROVED, 0), review("carol", ReviewVerdict.APPROVED, 0)));
        assertTrue(ThresholdProgress.of(approved).stream().anyMatch(ThresholdProgress::approved));
        assertEquals(RequestState.APPROVED, AccessRequestLifecycle.resolve(approved, approved.reviews()),
                "db's set {cab, security} is met by cab alone");
    }
}
