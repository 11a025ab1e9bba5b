package io.jenkins.plugins.teleport.auth.resources;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.requests.ThresholdFilter;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Create, read, replace and delete of the plain resources (roles, users, bots), guarded by role rules. Every change
 * is audited in its own transaction ({@code role.created}, {@code user.update}, {@code bot.delete}, ... as Teleport
 * names them), with who made it.
 */
public final class ResourceService {

    /** Names of resources: letters, digits and {@code . _ @ -}, starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");

    private final Store store;
    private final AuditLog audit;

    public ResourceService(Store store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
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
            Resource created = tx.create(resource.withMetadata(resource.metadata().withRevision(0)));
            recordChange(tx, caller, created, Change.CREATE);
            return created;
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
                Resource created = tx.create(resource);
                recordChange(tx, caller, created, Change.CREATE);
                return created;
            }
            long revision = resource.metadata().revision() != 0 ? resource.metadata().revision() : existing.get().metadata().revision();
            Resource updated = tx.update(resource.withMetadata(resource.metadata().withRevision(revision)));
            recordChange(tx, caller, updated, Change.UPDATE);
            return updated;
        });
    }

    public void delete(ClientIdentity caller, Kind kind, String name) {
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, kind.wireName(), Verb.DELETE);
            Resource gone = tx.get(kind.type(), name).orElseThrow(() -> notFound(kind, name));
            tx.delete(kind.type(), name);
            if (kind == Kind.USER) {
                // A user made again with this name starts without the deleted one's password, authenticator or sessions.
                tx.webAccounts().forgetUser(name);
            }
            recordChange(tx, caller, gone, Change.DELETE);
            return null;
        });
    }

    private enum Change { CREATE, UPDATE, DELETE }

    private void recordChange(Tx tx, ClientIdentity caller, Resource resource, Change change) {
        AuditEventType type = switch (Kind.fromWireName(resource.kind()).orElseThrow()) {
            case ROLE -> change == Change.CREATE ? AuditEventType.ROLE_CREATED
                    : change == Change.UPDATE ? AuditEventType.ROLE_UPDATED : AuditEventType.ROLE_DELETED;
            case USER -> change == Change.CREATE ? AuditEventType.USER_CREATE
                    : change == Change.UPDATE ? AuditEventType.USER_UPDATE : AuditEventType.USER_DELETE;
            case BOT -> change == Change.CREATE ? AuditEventType.BOT_CREATE
                    : change == Change.UPDATE ? AuditEventType.BOT_UPDATE : AuditEventType.BOT_DELETE;
            default -> throw new IllegalArgumentException("no audit event for changes of " + resource.kind());
        };
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("kind", resource.kind());
        fields.put("name", resource.name());
        if (change != Change.DELETE) {
            fields.put("revision", resource.metadata().revision());
        }
        if (resource instanceof User u) {
            fields.put("roles", u.spec().roles());
        } else if (resource instanceof Bot b) {
            fields.put("roles", b.spec().roles());
        }
        audit.record(tx, type, caller.name(), Optional.empty(), fields);
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
            for (Role.Conditions side : List.of(role.spec().allow(), role.spec().deny())) {
                for (Threshold t : side.request().thresholds()) {
                    try {
                        ThresholdFilter.parse(t.filter());
                    } catch (ThresholdFilter.InvalidFilterException e) {
                        throw bad("role '" + role.name() + "': threshold '" + t.name() + "' filter " + e.getMessage()
                                + " (filters use contains(reviewer.roles, \"cab\"), equals(a, b), &&, ||, !, parentheses "
                                + "and \"strings\", over reviewer.roles, reviewer.name, request.roles, request.reason, request.bot)");
                    }
                }
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
