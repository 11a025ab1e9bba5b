package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stored text of each bot, user and role as this server last read it, for {@link Store#readRecent}: every issuance
 * decides from its bot and the roles involved, which change seldom, and on PostgreSQL reading them again costs two
 * round trips per issuance (docs/BENCHMARKS.md, fifteenth step). Only a hint: what is decided from it counts only if the
 * write that follows finds the rows still stored as read (the issuance's witnesses), and a change made by another auth
 * server is seen at the next plain read of the row, which every such failed check makes. A write of a row through this
 * store forgets it. At most {@link #CAPACITY} rows are kept; when full the memory is dropped whole.
 */
final class RecentRows {

    /** The most rows remembered. */
    static final int CAPACITY = 4096;

    private static final Set<String> KINDS = Set.of(Kind.of(Bot.class).wireName(), Kind.of(User.class).wireName(),
            Kind.of(Role.class).wireName());

    /** By kind and name: the text as read, or empty if none was stored. */
    private final ConcurrentHashMap<List<String>, Optional<String>> rows = new ConcurrentHashMap<>();

    /** Whether rows of {@code type} are remembered. */
    static boolean keeps(Class<? extends Resource> type) {
        return KINDS.contains(Kind.of(type).wireName());
    }

    /** The row as last read (empty: none was stored then), or null if it is not remembered. */
    Optional<String> get(Class<? extends Resource> type, String name) {
        return rows.get(List.of(Kind.of(type).wireName(), name));
    }

    /** Remembers that the row of {@code type} and {@code name} was read as {@code body} (empty: none stored). */
    void read(Class<? extends Resource> type, String name, Optional<String> body) {
        if (keeps(type)) {
            if (rows.size() >= CAPACITY) {
                rows.clear();
            }
            rows.put(List.of(Kind.of(type).wireName(), name), body);
        }
    }

    /** Forgets the row of {@code kind} (its wire name) and {@code name}, which is being written. */
    void forget(String kind, String name) {
        if (KINDS.contains(kind)) {
            rows.remove(List.of(kind, name));
        }
    }
}
