package io.jenkins.plugins.teleport.auth.http;

/** A handler's answer: an HTTP status and a body to write as JSON (or none). */
public record Reply(int status, Object body) {

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
