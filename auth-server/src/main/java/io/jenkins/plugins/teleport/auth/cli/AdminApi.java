package io.jenkins.plugins.teleport.auth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.ErrorResponse;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The admin CLI's connection to the API: HTTPS with the caller's identity (mTLS), trusting only the cluster's CA
 * from the identity file. Refusals come back as {@link ApiException} with the server's code and message.
 */
public final class AdminApi {

    /** The server could not be reached or the TLS handshake failed. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final DeserializationFeature UNKNOWN = DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES;

    private final URI base;
    private final HttpClient http;

    public AdminApi(URI base, IdentityFile identity) {
        this(base, identity.sslContext());
    }

    /** A connection with its own TLS context (e.g. pinned trust before a bot has an identity). */
    public AdminApi(URI base, SSLContext tls) {
        this.base = base;
        this.http = HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A GET of a published, non-JSON document (CA keys, KRL, CRL): its bytes. */
    public byte[] getBytes(String path) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                ErrorResponse error = Json.mapper().readerFor(ErrorResponse.class).without(UNKNOWN).readValue(response.body());
                throw new ApiException(error.code(), error.message());
            }
            return response.body();
        } catch (IOException e) {
            throw new Unreachable("cannot reach the auth server at " + base + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while calling " + base, e);
        }
    }

    /** What went wrong, also when the JDK's exception has no message (a refused connection has none). */
    static String why(IOException e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ").toLowerCase();
    }

    public <T> T get(String path, TypeReference<T> type) {
        return send("GET", path, null, type);
    }

    public <T> T send(String method, String path, Object body, TypeReference<T> type) {
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
        try {
            req.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body)));
            if (body != null) {
                req.header("Content-Type", "application/json");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unreachable("cannot reach the auth server at " + base + ": " + why(e)
                    + " (is it running? is --auth-server right? was the identity issued by this cluster?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted while calling " + base, e);
        }
        try {
            if (response.statusCode() >= 400) {
                ErrorResponse error = Json.mapper().readerFor(ErrorResponse.class).without(UNKNOWN).readValue(response.body());
                throw new ApiException(error.code(), error.message());
            }
            if (response.statusCode() == 204 || type == null) {
                return null;
            }
            // Lenient here: a newer server may answer with fields this CLI does not know yet.
            return Json.mapper().readerFor(type).without(UNKNOWN).readValue(response.body());
        } catch (IOException e) {
            throw new ApiException(ErrorCode.INTERNAL, "unreadable answer from the server (HTTP " + response.statusCode() + "): "
                    + e.getMessage());
        }
    }
}
