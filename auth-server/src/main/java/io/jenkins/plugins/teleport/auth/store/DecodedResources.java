package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The decoded form of stored resource bodies the issuance path reads on every call (the access request, the bot and
 * its roles, the locks), remembered by their exact stored text: decoding JSON was a sixth of the server's time per
 * issuance (JFR, docs/BENCHMARKS.md), and the same unchanged rows are read two or three times per call. A body that
 * changed in any byte (a new revision, a new review) is a different key and is decoded afresh, so what a caller gets
 * is always what the store holds now; only kinds whose records are deeply immutable are kept, so a shared instance
 * cannot be changed by one caller under another. A body the store itself has just written is remembered with the value
 * it was encoded from ({@link #written}), so the next read of a row the previous call changed (every issuance bumps its
 * request's revision) decodes nothing either; this holds because encoding and decoding a kept kind round-trip to an
 * equal value (DecodedResourcesTest). At most {@link #CAPACITY} bodies are kept; when full the memory is dropped whole
 * (listing a million requests must not grow it).
 */
final class DecodedResources {

    /** The most bodies remembered. */
    static final int CAPACITY = 4096;

    private static final Set<Class<? extends Resource>> IMMUTABLE = Set.of(AccessRequest.class, Role.class, Bot.class, User.class,
            Lock.class);

    private record Key(Class<? extends Resource> type, String body) {}

    private final ConcurrentHashMap<Key, Resource> decoded = new ConcurrentHashMap<>();

    /** A kept value, by identity: the instance handed out, not any equal one (hashing a role deeply costs more). */
    private record Same(Resource value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Same other && other.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }
    }

    /** The stored text each kept value was decoded from or encoded to: what {@link Tx#asRead} witnesses. */
    private final ConcurrentHashMap<Same, String> bodies = new ConcurrentHashMap<>();

    /** The resource {@code body} holds, as {@code decode} makes it, decoded once per distinct body of a kept kind. */
    <T extends Resource> T get(Class<T> type, String body, BiFunction<Class<T>, String, T> decode) {
        if (!IMMUTABLE.contains(type)) {
            return decode.apply(type, body);
        }
        Key key = new Key(type, body);
        Resource known = decoded.get(key);
        if (known != null) {
            return type.cast(known);
        }
        T fresh = decode.apply(type, body);
        remember(key, fresh);
        return fresh;
    }

    /**
     * Remembers that {@code body}, which the store is writing, is the encoding of {@code value}. A write that is rolled
     * back leaves an entry that is only ever found again if the store holds exactly that text, which decodes to an
     * equal value anyway.
     */
    void written(Resource value, String body, BiFunction<Class<? extends Resource>, String, ? extends Resource> decode) {
        if (IMMUTABLE.contains(value.getClass())) {
            // With assertions on (every test run), each write checks the round trip this relies on.
            assert value.equals(decode.apply(value.getClass(), body)) : "does not decode to what was written: " + body;
            remember(new Key(value.getClass(), body), value);
        }
    }

    /**
     * The stored text {@code value} was decoded from or written as, if this instance came from here and is still
     * remembered. Empty otherwise: the caller then encodes it, which gives the same text or, where map fields of two or
     * more entries came out in another order, text that only fails to match (a slower path, never a wrong answer).
     */
    Optional<String> bodyOf(Resource value) {
        return Optional.ofNullable(bodies.get(new Same(value)));
    }

    private void remember(Key key, Resource value) {
        // bodies is never the smaller (two threads decoding one body each keep their instance there).
        if (bodies.size() >= CAPACITY) {
            decoded.clear();
            bodies.clear();
        }
        decoded.put(key, value);
        bodies.put(new Same(value), key.body());
    }

    /** How many bodies are remembered now. */
    int size() {
        return decoded.size();
    }
}
