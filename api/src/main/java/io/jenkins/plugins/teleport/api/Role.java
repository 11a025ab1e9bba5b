package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A role, in Teleport's shape: what its holders may do ({@code allow}) and may never do ({@code deny}).
 * Deny always wins over allow.
 */
public record Role(String kind, String version, @JsonProperty(required = true) Metadata metadata, Spec spec) implements Resource {

    public Role {
        kind = kind == null ? Kind.ROLE.wireName() : kind;
        version = version == null ? Kind.ROLE.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null, null, null) : spec;
    }

    public static Role of(String name, Spec spec) {
        return new Role(null, null, Metadata.named(name), spec);
    }

    @Override
    public Role withMetadata(Metadata newMetadata) {
        return new Role(kind, version, newMetadata, spec);
    }

    /** A role's options, allow and deny conditions. */
    public record Spec(Options options, Conditions allow, Conditions deny) {
        public Spec {
            options = options == null ? Options.NONE : options;
            allow = allow == null ? Conditions.NONE : allow;
            deny = deny == null ? Conditions.NONE : deny;
        }
    }

    /**
     * Role options, with Teleport's names: {@code max_session_ttl} caps any certificate issued under the role;
     * {@code forward_agent}, {@code port_forwarding} and {@code permit_x11_forwarding} put the matching
     * {@code permit-*} extensions into request-bound SSH certificates when a requested role sets them (all off by
     * default).
     */
    public record Options(Optional<Duration> maxSessionTtl, boolean forwardAgent, boolean portForwarding,
                          boolean permitX11Forwarding) {
        public static final Options NONE = new Options(Optional.empty(), false, false, false);

        public Options {
            maxSessionTtl = maxSessionTtl == null ? Optional.empty() : maxSessionTtl;
        }

        /** Options that only cap certificate lifetimes. */
        public Options(Optional<Duration> maxSessionTtl) {
            this(maxSessionTtl, false, false, false);
        }
    }

    /** One side (allow or deny) of a role. */
    public record Conditions(List<String> logins, RequestConditions request, ReviewConditions reviewRequests, List<Rule> rules) {
        public static final Conditions NONE = new Conditions(null, null, null, null);

        public Conditions {
            logins = logins == null ? List.of() : List.copyOf(logins);
            request = request == null ? RequestConditions.NONE : request;
            reviewRequests = reviewRequests == null ? ReviewConditions.NONE : reviewRequests;
            rules = rules == null ? List.of() : List.copyOf(rules);
        }
    }

    /**
     * Which roles may be requested and how: {@code roles} are the requestable roles (of the holder, which
     * for a bot is what its requests are checked against); {@code bots} names the bots the holder may create
     * requests on behalf of (glob {@code *} allowed).
     */
    public record RequestConditions(
            List<String> roles,
            List<String> bots,
            List<Threshold> thresholds,
            Optional<Duration> maxDuration,
            Reason reason) {
        public static final RequestConditions NONE = new RequestConditions(null, null, null, null, null);

        public RequestConditions {
            roles = roles == null ? List.of() : List.copyOf(roles);
            bots = bots == null ? List.of() : List.copyOf(bots);
            thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
            maxDuration = maxDuration == null ? Optional.empty() : maxDuration;
            reason = reason == null ? Reason.OPTIONAL : reason;
        }
    }

    /** Whether requests need a reason. */
    public record Reason(ReasonMode mode) {
        public static final Reason OPTIONAL = new Reason(ReasonMode.OPTIONAL);

        public Reason {
            mode = mode == null ? ReasonMode.OPTIONAL : mode;
        }
    }

    /** {@code required} or {@code optional}. */
    public enum ReasonMode {
        @JsonProperty("required") REQUIRED,
        @JsonProperty("optional") OPTIONAL;

        /** The name on the wire (lowercase, the only spelling read). */
        public String wire() {
            return name().toLowerCase();
        }
    }

    /** Which requested roles the holder may review. */
    public record ReviewConditions(List<String> roles) {
        public static final ReviewConditions NONE = new ReviewConditions(null);

        public ReviewConditions {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }

    /**
     * Resource permissions: {@code verbs} (list, read, create, update, delete, and {@code use} for integrations) on
     * {@code resources} (kinds, or {@code *}). {@code names} (globs), when set, narrows the rule to resources of those
     * names; such a rule answers only questions about one named resource (e.g. using integration prod-deploy).
     */
    public record Rule(List<String> resources, List<String> verbs, List<String> names) {
        public Rule {
            resources = resources == null ? List.of() : List.copyOf(resources);
            verbs = verbs == null ? List.of() : List.copyOf(verbs);
            names = names == null ? List.of() : List.copyOf(names);
        }

        /** A rule on every resource of the kinds. */
        public Rule(List<String> resources, List<String> verbs) {
            this(resources, verbs, null);
        }
    }
}
