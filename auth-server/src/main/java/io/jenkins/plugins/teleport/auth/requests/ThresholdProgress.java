package io.jenkins.plugins.teleport.auth.requests;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Threshold;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where one threshold of a request stands: the approvals and denials that count toward it (the reviews whose
 * {@code threshold_indexes} name it, as Teleport's {@code calculateReviewBasedResolution} counts them) against its
 * {@code approve} and {@code deny} counts, and the requested roles it decides. The structured form of the progress
 * line of {@link AccessRequestLifecycle#withStatus}, for pages that show each threshold.
 */
public record ThresholdProgress(String name, String filter, int approvals, int approve, int denials, int deny,
                                List<String> roles) {

    public ThresholdProgress {
        roles = List.copyOf(roles);
    }

    /** Every threshold in play, in the request's order, with the stored reviews counted. */
    public static List<ThresholdProgress> of(AccessRequest.Spec spec) {
        List<Threshold> thresholds = spec.thresholds();
        int[] approvals = new int[thresholds.size()];
        int[] denials = new int[thresholds.size()];
        for (AccessRequest.Review review : spec.reviews()) {
            for (int i : review.thresholdIndexes()) {
                if (i >= 0 && i < thresholds.size()) {
                    if (review.proposedState() == ReviewVerdict.APPROVED) {
                        approvals[i]++;
                    } else {
                        denials[i]++;
                    }
                }
            }
        }
        List<ThresholdProgress> out = new ArrayList<>();
        for (int i = 0; i < thresholds.size(); i++) {
            Threshold t = thresholds.get(i);
            out.add(new ThresholdProgress(t.name(), t.filter(), approvals[i], t.approve(), denials[i], t.deny(),
                    rolesUsing(spec.roleThresholds(), i)));
        }
        return out;
    }

    /** Whether the approvals that count have reached the threshold's approve count. */
    public boolean approved() {
        return approvals >= approve;
    }

    /** Whether the denials that count have reached its deny count (which denies the whole request). */
    public boolean denied() {
        return denials >= deny;
    }

    /** "cab: 1 of 2 approvals", as the progress line names a threshold. */
    public String summary() {
        return name + ": " + approvals + " of " + approve + " approvals";
    }

    private static List<String> rolesUsing(Map<String, List<List<Integer>>> roleThresholds, int index) {
        return roleThresholds.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(set -> set.contains(index)))
                .map(Map.Entry::getKey).sorted().toList();
    }
}
