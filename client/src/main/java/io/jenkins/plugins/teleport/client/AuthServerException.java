package io.jenkins.plugins.teleport.client;

import io.jenkins.plugins.teleport.api.ErrorCode;

/** The auth server refused a call: its stable {@link ErrorCode} and its message, which names the fix. */
public class AuthServerException extends TeleportException {

    private final ErrorCode code;

    public AuthServerException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /**
     * The refusal an error answer describes. An answer without a code (a proxy's page, an older or broken server) is
     * typed by its HTTP status and keeps whatever message it had; a gateway's 502 or 504 (the server behind it is down
     * or slow) is {@code unavailable}, so a release that meets one is retried and kept, not given up.
     */
    static AuthServerException fromAnswer(int status, ErrorCode code, String message, String where) {
        ErrorCode typed = code != null ? code : status == 502 || status == 504 ? ErrorCode.UNAVAILABLE
                : java.util.Arrays.stream(ErrorCode.values()).filter(c -> c.httpStatus() == status).findFirst().orElse(ErrorCode.INTERNAL);
        String text = message == null || message.isBlank() ? "HTTP " + status + " from " + where
                : code == null ? message + " (HTTP " + status + " from " + where + ")" : message;
        return of(typed, text);
    }

    /** The typed exception for a refusal. */
    static AuthServerException of(ErrorCode code, String message) {
        return switch (code) {
            case REQUEST_PENDING, REQUEST_DENIED, REQUEST_EXPIRED, REQUEST_CONSUMED, REQUEST_CLAIMED ->
                    new RequestNotUsableException(code, message);
            case ACCESS_DENIED, LOCKED, UNAUTHENTICATED -> new NotAllowedException(code, message);
            default -> new AuthServerException(code, message);
        };
    }

    /** The access request cannot be assumed now: pending, denied, expired or consumed. Retrying will not help. */
    public static final class RequestNotUsableException extends AuthServerException {
        public RequestNotUsableException(ErrorCode code, String message) {
            super(code, message);
        }
    }

    /** This identity may not do this: wrong bot, no role for it, locked, or a revoked certificate. */
    public static final class NotAllowedException extends AuthServerException {
        public NotAllowedException(ErrorCode code, String message) {
            super(code, message);
        }
    }
}
