package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A failed call is answered the same way whether its handler threw at once or its answer came later (a store commit):
 * a refusal with its own status and code, anything else a 500 that names an incident and keeps the exception's text
 * in the log, out of the answer.
 */
class FailureAnswersTest {

    private static final String SECRET = "stack detail that must stay in the log";
    private static Server server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        List<Route> routes = List.of(
                new Route("GET", "/now/refused", call -> {
                    throw new ApiException(ErrorCode.NOT_FOUND, "no such thing");
                }),
                new Route("GET", "/now/broken", call -> {
                    throw new IllegalStateException(SECRET);
                }),
                new Route("GET", "/later/refused", call -> Reply.later(CompletableFuture.failedFuture(
                        new ApiException(ErrorCode.NOT_FOUND, "no such thing")))),
                new Route("GET", "/later/broken", call -> Reply.later(CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException(SECRET);
                }))));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new ApiHandler(routes, new Authenticator(null, null, Clock.systemUTC()), 1 << 16,
                Duration.ofSeconds(5), new ApiMetrics()));
        server.start();
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @ParameterizedTest
    @CsvSource({"/now/refused, 404, not_found", "/later/refused, 404, not_found", "/now/broken, 500, internal",
            "/later/broken, 500, internal"})
    void aFailureIsAnsweredAsItsRefusalOrAsAnIncident(String path, int status, String code) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = Json.mapper().readTree(r.body());
        assertEquals(code, body.path("code").asText(), r.body());
        assertFalse(r.body().contains(SECRET), r.body());
        if (status == 500) {
            assertTrue(body.path("message").asText().matches("internal error \\(incident [0-9a-f-]{36}\\): the server log has the details"),
                    r.body());
        }
    }
}
