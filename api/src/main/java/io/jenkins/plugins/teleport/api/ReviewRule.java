package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An automatic review rule (after Teleport's RFD 201, native automatic approval; kind {@code review_rule}, v1): when
 * a request for only {@code roles} is created and {@code condition} holds, the server submits the review
 * {@code decision} with {@code reason} as the reviewer {@code review-rule:<name>}. The review counts toward thresholds
 * like any other, so a threshold whose filter wants people from a role is not met by a rule. {@code condition} is the
 * threshold filter language over {@code request.roles}, {@code request.bot}, {@code request.reason},
 * {@code request.jenkins_job} and {@code request.jenkins_branch}; empty means always.
 */
public record ReviewRule(String kind, String version, @JsonProperty(required = true) Metadata metadata,
                         @JsonProperty(required = true) Spec spec) implements Resource {

    public ReviewRule {
        kind = kind == null ? Kind.REVIEW_RULE.wireName() : kind;
        version = version == null ? Kind.REVIEW_RULE.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null, null, null, null) : spec;
    }

    public static ReviewRule of(String name, List<String> roles, String condition, ReviewVerdict decision, String reason) {
        return new ReviewRule(null, null, Metadata.named(name), new Spec(roles, condition, decision, reason));
    }

    @Override
    public ReviewRule withMetadata(Metadata newMetadata) {
        return new ReviewRule(kind, version, newMetadata, spec);
    }

    /** The roles a request may ask for (globs; every requested role must match one), the condition, the verdict. */
    public record Spec(@JsonProperty(required = true) List<String> roles, String condition,
                       @JsonProperty(required = true) ReviewVerdict decision, String reason) {
        public Spec {
            roles = roles == null ? List.of() : List.copyOf(roles);
            condition = condition == null ? "" : condition.strip();
            reason = reason == null ? "" : reason;
        }
    }
}
