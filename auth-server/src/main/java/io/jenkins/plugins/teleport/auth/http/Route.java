package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One API endpoint: a method, a path template such as {@code /v1/access-requests/{id}}, and its handler. The
 * template is split into its segments once, here, not on every call.
 */
public final class Route {

    /** Turns a call into a reply; throws {@link io.jenkins.plugins.teleport.api.ApiException} to refuse. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Call call);
    }

    private final String method;
    private final String template;
    private final Handler handler;
    private final String[] segments;

    public Route(String method, String template, Handler handler) {
        this.method = method;
        this.template = template;
        this.handler = handler;
        this.segments = segments(template);
    }

    public String method() {
        return method;
    }

    public String template() {
        return template;
    }

    public Handler handler() {
        return handler;
    }

    /** The path parameters if {@code path} fits the template. */
    public Optional<Map<String, String>> match(String path) {
        return match(segments(path));
    }

    /**
     * The segments between a path's slashes, the empty one after a trailing slash included: {@code /v1/roles/} is
     * another path than {@code /v1/roles}, and fits no route.
     */
    static String[] segments(String path) {
        return path.split("/", -1);
    }

    /** {@link #match(String)} for a path already split at its slashes. */
    Optional<Map<String, String>> match(String[] got) {
        if (segments.length != got.length) {
            return Optional.empty();
        }
        for (int i = 0; i < segments.length; i++) {
            if (!segments[i].startsWith("{") && !segments[i].equals(got[i])) {
                return Optional.empty();
            }
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].startsWith("{")) {
                if (got[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(segments[i].substring(1, segments[i].length() - 1), decode(got[i]));
            }
        }
        return Optional.of(params);
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed path segment '" + segment + "'");
        }
    }

    @Override
    public String toString() {
        return method + " " + template;
    }
}
