package io.jenkins.plugins.teleport.client.approval;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import java.time.Instant;
import java.util.List;

/**
 * Where a request that a pipeline waits for stands, as the waiting side sees it: still waiting, approved (go on),
 * denied (by whom, why), ended otherwise (expired, cancelled, consumed), or the wait ran out. One classification for
 * {@code teleport-ci exec --wait} and the Jenkins step.
 */
public sealed interface Approval {

    /** PENDING: keep waiting. */
    record Waiting(String line) implements Approval {}

    /** APPROVED: the scope may be entered. */
    record Approved(String line) implements Approval {}

    /** DENIED, with the reviewer whose denial resolved it (a person, or {@code review-rule:<name>}) and the reason. */
    record Denied(String reviewer, String reason) implements Approval {
        public String message(String requestId) {
            return "access request " + requestId + " was denied by " + reviewer + (reason.isEmpty() ? "" : ": " + reason);
        }
    }

    /** EXPIRED, CANCELLED or CONSUMED before it could be used. */
    record Ended(RequestState state, String progress) implements Approval {
        public String message(String requestId) {
            return "access request " + requestId + " is " + state + (progress.isEmpty() ? "" : ": " + progress);
        }
    }

    /** Nobody resolved it before the wait's deadline. */
    record TimedOut(Instant deadline, String line) implements Approval {
        public String message(String requestId) {
            return "access request " + requestId + " was not approved by " + deadline + " (still " + line + ")";
        }
    }

    /** How the request stands now, from its computed status. */
    static Approval of(AccessRequest request) {
        RequestState state = request.status().map(AccessRequest.Status::state).orElse(request.spec().state());
        String progress = request.status().map(AccessRequest.Status::progress).orElse("");
        return switch (state) {
            case PENDING -> new Waiting(line(request));
            case APPROVED -> new Approved(line(request));
            case DENIED -> denied(request);
            default -> new Ended(state, progress);
        };
    }

    /** The one-line state people read in the log and on the build page: {@code PENDING: 1 of 2 approvals}. */
    static String line(AccessRequest request) {
        RequestState state = request.status().map(AccessRequest.Status::state).orElse(request.spec().state());
        String progress = request.status().map(AccessRequest.Status::progress).orElse("");
        return progress.isEmpty() ? state.name() : state + ": " + progress;
    }

    private static Denied denied(AccessRequest request) {
        List<AccessRequest.Review> denials = request.spec().reviews().stream()
                .filter(r -> r.proposedState() == ReviewVerdict.DENIED).toList();
        if (denials.isEmpty()) {
            return new Denied("(no review recorded)", request.spec().resolveReason());
        }
        AccessRequest.Review last = denials.get(denials.size() - 1);
        return new Denied(last.author(), last.reason().isEmpty() ? request.spec().resolveReason() : last.reason());
    }
}
