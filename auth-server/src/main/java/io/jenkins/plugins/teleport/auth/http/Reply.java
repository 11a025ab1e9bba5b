package io.jenkins.plugins.teleport.auth.http;

/**
 * A handler's answer: an HTTP status and a body to write as JSON (or none, or {@link Raw} bytes), and how long
 * caches may keep it ({@code Cache-Control}; {@code no-store} unless a handler says otherwise).
 */
public record Reply(int status, Object body, String cacheControl) {

    /** What every answer but public, cacheable documents says. */
    public static final String NO_STORE = "no-store";

    public Reply(int status, Object body) {
        this(status, body, NO_STORE);
    }

    /** A body written as it is, with its content type. */
    public record Raw(String contentType, byte[] bytes) {}

    /**
     * An answer that comes later, written on a request thread when the stage completes; no thread waits for it. A long
     * poll's wait is bounded by its handler and may outlast the connection's idle timeout; any other wait may not.
     */
    public record Deferred(java.util.concurrent.CompletionStage<Reply> reply, boolean longPoll) {}

    /** The answer {@code reply} will complete with (work that finishes elsewhere, such as a store commit). */
    public static Reply later(java.util.concurrent.CompletionStage<Reply> reply) {
        return new Reply(200, new Deferred(reply, false));
    }

    /** The answer of a long poll, whose handler bounds the wait (it may outlast the connection's idle timeout). */
    public static Reply longPoll(java.util.concurrent.CompletionStage<Reply> reply) {
        return new Reply(200, new Deferred(reply, true));
    }

    public static Reply raw(String contentType, byte[] bytes) {
        return new Reply(200, new Raw(contentType, bytes));
    }

    /** A public document that caches may keep for {@code maxAge}. */
    public static Reply cacheable(String contentType, byte[] bytes, java.time.Duration maxAge) {
        return new Reply(200, new Raw(contentType, bytes), "public, max-age=" + maxAge.toSeconds());
    }

    public static Reply ok(Object body) {
        return new Reply(200, body);
    }

    public static Reply created(Object body) {
        return new Reply(201, body);
    }

    public static Reply noContent() {
        return new Reply(204, null);
    }
}
