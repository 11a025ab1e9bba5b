package io.jenkins.plugins.teleport.client;

/** Anything that stops the client: a refusal, an unreachable or untrusted server. Messages name the fix. */
public class TeleportException extends RuntimeException {

    public TeleportException(String message) {
        super(message);
    }

    public TeleportException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server could not be reached, or did not answer in time; worth retrying later. */
    public static final class UnreachableException extends TeleportException {
        public UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The server's CA is not the one pinned: nothing was sent to it. */
    public static final class CaPinMismatchException extends TeleportException {
        public CaPinMismatchException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
