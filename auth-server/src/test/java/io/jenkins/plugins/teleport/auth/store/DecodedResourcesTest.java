package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.api.User;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The issuance path's memory of decoded rows: decoded once per exact body, never stale, bounded. */
class DecodedResourcesTest {

    private final DecodedResources decoded = new DecodedResources();
    private final AtomicInteger decodes = new AtomicInteger();

    private <T extends Resource> BiFunction<Class<T>, String, T> counting() {
        return (type, body) -> {
            decodes.incrementAndGet();
            try {
                return Json.mapper().readValue(body, type);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static String body(Resource r) throws Exception {
        return Json.mapper().writeValueAsString(r);
    }

    @Test
    void theSameStoredTextIsDecodedOnceAndSharedAsOneImmutableValue() throws Exception {
        String alice = body(User.of("alice", List.of("dev")));
        User first = decoded.get(User.class, new String(alice), counting());
        User second = decoded.get(User.class, new String(alice), counting());
        assertSame(first, second);
        assertEquals(1, decodes.get());
    }

    @Test
    void anyChangeToTheStoredTextIsDecodedAfresh() throws Exception {
        User before = decoded.get(User.class, body(User.of("alice", List.of("dev"))), counting());
        User after = decoded.get(User.class, body(User.of("alice", List.of("ops"))), counting());
        assertNotSame(before, after);
        assertEquals(List.of("ops"), after.spec().roles());
        assertEquals(2, decodes.get());
    }

    @Test
    void kindsThatAreNotDeeplyImmutableAreNeverShared() throws Exception {
        String token = body(new Token(null, null, Metadata.named("t1"), new Token.Spec(Token.JoinMethod.TOKEN, "b", false)));
        Token first = decoded.get(Token.class, token, counting());
        Token second = decoded.get(Token.class, token, counting());
        assertNotSame(first, second);
        assertEquals(0, decoded.size());
    }

    @Test
    void whatIsRememberedStaysBounded() throws Exception {
        for (int i = 0; i < DecodedResources.CAPACITY * 2 + 10; i++) {
            decoded.get(User.class, body(User.of("user" + i, List.of())), counting());
        }
        assertTrue(decoded.size() <= DecodedResources.CAPACITY, "remembered " + decoded.size());
    }
}
