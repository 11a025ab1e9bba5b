package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.api.User;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** A request as an issuance writes it: reviewed, approved, one-shot, restricted to a job, assumed with a usage. */
    static AccessRequest assumedRequest() {
        Instant created = Instant.parse("2026-01-01T10:00:00Z");
        AccessRequest.Spec spec = new AccessRequest.Spec("jenkins-deploy", "alice", List.of("deploy", "audit"), RequestState.APPROVED,
                "CHG-1234", "looks fine", created, created.plusSeconds(3600), created.plusSeconds(7200), Optional.empty(), true,
                List.of(Threshold.DEFAULT, new Threshold("two", "contains(reviewer.roles, \"lead\")", 2, 1)),
                Map.of("deploy", List.of(List.of(0, 1)), "audit", List.of(List.of(0))),
                List.of(new AccessRequest.Review("bob", List.of("lead"), ReviewVerdict.APPROVED, "", created.plusSeconds(60),
                        List.of(0, 1))), Map.of(), "deploy/*", "main");
        return new AccessRequest(null, null, new Metadata("4d7c9f0e-7b8a-4c61-9d55-0f3b1a2c3d4e", "", Map.of("team", "ops"),
                Optional.empty(), 7), spec.assumedAt(created.plusSeconds(120), Map.of("build_url", "https://ci/job/deploy/9/")),
                Optional.empty());
    }

    @Test
    void whatTheStoreWroteDecodesToAnEqualValueAndIsNotDecodedAgain() throws Exception {
        AccessRequest written = assumedRequest();
        String body = body(written);
        assertEquals(written, Json.mapper().readValue(body, AccessRequest.class), "encode then decode must round-trip");
        decoded.written(written, body, (type, text) -> {
            try {
                return Json.mapper().readValue(text, type);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertSame(written, decoded.get(AccessRequest.class, new String(body), counting()));
        assertEquals(0, decodes.get());
    }
}
