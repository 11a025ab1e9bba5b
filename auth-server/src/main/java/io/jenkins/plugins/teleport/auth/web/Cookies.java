package io.jenkins.plugins.teleport.auth.web;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The pages' two cookies, both {@code HttpOnly; Secure; SameSite=Strict} with the {@code __Host-} prefix (so the
 * browser keeps them to this host, path {@code /}, over https only): the session, and before sign-in a random value
 * that the sign-in and invite forms' CSRF tokens are derived from.
 */
final class Cookies {

    static final String SESSION = "__Host-session";
    static final String PRE_SESSION = "__Host-csrf";

    private final Map<String, String> values;

    private Cookies(Map<String, String> values) {
        this.values = values;
    }

    /** Reads a {@code Cookie} header; of a name given twice, the first is kept (the most specific, as browsers order). */
    static Cookies parse(Optional<String> header) {
        Map<String, String> values = new HashMap<>();
        for (String part : header.orElse("").split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                values.putIfAbsent(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
            }
        }
        return new Cookies(values);
    }

    /** A cookie's value, if it looks like one of ours (URL-safe base64). */
    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> v.matches("[A-Za-z0-9_-]{16,128}"));
    }

    static String set(String name, String value, Duration maxAge) {
        return name + "=" + value + "; Path=/; Max-Age=" + maxAge.toSeconds() + "; Secure; HttpOnly; SameSite=Strict";
    }

    static String clear(String name) {
        return name + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict";
    }
}
