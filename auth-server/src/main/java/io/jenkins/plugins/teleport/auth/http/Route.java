package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** One API endpoint: a method, a path template such as {@code /v1/access-requests/{id}}, and its handler. */
public record Route(String method, String template, Handler handler) {

    /** Turns a call into a reply; throws {@link io.jenkins.plugins.teleport.api.ApiException} to refuse. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Call call);
    }

    /** The path parameters if {@code path} fits the template. */
    public Optional<Map<String, String>> match(String path) {
        String[] want = template.split("/");
        String[] got = path.split("/");
        if (want.length != got.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{")) {
                if (got[i].isEmpty()) {
                    return Optional.empty();
                }
                params.put(want[i].substring(1, want[i].length() - 1), decode(got[i]));
            } else if (!want[i].equals(got[i])) {
                return Optional.empty();
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
}
