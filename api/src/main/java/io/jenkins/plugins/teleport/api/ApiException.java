package io.jenkins.plugins.teleport.api;

/** A refusal with a stable {@link ErrorCode} and a message for a person, naming the fix. */
public class ApiException extends RuntimeException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public ErrorResponse toResponse() {
        return new ErrorResponse(code, getMessage());
    }
}
