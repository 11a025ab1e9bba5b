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
     * role to its threshold sets (indexes into {@code thresholds}); a role is approved when all thresholds of
     * any one of its sets are met. A {@code one_shot} request is CONSUMED by its first release: it can be assumed
     * by one run only. {@code assume_start_time} is when certificates were first issued for it.
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
            List<Review> reviews) {

        public Spec {
            roles = roles == null ? List.of() : List.copyOf(roles);
            requestReason = requestReason == null ? "" : requestReason;
            resolveReason = resolveReason == null ? "" : resolveReason;
            assumeStartTime = assumeStartTime == null ? Optional.empty() : assumeStartTime;
            thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
            roleThresholds = roleThresholds == null ? Map.of() : Map.copyOf(roleThresholds);
            reviews = reviews == null ? List.of() : List.copyOf(reviews);
        }

        public Spec withReview(Review review, RequestState newState, String newResolveReason) {
            List<Review> all = new java.util.ArrayList<>(reviews);
            all.add(review);
            return new Spec(user, requestedBy, roles, newState, requestReason, newResolveReason, created, expires,
                    maxDuration, assumeStartTime, oneShot, thresholds, roleThresholds, all);
        }

        /** The spec once a one-shot request has been used and released. */
        public Spec consumed() {
            return new Spec(user, requestedBy, roles, RequestState.CONSUMED, requestReason, resolveReason, created, expires,
                    maxDuration, assumeStartTime, oneShot, thresholds, roleThresholds, reviews);
        }

        /** The spec with the time the request was first assumed recorded (kept if already set). */
        public Spec assumedAt(Instant when) {
            return new Spec(user, requestedBy, roles, state, requestReason, resolveReason, created, expires, maxDuration,
                    assumeStartTime.isPresent() ? assumeStartTime : Optional.of(when), oneShot, thresholds, roleThresholds,
                    reviews);
        }
    }

    /** One reviewer's verdict, with the reviewer's roles at the time of the review. */
    public record Review(String author, List<String> roles, ReviewVerdict proposedState, String reason, Instant created) {
        public Review {
            roles = roles == null ? List.of() : List.copyOf(roles);
            reason = reason == null ? "" : reason;
        }
    }

    /**
     * Computed on read: the effective state (EXPIRED once a window has passed), and a human summary of the
     * thresholds' progress such as "1 of 2 approvals".
     */
    public record Status(RequestState state, String progress) {}
}
