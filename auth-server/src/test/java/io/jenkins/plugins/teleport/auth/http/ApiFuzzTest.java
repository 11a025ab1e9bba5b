package io.jenkins.plugins.teleport.auth.http;

import static io.jenkins.plugins.teleport.auth.http.OpenApiWalk.NODES;
import static io.jenkins.plugins.teleport.auth.http.OpenApiWalk.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.http.OpenApiWalk.Operation;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.RawHttps;
import io.jenkins.plugins.teleport.auth.testing.StateSnapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No input gets a 5xx, and malformed input changes nothing (issue 10, finding 3 and the fuzzer's 22,000 requests).
 * Over every operation of openapi.yaml, with a fixed seed: bodies made malformed by construction (truncated, an
 * invalid UTF-8 byte, an unknown field, a duplicate key, a null or a value of another JSON type at a random depth,
 * NUL and lone surrogates in strings, deep nesting, huge numbers, non-JSON, another content type, too large),
 * garbage path parameters, queries and methods, and malformed HTTP on raw connections. Every answer must be below
 * 500 and, when it is a refusal, have the error shape; the store must be the same afterwards.
 */
class ApiFuzzTest {

    private static final List<String> BAD_SEGMENTS = List.of("%00", "%zz", "%C0%AF", "%2e%2e", "..", "%2F", "x".repeat(3000),
            "%E2%80%AE", "%F0%9F%92%A9", "a%20b", "%", "-", "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a", "%FF%FE", "null", "%0A",
            "'%20OR%201=1", "*");
    private static final List<String> BAD_QUERIES = List.of("limit=abc", "limit=-1", "limit=0", "limit=99999999999999",
            "from=yesterday", "to=2026-13-45T99:00:00Z", "state=NOPE", "state=", "bot=%zz", "request_id=%00", "%zz=1",
            "format=pem&format=der", "limit=1.5", "from=1700000000", "a=" + "b".repeat(4000), "=&&=", "state=pending%00");

    @TempDir
    static Path dir;

    private static OpenApiWalk walk;
    private final Random random = new Random(20261121);
    private final List<String> failures = new ArrayList<>();
    private final Map<Integer, Integer> statuses = new TreeMap<>();
    private int sent;

    @BeforeAll
    static void start() throws Exception {
        walk = OpenApiWalk.start(dir);
    }

    @AfterAll
    static void stop() {
        walk.close();
    }

    @Test
    void malformedRequestsOverEveryEndpointGetNoFiveHundredAndChangeNothing() throws Exception {
        List<Operation> ops = walk.operations();
        assertTrue(ops.size() >= 30, "every operation of the document: " + ops.size());
        StateSnapshot before = StateSnapshot.of(walk.cluster.server().store());
        for (Operation op : ops) {
            if (op.bodySchema().isPresent()) {
                // A well-formed body with every documented field, so that mutations at depth reach each of them.
                JsonNode base = walk.example(op.bodySchema().get());
                for (int i = 0; i < 330; i++) {
                    Mutation m = mutate(base);
                    send(op, walk.path(op, random.nextInt(4) == 0), m.body(), m.contentType(), m.what());
                }
            } else if (op.method().equals("GET")) {
                // Bodiless calls that change state (DELETE, the OIDC key rotation) take no input a query could spoil.
                for (String query : BAD_QUERIES) {
                    send(op, walk.path(op, true) + "?" + query, null, null, "query " + query);
                }
            }
            for (String segment : BAD_SEGMENTS) {
                if (op.template().contains("{")) {
                    send(op, op.template().replaceAll("\\{[^}]+}", segment), op.bodySchema().isPresent() ? "{\"x\"".getBytes() : null,
                            "application/json", "path segment " + segment);
                }
            }
            for (String method : List.of("PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "PROPFIND", "get")) {
                send(new Operation(method, op.template(), Optional.empty(), false, op.open()), walk.path(op, true), "{}".getBytes(),
                        "application/json", "method " + method);
            }
        }
        int raw = rawHttp();
        System.out.printf("fuzz: %d requests over %d operations and %d raw HTTP messages; statuses %s%n", sent, ops.size(), raw, statuses);
        assertTrue(sent + raw >= 5000, "at least 5,000 malformed requests: " + (sent + raw));
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " failures");
        assertEquals(before, StateSnapshot.of(walk.cluster.server().store()), "malformed requests changed the store");
    }

    /** The inputs: a malformed key is a 400 naming the field, on each endpoint that takes one. */
    @Test
    void malformedKeysAreABadRequestNamingTheField() throws Exception {
        String good = Pem.encode(CertificateAuthority.newKeyPair().getPublic());
        BotKeys keys = BotKeys.generate();
        List<String> bad = List.of("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", good + "junk", good + good, "", "junk");
        StateSnapshot before = StateSnapshot.of(walk.cluster.server().store());
        for (String key : bad) {
            expectBadKey(walk.anonymous, "/v1/join", Map.of("token", "0".repeat(64), "public_key", key), "public_key");
            expectBadKey(walk.admin, "/v1/users/alice/certs", Map.of("public_key", key), "public_key");
            expectBadKey(walk.bot, "/v1/certs", Map.of("access_request_id", walk.requestId, "ssh_public_key", keys.sshPublicKey(),
                    "tls_public_key", key), "tls_public_key");
            expectBadKey(walk.bot, "/v1/certs", Map.of("access_request_id", walk.requestId, "ssh_public_key", key.replace("PUBLIC KEY", "ssh"),
                    "tls_public_key", Pem.encode(keys.tls().getPublic())), "ssh_public_key");
        }
        assertEquals(before, StateSnapshot.of(walk.cluster.server().store()));
    }

    private void expectBadKey(HttpClient client, String path, Map<String, String> body, String field) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(walk.cluster.server().url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.mapper().writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = Json.mapper().readTree(r.body());
        assertEquals(400, r.statusCode(), path + " " + body + " -> " + r.body());
        assertEquals("bad_request", json.path("code").asText());
        assertTrue(json.path("message").asText().contains(field), path + ": " + r.body());
    }


    private void send(Operation op, String path, byte[] body, String contentType, String what) {
        HttpClient client = op.open() ? walk.anonymous : random.nextInt(8) == 0 ? walk.bot : walk.admin;
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(walk.cluster.server().url() + path)).timeout(Duration.ofSeconds(30))
                    .method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (contentType != null) {
                req.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            sent++;
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() >= 200 && r.statusCode() < 300 && !op.method().equals("GET") && !op.method().equals("HEAD")) {
                failures.add(op.method() + " " + path + " (" + what + ") was accepted: " + r.statusCode() + " "
                        + new String(r.body(), StandardCharsets.UTF_8) + " for " + (body == null ? "" : new String(body, StandardCharsets.UTF_8)));
            } else if (r.statusCode() >= 500) {
                failures.add(op.method() + " " + path + " (" + what + ") -> " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
            } else if (r.statusCode() >= 400 && !op.method().equals("HEAD")) {
                JsonNode error = Json.mapper().readTree(r.body());
                if (error.path("code").asText().isEmpty() || error.path("message").asText().isEmpty()) {
                    failures.add(op.method() + " " + path + " (" + what + ") -> " + r.statusCode() + " not in the error shape");
                }
            }
        } catch (IllegalArgumentException e) {
            // the JDK client refuses to send this (e.g. an illegal character in the URI): nothing reached the server
        } catch (IOException e) {
            if (body == null || body.length <= (1 << 20)) {
                failures.add(op.method() + " " + path + " (" + what + ") -> no answer: " + e);
            }
            sent++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Mutation(String what, byte[] body, String contentType) {}

    /** A body that is malformed whatever the base: each kind breaks a rule the server enforces. */
    private Mutation mutate(JsonNode base) {
        byte[] json = bytes(base);
        int kind = random.nextInt(14);
        return switch (kind) {
            case 0 -> new Mutation("truncated", java.util.Arrays.copyOf(json, 1 + random.nextInt(Math.max(1, json.length - 1))), "application/json");
            case 1 -> {
                byte[] out = new byte[json.length + 1];
                int at = random.nextInt(json.length + 1);
                System.arraycopy(json, 0, out, 0, at);
                out[at] = (byte) List.of(0x80, 0xC0, 0xFF, 0xFE, 0xC3).get(random.nextInt(5)).intValue();
                System.arraycopy(json, at, out, at + 1, json.length - at);
                yield new Mutation("invalid UTF-8 byte", out, "application/json");
            }
            case 2 -> {
                ObjectNode withExtra = NODES.objectNode().put("zz_unknown_" + random.nextInt(1000), random.nextInt());
                base.fields().forEachRemaining(f -> withExtra.set(f.getKey(), f.getValue()));
                yield new Mutation("unknown field", bytes(withExtra), "application/json");
            }
            case 3 -> {
                String text = new String(json, StandardCharsets.UTF_8);
                String first = base.fieldNames().hasNext() ? base.fieldNames().next() : "a";
                String dup = "{\"" + first + "\":" + base.path(first) + (text.length() > 2 ? "," + text.substring(1) : "}");
                yield new Mutation("duplicate key", dup.getBytes(StandardCharsets.UTF_8), "application/json");
            }
            case 4 -> new Mutation("null at depth", bytes(replaceRandomLeaf(base, leaf -> NODES.nullNode())), "application/json");
            case 5 -> new Mutation("other JSON type at depth", bytes(replaceRandomLeaf(base, ApiFuzzTest::otherType)), "application/json");
            case 6 -> new Mutation("NUL or lone surrogate", new String(bytes(replaceRandomLeaf(base, leaf -> NODES.textNode("x\u0000y"))),
                    StandardCharsets.UTF_8).replace("\\u0000", random.nextBoolean() ? "\\u0000" : "\\ud800").getBytes(StandardCharsets.UTF_8),
                    "application/json");
            case 7 -> new Mutation("deep nesting", ("{\"a\":" + "[".repeat(2000 + random.nextInt(3000))).getBytes(), "application/json");
            case 8 -> new Mutation("huge number", ("{\"" + first(base) + "\":" + "9".repeat(2000) + "}").getBytes(), "application/json");
            case 9 -> new Mutation("not JSON", List.of("{'a': 1}", "{\"a\":NaN}", "{\"a\":1,}", "/* c */ {}", "{\"a\" 1}", "\u0000",
                    "<xml/>", "{\"a\":\"\\x41\"}", "{\"a\":01}", "tru", "{}}").get(random.nextInt(11)).getBytes(StandardCharsets.UTF_8),
                    "application/json");
            case 10 -> {
                byte[] noise = new byte[1 + random.nextInt(512)];
                random.nextBytes(noise);
                noise[0] = '{';
                yield new Mutation("random bytes", noise, "application/json");
            }
            case 11 -> new Mutation("other content type", json, List.of("text/plain", "application/jsonx", "application/xml",
                    "multipart/form-data; boundary=x", "application/json; charset=utf-16", "*/*", "application/json;;").get(random.nextInt(7)));
            case 12 -> new Mutation("too large", ("{\"a\":\"" + "x".repeat((1 << 20) + 10) + "\"}").getBytes(), "application/json");
            default -> new Mutation("not an object", List.of("[]", "\"s\"", "12", "null", "true", "[" + new String(json, StandardCharsets.UTF_8) + "]")
                    .get(random.nextInt(6)).getBytes(StandardCharsets.UTF_8), "application/json");
        };
    }

    private static String first(JsonNode base) {
        return base.fieldNames().hasNext() ? base.fieldNames().next() : "a";
    }

    private static JsonNode otherType(JsonNode leaf) {
        if (leaf.isTextual()) {
            return NODES.numberNode(7);
        }
        if (leaf.isNumber()) {
            return NODES.textNode("7");
        }
        if (leaf.isBoolean()) {
            return NODES.numberNode(1);
        }
        return NODES.booleanNode(true);
    }

    /** A copy of {@code base} with one random leaf (or empty container) replaced; the base itself if it has none. */
    private JsonNode replaceRandomLeaf(JsonNode base, Function<JsonNode, JsonNode> replace) {
        JsonNode copy = base.deepCopy();
        List<Runnable> setters = new ArrayList<>();
        collect(copy, replace, setters);
        if (setters.isEmpty()) {
            return NODES.objectNode().putNull("a");
        }
        setters.get(random.nextInt(setters.size())).run();
        return copy;
    }

    private static void collect(JsonNode node, Function<JsonNode, JsonNode> replace, List<Runnable> setters) {
        if (node instanceof ObjectNode o) {
            o.fields().forEachRemaining(f -> {
                if (f.getValue().isContainerNode() && !f.getValue().isEmpty()) {
                    collect(f.getValue(), replace, setters);
                } else {
                    setters.add(() -> o.set(f.getKey(), replace.apply(f.getValue())));
                }
            });
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                int at = i;
                if (a.get(i).isContainerNode() && !a.get(i).isEmpty()) {
                    collect(a.get(i), replace, setters);
                } else {
                    setters.add(() -> a.set(at, replace.apply(a.get(at))));
                }
            }
        }
    }



    /** Malformed HTTP on raw connections: every answer that comes is below 500. Returns how many were sent. */
    private int rawHttp() throws IOException {
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", walk.cluster.server().port());
        List<String> messages = new ArrayList<>();
        for (String path : List.of("/v1/join", "/v1/roles", "/v1/ping", "/v1/certs", "/metrics")) {
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{\"a\":1}");
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
            messages.add("GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Bad\u0001: y\r\n\r\n");
            messages.add("GET " + path + " HTTP/1.1\r\n" + "X: y\r\n".repeat(2000) + "\r\n");
            messages.add("GET " + path + "?" + "q".repeat(20000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            messages.add("GET " + path + " HTTP/1.0\r\n\r\n");
            messages.add("GET " + path + " HTTP/9.9\r\nHost: x\r\n\r\n");
            messages.add("GET  " + path + "  HTTP/1.1\r\nHost: x\r\n\r\n");
            messages.add("GET " + path + " HTTP/1.1\nHost: x\n\n");
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}");
            messages.add("POST " + path + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}");
            messages.add("CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n");
            messages.add("GET http://evil.example" + path + " HTTP/1.1\r\nHost: evil.example\r\n\r\n");
            messages.add("GET " + path + " HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n");
            messages.add("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        }
        byte[] noise = new byte[256];
        for (int i = 0; i < 60; i++) {
            random.nextBytes(noise);
            messages.add(new String(noise, StandardCharsets.ISO_8859_1) + "\r\n\r\n");
        }
        int count = 0;
        for (String message : messages) {
            try (RawHttps c = RawHttps.open(walk.cluster.anonymousTls(), at, 10_000)) {
                c.send(message.getBytes(StandardCharsets.ISO_8859_1));
                count++;
                RawHttps.Answer a = c.read();
                statuses.merge(a.status(), 1, Integer::sum);
                if (a.status() >= 500) {
                    failures.add("raw " + message.lines().findFirst().orElse("") + " -> " + a);
                }
            } catch (IOException e) {
                // the server may close a connection it cannot make sense of without answering
            }
        }
        return count;
    }
}
