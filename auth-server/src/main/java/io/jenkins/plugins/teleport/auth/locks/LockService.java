package io.jenkins.plugins.teleport.auth.locks;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.resources.ResourceService;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Creating, listing and removing locks (rules on resource {@code lock}); creation and removal are audited. */
public final class LockService {

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    public LockService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    /** Stores a lock (named with a new UUID when it has no name); it is in force from the moment it commits. */
    public Lock create(ClientIdentity caller, Lock lock) {
        Lock.Target target = lock.spec().target();
        if (target.isEmpty()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "a lock needs a target: access_request, user, bot or serial");
        }
        if (!target.accessRequest().isEmpty()) {
            AccessRequestLifecycle.checkId(target.accessRequest());
        }
        if (!target.serial().isEmpty() && !target.serial().matches("[0-9a-f]{1,40}")) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "serial must be an X.509 serial in hex or an SSH serial in decimal");
        }
        if (lock.spec().expires().filter(t -> !t.isAfter(clock.instant())).isPresent()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "the lock's expiry is in the past");
        }
        String name = lock.name().isEmpty() ? UUID.randomUUID().toString() : lock.name();
        Lock named = new Lock(null, lock.version(), new Metadata(name, lock.metadata().description(), lock.metadata().labels(),
                Optional.empty(), 0),
                new Lock.Spec(target, lock.spec().message(), lock.spec().expires(), caller.name()));
        if (!lock.kind().equals(Kind.LOCK.wireName())) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "this endpoint takes kind 'lock', not '" + lock.kind() + "'");
        }
        return store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "lock", Verb.CREATE);
            ResourceService.validate(tx, named);
            Lock stored = tx.create(named);
            tx.increment(Tx.Counter.REVOCATIONS);
            if (target.equals(new Lock.Target("", target.user(), "", "")) && !target.user().isEmpty()) {
                // A lock on a person ends their web sessions for good, not only while it is in force.
                tx.webAccounts().deleteSessions(target.user());
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("lock", name);
            fields.put("target", target);
            fields.put("message", stored.spec().message());
            stored.spec().expires().ifPresent(t -> fields.put("expires", t.toString()));
            audit.record(tx, AuditEventType.LOCK_CREATED, caller.name(), Optional.of(target.accessRequest())
                    .filter(s -> !s.isEmpty()), fields);
            return stored;
        });
    }

    public List<Lock> list(ClientIdentity caller) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "lock", Verb.LIST);
            return tx.list(Lock.class);
        });
    }

    public void delete(ClientIdentity caller, String name) {
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "lock", Verb.DELETE);
            Lock lock = tx.get(Lock.class, name).orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "lock '" + name + "' does not exist (locks ls lists them)"));
            tx.delete(Lock.class, name);
            tx.increment(Tx.Counter.REVOCATIONS);
            audit.record(tx, AuditEventType.LOCK_DELETED, caller.name(),
                    Optional.of(lock.spec().target().accessRequest()).filter(s -> !s.isEmpty()), Map.of("lock", name));
            return null;
        });
    }
}
