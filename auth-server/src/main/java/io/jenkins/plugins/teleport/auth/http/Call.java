package io.jenkins.plugins.teleport.auth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** One API call as a handler sees it: path parameters, query, body and the authenticated caller. */
public record Call(String method, String path, Map<String, String> pathParams, Map<String, String> query, byte[] body,
                   Caller identity, String remoteAddress) {

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

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
     * The caller of a call about the request its certificate is bound to (an OIDC token for that request): a
     * request-bound identity is admitted for its own request; other identities are admitted as usual (and the
     * operation says what it needs).
     */
    public ClientIdentity callerForOwnRequest() {
        return identity.resolveForOwnRequest();
    }

    /** The client certificate of an authenticated caller. */
    public java.security.cert.X509Certificate callerCertificate() {
        return identity.certificate().orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                "this call needs a client certificate issued by this cluster"));
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

    /** An RFC 3339 time ({@code format: date-time}), read as the body's instants are. */
    public Optional<Instant> queryInstant(String name) {
        try {
            return query(name).map(Json::instant);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be an RFC 3339 time such as 2026-11-21T10:00:00Z");
        }
    }

    /** A UUID ({@code format: uuid}) such as a request ID, in lower case. */
    public Optional<String> queryUuid(String name) {
        Optional<String> value = query(name).map(v -> v.toLowerCase(Locale.ROOT));
        if (value.isPresent() && !UUID.matcher(value.get()).matches()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be a UUID such as 0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");
        }
        return value;
    }

    public int queryInt(String name, int fallback) {
        try {
            return query(name).map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be a whole number");
        }
    }

    /** A Go-style duration such as {@code 30s} ({@code format: duration} in the document), positive. */
    public Optional<Duration> queryDuration(String name) {
        try {
            Optional<Duration> d = query(name).map(io.jenkins.plugins.teleport.api.GoDuration::parse);
            if (d.filter(v -> v.isNegative() || v.isZero()).isPresent()) {
                throw new IllegalArgumentException("not positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be a positive duration such as 30s");
        }
    }

    /** A whole number at least 0, when given. */
    public Optional<Long> queryLong(String name) {
        try {
            Optional<Long> v = query(name).map(Long::parseLong);
            if (v.filter(n -> n < 0).isPresent()) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, name + " must be a whole number, 0 or more");
        }
    }

    /** The raw body. */
    public byte[] body() {
        return body;
    }

    /**
     * The body read strictly as {@code type} ({@link Json#readRequest}): malformed JSON, unknown fields, values of the
     * wrong type, nulls and bytes that are not UTF-8 are a {@code bad_request} naming the field.
     */
    public <T> T body(Class<T> type) {
        if (body.length == 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "this call needs a JSON body");
        }
        try {
            return Json.readRequest(body, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unknown field '" + e.getPropertyName() + "'"
                    + at(e) + ": check the spelling against the API document (api/src/main/resources/openapi.yaml)");
        } catch (InvalidFormatException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid value " + quoted(e.getValue()) + at(e) + ": expected "
                    + expected(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String message = e.getTargetType() == null || e.getOriginalMessage().startsWith("Missing required")
                    ? e.getOriginalMessage() : "expected " + expected(e.getTargetType());
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed request body" + at(e) + ": " + message);
        } catch (ValueInstantiationException e) {
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid value" + at(e) + ": " + why);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed request body" + at(e) + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unreadable request body: " + e.getMessage());
        }
    }

    private static String quoted(Object value) {
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }

    /** What a value of {@code type} looks like in JSON, for people. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> Json.mapper().convertValue(c, String.class)).toList();
        }
        if (type == java.time.Duration.class) {
            return "a duration such as \"2h\" or \"30m\"";
        }
        if (type == Instant.class) {
            return "an RFC 3339 time such as \"2026-11-21T10:00:00Z\"";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
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
