package io.jenkins.plugins.teleport.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An access request on behalf of a bot, in Teleport's shape ({@code access_request}, v3). {@code spec.user} is
 * the subject (the bot that may assume the request once approved); {@code spec.requested_by} is the person
 * who created it. {@code status} is computed by the server when it answers and never stored.
 */
public record AccessRequest(String kind, String version, Metadata metadata, Spec spec, Optional<Status> status)
        implements Resource {

    public AccessRequest {
        kind = kind == null ? Kind.ACCESS_REQUEST.wireName() : kind;
        version = version == null ? Kind.ACCESS_REQUEST.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        status = status == null ? Optional.empty() : status;
    }

    @Override
    public AccessRequest withMetadata(Metadata newMetadata) {
        return new AccessRequest(kind, version, newMetadata, spec, status);
    }

    public AccessRequest withSpec(Spec newSpec) {
        return new AccessRequest(kind, version, metadata, newSpec, Optional.empty());
    }

    public AccessRequest withStatus(Status newStatus) {
        return new AccessRequest(kind, version, metadata, spec, Optional.of(newStatus));
    }

    /** The request's ID (its {@code metadata.name}, a UUID). */
    public String id() {
        return metadata.name();
    }

    /**
     * The stored fields. {@code expires} ends the pending window; {@code max_duration} is the instant the
     * granted access ends (as in Teleport, a time, not a length). {@code role_thresholds} maps each requested
     * role to its threshold sets (indexes into {@code thresholds}, one set per bot role granting it); a role is
     * approved when every one of its sets has at least one threshold whose approve count is met (Teleport's
     * {@code calculateReviewBasedResolution}). A {@code one_shot} request can be assumed once: its first issuance
     * claims it and its release CONSUMES it. {@code assume_start_time} is when certificates were first issued for
     * it, and {@code assumed_by} the usage (build URL, job) that issuance named. {@code jenkins_job} and
     * {@code jenkins_branch} (globs), when set, restrict the request to bot identities that joined through Jenkins for
     * a matching job and branch.
     */
    public record Spec(
            String user,
            String requestedBy,
            List<String> roles,
            RequestState state,
            String requestReason,
            String resolveReason,
            Instant created,
            Instant expires,
            Instant maxDuration,
            Optional<Instant> assumeStartTime,
            boolean oneShot,
            List<Threshold> thresholds,
            Map<String, List<List<Integer>>> roleThresholds,
            List<Review> reviews,
            Map<String, String> assumedBy,
            String jenkinsJob,
            String jenkinsBranch) {

        public Spec {
            roles = roles == null ? List.of() : List.copyOf(roles);
            requestReason = requestReason == null ? "" : requestReason;
            resolveReason = resolveReason == null ? "" : resolveReason;
            assumeStartTime = assumeStartTime == null ? Optional.empty() : assumeStartTime;
            thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
            roleThresholds = roleThresholds == null ? Map.of() : Map.copyOf(roleThresholds);
            reviews = reviews == null ? List.of() : List.copyOf(reviews);
            assumedBy = assumedBy == null ? Map.of() : Map.copyOf(assumedBy);
            jenkinsJob = jenkinsJob == null ? "" : jenkinsJob;
            jenkinsBranch = jenkinsBranch == null ? "" : jenkinsBranch;
        }

        public Spec withReview(Review review, RequestState newState, String newResolveReason) {
            List<Review> all = new java.util.ArrayList<>(reviews);
            all.add(review);
            return new Spec(user, requestedBy, roles, newState, requestReason, newResolveReason, created, expires,
                    maxDuration, assumeStartTime, oneShot, thresholds, roleThresholds, all, assumedBy, jenkinsJob, jenkinsBranch);
        }

        /** The spec in a new state with a new resolve reason (cancelled, with why). */
        public Spec withState(RequestState newState, String newResolveReason) {
            return new Spec(user, requestedBy, roles, newState, requestReason, newResolveReason, created, expires,
                    maxDuration, assumeStartTime, oneShot, thresholds, roleThresholds, reviews, assumedBy, jenkinsJob, jenkinsBranch);
        }

        /** The spec once a one-shot request has been used and released. */
        public Spec consumed() {
            return new Spec(user, requestedBy, roles, RequestState.CONSUMED, requestReason, resolveReason, created, expires,
                    maxDuration, assumeStartTime, oneShot, thresholds, roleThresholds, reviews, assumedBy, jenkinsJob, jenkinsBranch);
        }

        /**
         * The spec with the first assumption recorded: when, and the usage that issuance named (both kept if
         * already set, so the first build stays on record).
         */
        public Spec assumedAt(Instant when, Map<String, String> usage) {
            return assumeStartTime.isPresent() ? this
                    : new Spec(user, requestedBy, roles, state, requestReason, resolveReason, created, expires, maxDuration,
                    Optional.of(when), oneShot, thresholds, roleThresholds, reviews, usage, jenkinsJob, jenkinsBranch);
        }
    }

    /**
     * One reviewer's verdict, with the reviewer's roles at the time of the review and the indexes of the thresholds
     * whose filters matched it (Teleport's {@code ThresholdIndexes}): the review counts toward those only.
     */
    public record Review(String author, List<String> roles, ReviewVerdict proposedState, String reason, Instant created,
                         List<Integer> thresholdIndexes) {
        public Review {
            roles = roles == null ? List.of() : List.copyOf(roles);
            reason = reason == null ? "" : reason;
            thresholdIndexes = thresholdIndexes == null ? List.of() : List.copyOf(thresholdIndexes);
        }
    }

    /**
     * Computed on read: the effective state (EXPIRED once a window has passed), and a human summary of the
     * thresholds' progress such as "1 of 2 approvals".
     */
    public record Status(RequestState state, String progress) {}
}
