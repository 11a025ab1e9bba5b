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
import io.jenkins.plugins.teleport.auth.testing.StateSnapshot;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server accepts exactly what openapi.yaml documents (issue 10, finding 4). The test walks the document: for
 * every operation with a JSON body it builds a body from the schema ({@link OpenApiWalk#example}), checks that this
 * body is not refused as malformed, then sends each documented kind of violation, for every property at every depth:
 * <ul>
 *   <li>parse-level ones, which must be a 400 {@code bad_request} whose message names the field: a value of each
 *       wrong JSON type, {@code null}, an enum value with white space, in another case or as a number, an integer
 *       below its {@code minimum} or with a fraction, a missing {@code required} field, an unknown field where
 *       {@code additionalProperties} is false; for the whole body: a duplicate key, invalid UTF-8 in a key, trailing
 *       data, a body that is not an object; and a {@code Content-Type} other than JSON, a 415;</li>
 *   <li>for every documented query parameter: a wrong type, a value outside its bounds or enum, a malformed time
 *       or UUID, each a 400 naming the parameter;</li>
 *   <li>value rules ({@code pattern}, {@code minLength}, {@code maxLength}, {@code minItems}, {@code maxProperties}),
 *       which the services check after who may do what, so they must be refused (4xx, never accepted).</li>
 * </ul>
 * None of them may change anything in the store. The test is driven by the document alone: a field added to a
 * schema is covered without changing it (add a fixture only if its value must name something that exists).
 */
class OpenApiStrictnessTest {

    @TempDir
    static Path dir;

    private static OpenApiWalk walk;

    @BeforeAll
    static void start() throws Exception {
        walk = OpenApiWalk.start(dir);
    }

    @AfterAll
    static void stop() {
        walk.close();
    }

    /** One thing to send and what must come back. */
    private record Violation(String what, byte[] body, String contentType, int status, Optional<String> named, boolean exact) {}

    @TestFactory
    Stream<DynamicTest> everyOperationRefusesEveryDocumentedKindOfViolation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Operation op : walk.operations()) {
            if (op.bodySchema().isPresent()) {
                tests.add(DynamicTest.dynamicTest(op.toString(), () -> check(op, op.bodySchema().get())));
            }
        }
        assertTrue(tests.size() >= 10, "the document has the operations with bodies: " + tests.size());
        return tests.stream();
    }

    /**
     * The documented query parameters too: for each, a value of the wrong type, outside {@code minimum}/{@code maximum},
     * not in its {@code enum}, not a {@code date-time} or not a {@code uuid} is a 400 that names the parameter.
     */
    @TestFactory
    Stream<DynamicTest> everyQueryParameterRefusesEveryDocumentedKindOfViolation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Operation op : walk.operations()) {
            walk.queryParameters(op).forEach((name, schema) -> {
                List<String> bad = badQueryValues(schema);
                if (!bad.isEmpty()) {
                    tests.add(DynamicTest.dynamicTest(op + "?" + name, () -> checkQuery(op, name, bad)));
                }
            });
        }
        assertTrue(tests.size() >= 4, "the document has query parameters with rules: " + tests.size());
        return tests.stream();
    }

    private static final List<String> OUT_OF_RFC_3339 = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
            "+12026-01-01T00:00:00Z");

    private static List<String> badQueryValues(JsonNode schema) {
        List<String> bad = new ArrayList<>();
        if (schema.has("enum")) {
            bad.addAll(List.of("NOPE", schema.path("enum").get(0).asText() + " ", "0"));
        }
        switch (schema.path("type").asText()) {
            case "integer" -> {
                bad.addAll(List.of("abc", "1.5", "99999999999999", "true"));
                if (schema.has("minimum")) {
                    bad.add(Long.toString(schema.path("minimum").asLong() - 1));
                }
                if (schema.has("maximum")) {
                    bad.add(Long.toString(schema.path("maximum").asLong() + 1));
                }
            }
            case "string" -> {
                switch (schema.path("format").asText()) {
                    case "date-time" -> {
                        bad.addAll(List.of("yesterday", "2026-13-45T99:00:00Z", "1700000000", "2026-11-21"));
                        bad.addAll(OUT_OF_RFC_3339);
                    }
                    case "uuid" -> bad.addAll(List.of("not-a-uuid", "0b9c5c3e6a554f0e9a533d6f0e2f4d1a", "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a-x"));
                    default -> { }
                }
            }
            default -> { }
        }
        return bad;
    }

    private void checkQuery(Operation op, String name, List<String> bad) throws Exception {
        StateSnapshot before = StateSnapshot.of(walk.cluster.server().store());
        List<String> failures = new ArrayList<>();
        for (String value : bad) {
            String query = "?" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
            Answer a = send(op, walk.path(op, true) + query, null, null);
            if (a.status() != 400 || !a.code().equals("bad_request") || !a.message().contains(name)) {
                failures.add(name + "=" + value + " -> " + a);
            }
        }
        assertEquals(List.of(), failures, op + ": " + failures.size() + " of " + bad.size() + " values were not refused");
        assertEquals(before, StateSnapshot.of(walk.cluster.server().store()), op + ": a refused call changed the store");
    }

    private void check(Operation op, JsonNode schema) throws Exception {
        String path = walk.path(op, true);
        JsonNode base = walk.example(schema);
        Answer control = send(op, path, bytes(base), "application/json");
        assertTrue(control.status() < 500 && !control.code().equals("bad_request") && !control.code().equals("unsupported_media_type"),
                op + ": the body built from the schema is not malformed: " + base + " -> " + control);

        StateSnapshot before = StateSnapshot.of(walk.cluster.server().store());
        List<Violation> violations = new ArrayList<>();
        violations(schema, base, List.of(), base, violations);
        bodyViolations(op, base, violations);
        List<String> failures = new ArrayList<>();
        for (Violation v : violations) {
            Answer a = send(op, path, v.body(), v.contentType());
            boolean ok = v.exact()
                    ? a.status() == v.status() && v.named().map(n -> a.message().contains(n)).orElse(true)
                    : a.status() >= 400 && a.status() < 500;
            if (!ok) {
                failures.add(v.what() + " -> " + a);
            }
        }
        assertEquals(List.of(), failures, op + ": " + failures.size() + " of " + violations.size() + " violations were not refused as documented");
        assertEquals(before, StateSnapshot.of(walk.cluster.server().store()), op + ": a refused call changed the store");
        assertTrue(violations.size() > 10, op + " has violations to send");
    }

    private record Answer(int status, String code, String message) {}

    private static Answer send(Operation op, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(walk.cluster.server().url() + path)).timeout(Duration.ofSeconds(30))
                .method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        HttpResponse<String> r = (op.open() ? walk.anonymous : walk.admin).send(req.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? NODES.objectNode() : Json.mapper().readTree(r.body());
        return new Answer(r.statusCode(), json.path("code").asText(), json.path("message").asText());
    }

    // ---- the violations -----------------------------------------------------------------------------------

    private static void violations(JsonNode raw, JsonNode value, List<String> at, JsonNode root, List<Violation> out) {
        JsonNode s = walk.resolve(raw);
        String here = String.join(".", at);
        String field = at.isEmpty() ? "" : at.get(at.size() - 1).replace("[]", "");
        if (!at.isEmpty()) {
            for (JsonNode wrong : wrongTypes(walk.type(s))) {
                out.add(field(root, at, wrong, "type " + wrong.getNodeType() + " at " + here, field));
            }
            out.add(field(root, at, NODES.nullNode(), "null at " + here, field));
        }
        if (s.has("enum") && value.isTextual()) {
            String v = value.asText();
            String otherCase = v.equals(v.toUpperCase()) ? v.toLowerCase() : v.toUpperCase();
            for (JsonNode wrong : List.of(NODES.textNode(v + " "), NODES.textNode(" " + v), NODES.textNode(otherCase), NODES.numberNode(0))) {
                out.add(field(root, at, wrong, "enum value " + wrong + " at " + here, field));
            }
        }
        switch (walk.type(s)) {
            case "object" -> {
                if (s.path("additionalProperties").isBoolean() && !s.path("additionalProperties").asBoolean()) {
                    ObjectNode extra = ((ObjectNode) value).deepCopy();
                    extra.put("unexpected_field", 1);
                    out.add(field(root, at, extra, "unknown field at " + (here.isEmpty() ? "the top" : here), "unexpected_field"));
                }
                s.path("required").forEach(r -> {
                    ObjectNode without = ((ObjectNode) value).deepCopy();
                    without.remove(r.asText());
                    out.add(field(root, at, without, "missing required " + r.asText() + " at " + (here.isEmpty() ? "the top" : here),
                            r.asText()));
                });
                if (s.has("maxProperties")) {
                    ObjectNode many = NODES.objectNode();
                    for (int i = 0; i <= s.path("maxProperties").asInt(); i++) {
                        many.put("key_" + i, "v");
                    }
                    out.add(rule(root, at, many, "more than maxProperties at " + here));
                }
                if (s.path("propertyNames").has("pattern")) {
                    out.add(rule(root, at, NODES.objectNode().put("Not A Name!", "v"), "property name against its pattern at " + here));
                }
                s.path("properties").fields().forEachRemaining(p -> {
                    List<String> next = new ArrayList<>(at);
                    next.add(p.getKey());
                    if (value.has(p.getKey())) {
                        violations(p.getValue(), value.get(p.getKey()), next, root, out);
                    }
                });
            }
            case "array" -> {
                if (s.has("minItems")) {
                    out.add(rule(root, at, NODES.arrayNode(), "fewer than minItems at " + here));
                }
                if (!value.isEmpty()) {
                    List<String> next = new ArrayList<>(at);
                    next.set(next.size() - 1, next.get(next.size() - 1) + "[]");
                    violations(s.path("items"), value.get(0), next, root, out);
                }
            }
            case "integer" -> {
                if (s.has("minimum")) {
                    out.add(field(root, at, NODES.numberNode(s.path("minimum").asLong() - 1), "below minimum at " + here, field));
                }
            }
            case "string" -> {
                if (s.has("pattern") && !s.has("enum")) {
                    out.add(rule(root, at, NODES.textNode("!! not@this pattern ~~"), "against pattern at " + here));
                }
                if (s.has("minLength")) {
                    out.add(rule(root, at, NODES.textNode(""), "shorter than minLength at " + here));
                }
                if (s.has("maxLength")) {
                    out.add(rule(root, at, NODES.textNode("y".repeat(s.path("maxLength").asInt() + 1)), "longer than maxLength at " + here));
                }
                if (s.path("format").asText().equals("date-time")) {
                    // RFC 3339 has four-digit years only (java.time would read these, and overflow the store's milliseconds).
                    for (String time : OUT_OF_RFC_3339) {
                        out.add(field(root, at, NODES.textNode(time), "year beyond four digits " + time + " at " + here, field));
                    }
                }
            }
            default -> { }
        }
    }

    private static List<JsonNode> wrongTypes(String type) {
        List<JsonNode> all = List.of(NODES.textNode("text"), NODES.numberNode(12), NODES.numberNode(1.5), NODES.booleanNode(true),
                NODES.objectNode(), NODES.arrayNode());
        return all.stream().filter(v -> switch (type) {
            case "string" -> !v.isTextual();
            case "integer" -> !v.isIntegralNumber();
            case "boolean" -> !v.isBoolean();
            case "array" -> !v.isArray();
            case "object" -> !v.isObject();
            default -> false;
        }).toList();
    }

    private static Violation field(JsonNode root, List<String> at, JsonNode replacement, String what, String named) {
        return new Violation(what, bytes(replace(root, at, replacement)), "application/json", 400, Optional.of(named), true);
    }

    private static Violation rule(JsonNode root, List<String> at, JsonNode replacement, String what) {
        return new Violation(what, bytes(replace(root, at, replacement)), "application/json", 400, Optional.empty(), false);
    }

    /** A copy of {@code root} with the value at {@code at} ("a.b[].c": the first item of b) replaced. */
    private static JsonNode replace(JsonNode root, List<String> at, JsonNode replacement) {
        if (at.isEmpty()) {
            return replacement;
        }
        JsonNode copy = root.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < at.size(); i++) {
            String step = at.get(i);
            boolean item = step.endsWith("[]");
            String name = item ? step.substring(0, step.length() - 2) : step;
            boolean last = i == at.size() - 1;
            if (last && !item) {
                ((ObjectNode) parent).set(name, replacement);
            } else if (last) {
                ((ArrayNode) parent.get(name)).set(0, replacement);
            } else {
                parent = item ? parent.get(name).get(0) : parent.get(name);
            }
        }
        return copy;
    }

    private static void bodyViolations(Operation op, JsonNode base, List<Violation> out) {
        String json = new String(bytes(base), StandardCharsets.UTF_8);
        String first = base.fieldNames().next();
        String duplicated = "{\"" + first + "\":" + base.get(first) + "," + json.substring(1);
        out.add(new Violation("duplicate key " + first, duplicated.getBytes(StandardCharsets.UTF_8), "application/json", 400,
                Optional.of(first), true));
        byte[] badKey = ("{\"" + first + "\u00ff\":1," + json.substring(1)).getBytes(StandardCharsets.ISO_8859_1);
        out.add(new Violation("invalid UTF-8 in a key", badKey, "application/json", 400, Optional.of("UTF-8"), true));
        out.add(new Violation("trailing data", (json + " {}").getBytes(StandardCharsets.UTF_8), "application/json", 400,
                Optional.empty(), true));
        for (String notObject : List.of("[]", "\"text\"", "12", "null", "{")) {
            out.add(new Violation("body " + notObject, notObject.getBytes(StandardCharsets.UTF_8), "application/json", 400,
                    Optional.empty(), true));
        }
        if (op.bodyRequired()) {
            out.add(new Violation("empty body", new byte[0], "application/json", 400, Optional.empty(), true));
        }
        // Only UTF-8 (RFC 8259): the same body in another encoding, whose zero bytes are valid UTF-8 and which Jackson
        // would detect and read, or after a byte order mark.
        for (String encoding : List.of("UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE")) {
            out.add(new Violation("the body in " + encoding, json.getBytes(java.nio.charset.Charset.forName(encoding)),
                    "application/json", 400, Optional.empty(), true));
        }
        out.add(new Violation("a byte order mark", ("\uFEFF" + json).getBytes(StandardCharsets.UTF_8), "application/json", 400,
                Optional.of("byte order mark"), true));
        for (String type : List.of("application/jsonx", "text/plain", "application/json; charset=iso-8859-1", "application/x-www-form-urlencoded")) {
            out.add(new Violation("Content-Type " + type, bytes(base), type, 415, Optional.empty(), true));
        }
    }

}
