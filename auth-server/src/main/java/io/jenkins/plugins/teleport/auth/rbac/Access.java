package io.jenkins.plugins.teleport.auth.rbac;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.util.List;
import java.util.Optional;

/** Reads the current roles of callers from the store and enforces resource rules. */
public final class Access {

    private Access() {}

    /**
     * The caller's roles as they are now (a certificate names who, never what). A user or bot deleted since its
     * certificate was issued is refused.
     */
    public static RoleSet rolesOf(Tx tx, ClientIdentity caller) {
        return roles(tx, roleNamesOf(tx, caller));
    }

    /** The names of the roles the caller's user or bot is assigned now; refused if it no longer exists. */
    public static List<String> roleNamesOf(Tx tx, ClientIdentity caller) {
        return holderOf(tx, caller).roleNames();
    }

    /** The user or bot a caller is, as stored, with the names of the roles it is assigned. */
    public record Holder(Resource resource, List<String> roleNames) {}

    /** The caller's {@link Holder} as stored now; refused if it no longer exists. */
    public static Holder holderOf(Tx tx, ClientIdentity caller) {
        Optional<Holder> holder = switch (caller.type()) {
            case USER -> tx.get(User.class, caller.name()).map(u -> new Holder(u, u.spec().roles()));
            case BOT -> tx.get(Bot.class, caller.name()).map(b -> new Holder(b, b.spec().roles()));
        };
        return holder.orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                caller + " no longer exists in this cluster: ask an administrator for a new identity"));
    }

    /** The named roles that exist, read in one statement; a role deleted since it was assigned grants nothing. */
    public static RoleSet roles(Tx tx, List<String> names) {
        return new RoleSet(tx.getAll(Role.class, names));
    }

    /** Refuses unless a rule of the caller's roles allows {@code verb} on {@code resource}. */
    public static void require(RoleSet roles, ClientIdentity caller, String resource, Verb verb) {
        if (!roles.allows(resource, verb)) {
            throw new ApiException(ErrorCode.ACCESS_DENIED, caller + " may not " + verb.wireName() + " " + resource
                    + ": its roles (" + String.join(", ", roles.names()) + ") have no rule allowing it");
        }
    }
}
