package io.jenkins.plugins.teleport.auth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/** One API call as a handler sees it: path parameters, query, body and the authenticated caller. */
public record Call(String method, String path, Map<String, String> pathParams, Map<String, String> query, byte[] body,
                   Caller identity, String remoteAddress) {

    /**
     * The caller, authenticated on first use (so unauthenticated endpoints never look at certificates);
     * {@code unauthenticated} without a valid client certificate of this cluster, {@code locked} under a lock,
     * {@code access_denied} for a request-bound identity (those may act only on their own request).
     */
    public ClientIdentity caller() {
        return identity.resolve(Optional.empty());
    }

    /** The caller of a call about request {@code id}: as {@link #caller()}, also admitting that request's own identity. */
    public ClientIdentity callerFor(String id) {
        return identity.resolve(Optional.of(id));
    }

    /**
     * For endpoints that need no certificate but must not serve a request-bound one (join): refuses such a
     * certificate when one is presented; a call without a certificate passes.
     */
    public void refuseRequestBoundCertificate() {
        if (identity.presented()) {
            caller();
        }
    }

    public String param(String name) {
        return pathParams.get(name);
    }

    public Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty());
    }

    public Optional<Instant> queryInstant(String name) {
        try {
            return query(name).map(Instant::parse);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an RFC 3339 time such as 2026-11-21T10:00:00Z");
        }
    }

    public int queryInt(String name, int fallback) {
        try {
            return query(name).map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be a whole number");
        }
    }

    /** The raw body. */
    public byte[] body() {
        return body;
    }

    /** The body read as {@code type}; malformed JSON, unknown fields and bad values are a {@code bad_request}. */
    public <T> T body(Class<T> type) {
        if (body.length == 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "this call needs a JSON body");
        }
        try {
            T value = Json.mapper().readValue(body, type);
            if (value == null) {
                throw new ApiException(ErrorCode.BAD_REQUEST, "the JSON body must be an object, not null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unknown field '" + e.getPropertyName() + "'"
                    + at(e) + ": check the spelling against the API document (api/src/main/resources/openapi.yaml)");
        } catch (InvalidFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid value '" + e.getValue() + "'" + at(e));
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed request body" + at(e) + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unreadable request body: " + e.getMessage());
        }
    }

    private static String at(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (var ref : m.getPath()) {
                path.append(ref.getFieldName() != null ? (path.length() > 0 ? "." : "") + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
            return " at " + path;
        }
        return "";
    }
}
