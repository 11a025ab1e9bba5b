package io.jenkins.plugins.teleport.auth.rbac;

import io.jenkins.plugins.teleport.api.Role.Conditions;
import io.jenkins.plugins.teleport.api.Role.ReasonMode;
import io.jenkins.plugins.teleport.api.Role;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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

    /**
     * Whether {@code value} matches the glob {@code pattern} ({@code *} matches any run of characters, even empty). In
     * time proportional to the two lengths' product at worst, whatever the stars: Teleport matches these globs as Go
     * regular expressions, which never backtrack, while a Java regular expression of many {@code .*} takes time
     * polynomial in the value's length with the number of stars as the exponent on a value that does not match.
     */
    public static boolean matches(String pattern, String value) {
        int p = 0;
        int v = 0;
        int star = -1; // the last star seen in the pattern, and where in the value its run now ends
        int starEnd = 0;
        while (v < value.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                starEnd = v;
            } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
                p++;
                v++;
            } else if (star >= 0) {
                // The last star takes one more character; the pattern after it starts again from there. Earlier stars
                // never need to take more: whatever they would take, the last one can.
                p = star + 1;
                v = ++starEnd;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
