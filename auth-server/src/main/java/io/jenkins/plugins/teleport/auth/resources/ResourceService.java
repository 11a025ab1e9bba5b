package io.jenkins.plugins.teleport.auth.resources;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Create, read, replace and delete of the plain resources (roles, users, bots), guarded by role rules. */
public final class ResourceService {

    /** Names of resources: letters, digits and {@code . _ @ -}, starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private final Store store;

    public ResourceService(Store store) {
        this.store = store;
    }

    public List<? extends Resource> list(ClientIdentity caller, Kind kind) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.LIST);
            return tx.list(kind.type());
        });
    }

    public Resource get(ClientIdentity caller, Kind kind, String name) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.READ);
            return tx.get(kind.type(), name).orElseThrow(() -> notFound(kind, name));
        });
    }

    /** Creates a resource; {@code already_exists} if its name is taken. */
    public Resource create(ClientIdentity caller, Resource resource) {
        return store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, resource.kind(), Verb.CREATE);
            validate(tx, resource);
            return tx.create(resource.withMetadata(resource.metadata().withRevision(0)));
        });
    }

    /**
     * Creates or replaces a resource. With {@code metadata.revision} set, the replace happens only if the stored
     * revision is still that one (compare-and-swap); without it, the stored resource is replaced whatever its revision.
     */
    public Resource put(ClientIdentity caller, Resource resource) {
        return store.write(tx -> {
            Optional<? extends Resource> existing = tx.get(Kind.fromWireName(resource.kind()).orElseThrow().type(), resource.name());
            Access.require(Access.rolesOf(tx, caller), caller, resource.kind(), existing.isPresent() ? Verb.UPDATE : Verb.CREATE);
            validate(tx, resource);
            if (existing.isEmpty()) {
                if (resource.metadata().revision() != 0) {
                    throw notFound(Kind.fromWireName(resource.kind()).orElseThrow(), resource.name());
                }
                return tx.create(resource);
            }
            long revision = resource.metadata().revision() != 0 ? resource.metadata().revision() : existing.get().metadata().revision();
            return tx.update(resource.withMetadata(resource.metadata().withRevision(revision)));
        });
    }

    public void delete(ClientIdentity caller, Kind kind, String name) {
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.DELETE);
            if (!tx.delete(kind.type(), name)) {
                throw notFound(kind, name);
            }
            return null;
        });
    }

    /** Checks a resource before it is written: its name, kind, version, and that the roles it names exist. */
    public static void validate(Tx tx, Resource resource) {
        Kind kind = Kind.fromWireName(resource.kind()).orElseThrow(() -> bad("unknown kind '" + resource.kind() + "'"));
        if (!resource.version().equals(kind.version())) {
            throw bad(kind.wireName() + " '" + resource.name() + "' has version '" + resource.version()
                    + "': this server reads version " + kind.version());
        }
        if (!NAME.matcher(resource.name()).matches()) {
            throw bad("invalid name '" + resource.name() + "': use letters, digits and . _ @ - (at most 128), starting "
                    + "with a letter or digit");
        }
        if (resource instanceof Role role) {
            List<Optional<java.time.Duration>> durations = List.of(role.spec().options().maxSessionTtl(),
                    role.spec().allow().request().maxDuration(), role.spec().deny().request().maxDuration());
            if (durations.stream().flatMap(Optional::stream).anyMatch(d -> d.isNegative() || d.isZero())) {
                throw bad("role '" + role.name() + "': durations (max_duration, max_session_ttl) must be positive, e.g. 2h");
            }
        }
        List<String> roles = resource instanceof User u ? u.spec().roles()
                : resource instanceof Bot b ? b.spec().roles() : List.of();
        for (String role : roles) {
            if (tx.get(Role.class, role).isEmpty()) {
                throw bad(kind.wireName() + " '" + resource.name() + "' names role '" + role
                        + "', which does not exist: create the role first");
            }
        }
    }

    private static ApiException notFound(Kind kind, String name) {
        return new ApiException(ErrorCode.NOT_FOUND, kind.wireName() + " '" + name + "' does not exist");
    }

    private static ApiException bad(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }
}
