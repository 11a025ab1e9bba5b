package io.jenkins.plugins.teleport.auth.web;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The pages as a browser without script sees them: keeps the cookies the server sets (as a browser keeps
 * {@code __Host-} cookies for this origin), sends forms with this origin's {@code Origin} header, and does not follow
 * redirects, so tests see every answer.
 */
final class PageClient {

    /** One answer. */
    record Page(int status, Map<String, List<String>> headers, String body, URI uri) {
        Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase())).flatMap(v -> v.stream().findFirst());
        }

        List<String> setCookies() {
            return headers.getOrDefault("set-cookie", List.of());
        }

        /** The value of the hidden form field {@code name} (the first one on the page). */
        String field(String name) {
            Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(body);
            if (!m.find()) {
                throw new AssertionError("no field " + name + " on " + uri + ":\n" + body);
            }
            return m.group(1);
        }

        /** The text of the element with {@code id}, tags removed. */
        String textOf(String id) {
            Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>(.*?)</").matcher(body);
            if (!m.find()) {
                throw new AssertionError("no element #" + id + " on " + uri + ":\n" + body);
            }
            return m.group(1);
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final List<Page> seen = new ArrayList<>();

    PageClient(URI base, SSLContext tls) {
        this.base = base;
        this.http = HttpClient.newBuilder().sslContext(tls).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    Page get(String path) {
        return get(path, Map.of());
    }

    Page get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
        headers.forEach(b::header);
        return send(b, path);
    }

    /** Posts a form as a page of this server would (same-origin). */
    Page post(String path, Map<String, String> fields) {
        return post(path, fields, Map.of("Origin", origin(), "Sec-Fetch-Site", "same-origin"));
    }

    Page post(String path, Map<String, String> fields, Map<String, String> headers) {
        String body = fields.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded");
        headers.forEach(b::header);
        return send(b, path);
    }

    String origin() {
        return "https://" + base.getHost() + ":" + base.getPort();
    }

    Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }

    void setCookie(String name, String value) {
        cookies.put(name, value);
    }

    /** Every answer this client has had. */
    List<Page> seen() {
        return seen;
    }

    private Page send(HttpRequest.Builder request, String path) {
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            Page page = new Page(r.statusCode(), r.headers().map().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), Map.Entry::getValue)), r.body(), r.uri());
            for (String set : page.setCookies()) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq);
                if (set.contains("Max-Age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, pair.substring(eq + 1));
                }
            }
            seen.add(page);
            return page;
        } catch (IOException e) {
            throw new AssertionError("GET/POST " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
