package io.jenkins.plugins.teleport.auth.http;

/** A handler's answer: an HTTP status and a body to write as JSON (or none, or {@link Raw} bytes). */
public record Reply(int status, Object body) {

    /** A body written as it is, with its content type. */
    public record Raw(String contentType, byte[] bytes) {}

    public static Reply raw(String contentType, byte[] bytes) {
        return new Reply(200, new Raw(contentType, bytes));
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
