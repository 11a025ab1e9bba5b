package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A path fits a route's template segment by segment; its parameters are percent-decoded, a '+' kept as it is. */
class RouteTest {

    private final Route route = new Route("POST", "/v1/users/{name}/certs", call -> Reply.ok(Map.of()));

    @Test
    void aFittingPathGivesItsParameters() {
        assertEquals(Optional.of(Map.of("name", "alice")), route.match("/v1/users/alice/certs"));
        assertEquals(Optional.of(Map.of("name", "a b+c")), route.match("/v1/users/a%20b+c/certs"));
    }

    @Test
    void anotherLiteralOrLengthOrAnEmptyParameterDoesNotFit() {
        assertTrue(route.match("/v1/users/alice/invites").isEmpty());
        assertTrue(route.match("/v1/users/alice").isEmpty());
        assertTrue(route.match("/v1/users/alice/certs/more").isEmpty());
        assertTrue(route.match("/v1/users//certs").isEmpty());
        assertTrue(route.match("/v1/users/alice/certs/").isEmpty(), "a trailing slash is another path (found by a fuzzer: "
                + "DELETE /v1/roles/victim/ deleted the role)");
        assertTrue(new Route("DELETE", "/v1/roles/{name}", call -> Reply.ok(Map.of())).match("/v1/roles/victim/").isEmpty());
        assertTrue(new Route("GET", "/v1/roles", call -> Reply.ok(Map.of())).match("/v1/roles/").isEmpty());
    }

    @Test
    void aMalformedEscapeInAFittingPathIsABadRequest() {
        ApiException e = assertThrows(ApiException.class, () -> route.match("/v1/users/%zz/certs"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(route.match("/v1/users/%zz/invites").isEmpty(), "a path that does not fit is not decoded");
    }
}
