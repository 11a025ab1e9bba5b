package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The stable, machine-readable error codes of the API, each with its HTTP status. */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400),
    UNAUTHENTICATED("unauthenticated", 401),
    ACCESS_DENIED("access_denied", 403),
    LOCKED("locked", 403),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    REQUEST_TIMEOUT("request_timeout", 408),
    ALREADY_EXISTS("already_exists", 409),
    REVISION_CONFLICT("revision_conflict", 409),
    ALREADY_REVIEWED("already_reviewed", 409),
    REQUEST_NOT_PENDING("request_not_pending", 409),
    REQUEST_EXPIRED("request_expired", 409),
    REQUEST_PENDING("request_pending", 409),
    REQUEST_DENIED("request_denied", 409),
    REQUEST_CONSUMED("request_consumed", 409),
    REQUEST_CLAIMED("request_claimed", 409),
    REQUEST_CANCELLED("request_cancelled", 409),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    HEADERS_TOO_LARGE("headers_too_large", 431),
    INTERNAL("internal", 500),
    UNAVAILABLE("unavailable", 503);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    @JsonValue
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code for its wire name; unknown names (from a newer server) read as {@link #INTERNAL}. */
    @JsonCreator
    public static ErrorCode of(String code) {
        return Arrays.stream(values()).filter(c -> c.code.equals(code)).findFirst().orElse(INTERNAL);
    }
}
