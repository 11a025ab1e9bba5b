package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The operations available inside one {@link Store} read or transaction. */
public interface Tx {

    <T extends Resource> Optional<T> get(Class<T> type, String name);

    <T extends Resource> List<T> list(Class<T> type);

    /** Inserts a new resource at revision 1; {@code already_exists} if the name is taken. */
    <T extends Resource> T create(T resource);

    /**
     * Replaces a resource if its stored revision still equals {@code resource.metadata().revision()};
     * {@code revision_conflict} if another writer got there first, {@code not_found} if it is gone.
     */
    <T extends Resource> T update(T resource);

    /** Deletes a resource; false if there was none. */
    boolean delete(Class<? extends Resource> type, String name);

    /** Appends an audit event (its seq is assigned by the store and ignored here). */
    void append(AuditEvent event);

    /** Events in order, optionally only those of one request and/or within [from, to). */
    List<AuditEvent> events(Optional<String> requestId, Optional<Instant> from, Optional<Instant> to, int limit);

    /** A stored certificate authority's PEM certificate and key. */
    record StoredAuthority(String certPem, String keyPem) {}

    Optional<StoredAuthority> authority(String name);

    /** Stores an authority unless one of that name exists; returns the one that is stored afterwards. */
    StoredAuthority insertAuthorityIfAbsent(String name, StoredAuthority authority);
}
