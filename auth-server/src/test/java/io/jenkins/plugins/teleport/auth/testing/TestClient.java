package io.jenkins.plugins.teleport.auth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** Raw HTTPS calls to the API, so tests can send exactly the bytes they mean (malformed JSON included). */
public final class TestClient {

    /** An answer: status and the JSON body (a missing node for an empty body). */
    public record Response(int status, JsonNode json) {
        public String code() {
            return json.path("code").asText();
        }

        public String message() {
            return json.path("message").asText();
        }
    }

    private final URI base;
    private final HttpClient http;

    public TestClient(URI base, SSLContext tls) {
        this.base = base;
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public Response get(String path) {
        return call("GET", path, null);
    }

    /** A GET whose answer is not JSON (KRL, CRL, CA keys): its bytes; fails the test unless the status is 200. */
    public byte[] getBytes(String path) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + path + ": HTTP " + r.statusCode() + " " + new String(r.body()));
            }
            return r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response post(String path, Object body) {
        return call("POST", path, body);
    }

    public Response put(String path, Object body) {
        return call("PUT", path, body);
    }

    public Response delete(String path) {
        return call("DELETE", path, null);
    }

    /** Sends {@code body} as JSON; a String or byte[] body is sent as it is. */
    public Response call(String method, String path, Object body) {
        try {
            byte[] bytes = body == null ? null
                    : body instanceof byte[] b ? b
                    : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : Json.mapper().writeValueAsBytes(body);
            HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            if (bytes != null) {
                req.header("Content-Type", "application/json");
            }
            HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = r.body().length == 0 ? Json.mapper().missingNode() : Json.mapper().readTree(r.body());
            return new Response(r.statusCode(), json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
