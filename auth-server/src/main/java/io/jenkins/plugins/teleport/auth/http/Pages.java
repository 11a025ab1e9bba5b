package io.jenkins.plugins.teleport.auth.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What serves the paths outside the API (the web pages, under {@code /web/} and {@code /}), on the API's transport and
 * with its limits, but not through its route table: the route table and openapi.yaml stay the API's.
 */
public interface Pages {

    /** Whether a request for {@code path} is a page's (else it goes to the API). */
    boolean serves(String path);

    /** Answers one request; the body has been read whole. */
    Reply handle(Request request);

    /** {@code path} as the log may show it: without the secrets some paths carry (an invite link's token). */
    String loggable(String path);

    /**
     * One request as a page sees it: {@code headers} by lower-case name (several values joined as HTTP joins them,
     * cookies with "; "), {@code secure} when it came over TLS, {@code remoteAddress} the client's IP address.
     */
    record Request(String method, String path, String query, Map<String, String> headers, byte[] body, String remoteAddress) {

        public Request {
            headers = Map.copyOf(headers);
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    /** An answer: status, content type, extra headers (name, value pairs, in order) and body. */
    record Reply(int status, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {

        public Reply {
            headers = List.copyOf(headers);
        }
    }
}
