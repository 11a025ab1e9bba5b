package io.jenkins.plugins.teleport.auth.audit;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The append-only audit log. Events are written through the {@link Tx} of the change they record, so an
 * event exists exactly when its change was committed.
 */
public final class AuditLog {

    /** The most events one query returns. */
    public static final int MAX_LIMIT = 1000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final Clock clock;

    public AuditLog(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Appends an event inside the caller's transaction. */
    public void record(Tx tx, AuditEventType type, String user, Optional<String> requestId, Map<String, Object> fields) {
        tx.append(event(type, user, requestId, fields));
    }

    /** An event of now, to be appended later ({@link Tx#append}), for a caller that encodes it outside the transaction. */
    public AuditEvent event(AuditEventType type, String user, Optional<String> requestId, Map<String, Object> fields) {
        Instant now = clock.instant();
        return new AuditEvent(0, timeOrderedUid(now).toString(), type.event(), type.code(), now, user, requestId, fields);
    }

    /**
     * An event's unique ID: a version 7 UUID (RFC 9562), its first 48 bits the time in milliseconds and 74 random
     * bits after. Teleport gives events random (version 4) UUIDs; time-ordered ones are as unique but land at the end
     * of the store's unique index instead of on a random page of it, which each commit would otherwise rewrite.
     */
    static UUID timeOrderedUid(Instant time) {
        long random = RANDOM.nextLong();
        long high = (time.toEpochMilli() << 16) | 0x7000L | (RANDOM.nextInt() & 0x0fffL);
        long low = (random & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    /**
     * Events in order. Anyone whose roles allow {@code list} on {@code event} sees all; otherwise a caller who may
     * see a request (author, subject, its reviewers) may read that request's trail.
     */
    public List<AuditEvent> search(ClientIdentity caller, Optional<String> requestId, Optional<Instant> from,
                                   Optional<Instant> to, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        requestId.ifPresent(AccessRequestLifecycle::checkId);
        return store.read(tx -> {
            RoleSet roles = Access.rolesOf(tx, caller);
            if (!roles.allows("event", Verb.LIST)) {
                Optional<AccessRequest> request = requestId.flatMap(id -> tx.get(AccessRequest.class, id));
                if (request.isEmpty() || !AccessRequestLifecycle.visibleTo(request.get(), caller, roles)) {
                    throw new ApiException(ErrorCode.ACCESS_DENIED, caller + " may not read audit events: ask for a role with "
                            + "rule {resources: [event], verbs: [list]}, or read the trail of a request you may see");
                }
            }
            return tx.events(requestId, from, to, limit);
        });
    }
}
