package io.jenkins.plugins.teleport.auth.rbac;

import io.jenkins.plugins.teleport.api.Role.Conditions;
import io.jenkins.plugins.teleport.api.Role.ReasonMode;
import io.jenkins.plugins.teleport.api.Role;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The roles an identity holds, and what they allow. Every question is answered the same way: some role's
 * {@code allow} side must match and no role's {@code deny} side may. Names in roles may use the glob {@code *}.
 */
public final class RoleSet {

    /** The verbs of resource rules. */
    public enum Verb {
        LIST, READ, CREATE, UPDATE, DELETE, USE;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    private final List<Role> roles;

    public RoleSet(List<Role> roles) {
        this.roles = List.copyOf(roles);
    }

    public List<Role> roles() {
        return roles;
    }

    public List<String> names() {
        return roles.stream().map(Role::name).toList();
    }

    /**
     * Whether a rule allows {@code verb} on resources of kind {@code resource} (e.g. "role", "access_request"). Rules
     * narrowed to names do not answer this question about the kind as a whole.
     */
    public boolean allows(String resource, Verb verb) {
        Function<Conditions, Boolean> matches = c -> c.rules().stream().anyMatch(r -> r.names().isEmpty()
                && matchesAny(r.resources(), resource) && matchesAny(r.verbs(), verb.wireName()));
        return decide(matches);
    }

    /**
     * Whether a rule allows {@code verb} on the resource {@code name} of kind {@code resource}: rules without names
     * cover every name, rules with names only those. A deny rule for the kind or for the name wins.
     */
    public boolean allows(String resource, String name, Verb verb) {
        Function<Conditions, Boolean> matches = c -> c.rules().stream().anyMatch(r ->
                matchesAny(r.resources(), resource) && matchesAny(r.verbs(), verb.wireName())
                        && (r.names().isEmpty() || matchesAny(r.names(), name)));
        return decide(matches);
    }

    /** Whether the holder may create access requests on behalf of {@code bot}. */
    public boolean mayRequestFor(String bot) {
        return decide(c -> matchesAny(c.request().bots(), bot));
    }

    /** Whether the holder may request {@code role} (for a bot: whether the role may be requested on its behalf). */
    public boolean mayRequestRole(String role) {
        return decide(c -> matchesAny(c.request().roles(), role));
    }

    /** Whether the holder may review requests for {@code role}. */
    public boolean mayReview(String role) {
        return decide(c -> matchesAny(c.reviewRequests().roles(), role));
    }

    /** The holder's roles whose {@code allow.request.roles} grant {@code role}. */
    public List<Role> rolesGranting(String role) {
        return roles.stream().filter(r -> matchesAny(r.spec().allow().request().roles(), role)).toList();
    }

    /** The holder's roles whose {@code allow.request.bots} name {@code bot}. */
    public List<Role> rolesGrantingBot(String bot) {
        return roles.stream().filter(r -> matchesAny(r.spec().allow().request().bots(), bot)).toList();
    }

    /** Whether any of {@code granting} says requests need a reason. */
    public static boolean reasonRequired(List<Role> granting) {
        return granting.stream().anyMatch(r -> r.spec().allow().request().reason().mode() == ReasonMode.REQUIRED);
    }

    /**
     * The longest access any of {@code granting} allows, or empty when one of them sets no limit
     * (a role without {@code max_duration} does not cap what it grants).
     */
    public static Optional<Duration> maxDuration(List<Role> granting) {
        Duration longest = Duration.ZERO;
        for (Role r : granting) {
            Optional<Duration> d = r.spec().allow().request().maxDuration();
            if (d.isEmpty()) {
                return Optional.empty();
            }
            longest = d.get().compareTo(longest) > 0 ? d.get() : longest;
        }
        return granting.isEmpty() ? Optional.empty() : Optional.of(longest);
    }

    private boolean decide(Function<Conditions, Boolean> matches) {
        boolean allowed = false;
        for (Role r : roles) {
            if (matches.apply(r.spec().deny())) {
                return false;
            }
            allowed |= matches.apply(r.spec().allow());
        }
        return allowed;
    }

    static boolean matchesAny(List<String> patterns, String value) {
        return patterns.stream().anyMatch(p -> matches(p, value));
    }

    /** Whether {@code value} matches the glob {@code pattern} ({@code *} matches any run of characters, even empty). */
    public static boolean matches(String pattern, String value) {
        if (!pattern.contains("*")) {
            return pattern.equals(value);
        }
        String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return Pattern.matches(regex, value);
    }
}
