package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.StateSnapshot;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server accepts exactly what openapi.yaml documents (issue 10, finding 4). The test walks the document: for
 * every operation with a JSON body it builds a body from the schema (type-correct values; a few fields that must
 * name real things come from {@link #FIXTURES}), checks that this body is not refused as malformed, then sends each
 * documented kind of violation, for every property at every depth:
 * <ul>
 *   <li>parse-level ones, which must be a 400 {@code bad_request} whose message names the field: a value of each
 *       wrong JSON type, {@code null}, an enum value with white space, in another case or as a number, an integer
 *       below its {@code minimum} or with a fraction, a missing {@code required} field, an unknown field where
 *       {@code additionalProperties} is false; for the whole body: a duplicate key, invalid UTF-8 in a key, trailing
 *       data, a body that is not an object; and a {@code Content-Type} other than JSON, a 415;</li>
 *   <li>value rules ({@code pattern}, {@code minLength}, {@code maxLength}, {@code minItems}, {@code maxProperties}),
 *       which the services check after who may do what, so they must be refused (4xx, never accepted).</li>
 * </ul>
 * None of them may change anything in the store. The test is driven by the document alone: a field added to a
 * schema is covered without changing it (add a fixture only if its value must name something that exists).
 */
class OpenApiStrictnessTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Values for fields that must be real for the body to be well-formed (by dotted path, or by field name). */
    private static final Map<String, JsonNode> FIXTURES = new LinkedHashMap<>();

    @TempDir
    static Path dir;

    private static TestCluster cluster;
    private static JsonNode document;
    private static HttpClient admin;
    private static HttpClient anonymous;
    private static String requestId;

    @BeforeAll
    static void start() throws Exception {
        document = OpenApiDocumentTest.document();
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        TestClient.Response created = cluster.user("alice").post("/v1/access-requests",
                new CreateAccessRequest("jenkins-deploy", List.of("deploy"), "strictness", Optional.empty(), Optional.empty(), false));
        assertEquals(201, created.status(), created.toString());
        requestId = created.json().path("metadata").path("name").asText();
        admin = http(cluster.adminIdentity().sslContext());
        anonymous = http(cluster.anonymousTls());

        BotKeys keys = BotKeys.generate();
        FIXTURES.put("metadata.name", NODES.textNode("strict-probe"));
        FIXTURES.put("bot", NODES.textNode("jenkins-deploy"));
        FIXTURES.put("bot_name", NODES.textNode("jenkins-deploy"));
        FIXTURES.put("roles", NODES.arrayNode().add("deploy"));
        FIXTURES.put("access_request_id", NODES.textNode(requestId));
        FIXTURES.put("access_request", NODES.textNode(requestId));
        FIXTURES.put("public_key", NODES.textNode(Pem.encode(CertificateAuthority.newKeyPair().getPublic())));
        FIXTURES.put("tls_public_key", NODES.textNode(Pem.encode(keys.tls().getPublic())));
        FIXTURES.put("ssh_public_key", NODES.textNode(keys.sshPublicKey()));
        FIXTURES.put("token", NODES.textNode("0".repeat(64)));
        FIXTURES.put("serial", NODES.textNode("abc123"));
        FIXTURES.put("usage", NODES.objectNode().put("ci_system", "jenkins"));
        FIXTURES.put("labels", NODES.objectNode().put("team", "ci"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static HttpClient http(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** One operation of the document that takes a JSON body. */
    private record Operation(String method, String path, JsonNode schema, boolean bodyRequired, boolean anonymous) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** One thing to send and what must come back. */
    private record Violation(String what, byte[] body, String contentType, int status, Optional<String> named, boolean exact) {}

    @TestFactory
    Stream<DynamicTest> everyOperationRefusesEveryDocumentedKindOfViolation() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Operation op : operations()) {
            tests.add(DynamicTest.dynamicTest(op.toString(), () -> check(op)));
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
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                for (JsonNode parameter : m.getValue().path("parameters")) {
                    List<String> bad = badQueryValues(resolve(parameter.path("schema")));
                    if (parameter.path("in").asText().equals("query") && !bad.isEmpty()) {
                        String name = parameter.path("name").asText();
                        boolean open = m.getValue().path("security").isArray() && m.getValue().path("security").isEmpty();
                        Operation op = new Operation(m.getKey().toUpperCase(), path.getKey(), NODES.objectNode(), false, open);
                        tests.add(DynamicTest.dynamicTest(op + "?" + name, () -> checkQuery(op, name, bad)));
                    }
                }
            }
        }
        assertTrue(tests.size() >= 4, "the document has query parameters with rules: " + tests.size());
        return tests.stream();
    }

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
                    case "date-time" -> bad.addAll(List.of("yesterday", "2026-13-45T99:00:00Z", "1700000000", "2026-11-21"));
                    case "uuid" -> bad.addAll(List.of("not-a-uuid", "0b9c5c3e6a554f0e9a533d6f0e2f4d1a", "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a-x"));
                    default -> { }
                }
            }
            default -> { }
        }
        return bad;
    }

    private void checkQuery(Operation op, String name, List<String> bad) throws Exception {
        StateSnapshot before = StateSnapshot.of(cluster.server().store());
        List<String> failures = new ArrayList<>();
        for (String value : bad) {
            String query = "?" + name + "=" + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
            Answer a = send(op, op.path() + query, null, null);
            if (a.status() != 400 || !a.code().equals("bad_request") || !a.message().contains(name)) {
                failures.add(name + "=" + value + " -> " + a);
            }
        }
        assertEquals(List.of(), failures, op + ": " + failures.size() + " of " + bad.size() + " values were not refused");
        assertEquals(before, StateSnapshot.of(cluster.server().store()), op + ": a refused call changed the store");
    }

    private static List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                JsonNode body = m.getValue().path("requestBody");
                JsonNode schema = body.path("content").path("application/json").path("schema");
                if (!schema.isMissingNode()) {
                    boolean open = m.getValue().path("security").isArray() && m.getValue().path("security").isEmpty();
                    out.add(new Operation(m.getKey().toUpperCase(), path.getKey(), schema, body.path("required").asBoolean(false), open));
                }
            }
        }
        return out;
    }

    private void check(Operation op) throws Exception {
        String path = op.path().replace("{id}", requestId)
                .replace("/v1/users/{name}/certs", "/v1/users/alice/certs").replace("{name}", "strict-probe");
        JsonNode base = example(op.schema(), "");
        Answer control = send(op, path, Json.mapper().writeValueAsBytes(base), "application/json");
        assertTrue(control.status() < 500 && !control.code().equals("bad_request") && !control.code().equals("unsupported_media_type"),
                op + ": the body built from the schema is not malformed: " + base + " -> " + control);

        StateSnapshot before = StateSnapshot.of(cluster.server().store());
        List<Violation> violations = new ArrayList<>();
        violations(op.schema(), base, List.of(), base, violations);
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
        assertEquals(before, StateSnapshot.of(cluster.server().store()), op + ": a refused call changed the store");
        assertTrue(violations.size() > 10, op + " has violations to send");
    }

    private record Answer(int status, String code, String message) {}

    private static Answer send(Operation op, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(cluster.server().url() + path)).timeout(Duration.ofSeconds(30))
                .method(op.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        HttpResponse<String> r = (op.anonymous() ? anonymous : admin).send(req.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? NODES.objectNode() : Json.mapper().readTree(r.body());
        return new Answer(r.statusCode(), json.path("code").asText(), json.path("message").asText());
    }

    // ---- the schema, resolved -------------------------------------------------------------------------------

    /** A schema with its $ref followed and its allOf parts merged. */
    private static JsonNode resolve(JsonNode schema) {
        if (schema.has("$ref")) {
            String[] parts = schema.path("$ref").asText().substring(2).split("/");
            JsonNode target = document;
            for (String part : parts) {
                target = target.path(part);
            }
            ObjectNode merged = ((ObjectNode) resolve(target)).deepCopy();
            schema.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("$ref")) {
                    merged.set(f.getKey(), f.getValue());
                }
            });
            return merged;
        }
        if (schema.has("allOf")) {
            ObjectNode merged = NODES.objectNode();
            ObjectNode properties = NODES.objectNode();
            ArrayNode required = NODES.arrayNode();
            List<JsonNode> parts = new ArrayList<>();
            schema.path("allOf").forEach(p -> parts.add(resolve(p)));
            parts.add(schema);
            for (JsonNode part : parts) {
                part.fields().forEachRemaining(f -> {
                    switch (f.getKey()) {
                        case "allOf" -> { }
                        case "properties" -> f.getValue().fields().forEachRemaining(p -> properties.set(p.getKey(),
                                properties.has(p.getKey()) ? mergeInto(properties.get(p.getKey()), p.getValue()) : p.getValue()));
                        case "required" -> f.getValue().forEach(required::add);
                        default -> merged.set(f.getKey(), f.getValue());
                    }
                });
            }
            if (!properties.isEmpty()) {
                merged.set("properties", properties);
            }
            if (!required.isEmpty()) {
                merged.set("required", required);
            }
            return merged;
        }
        return schema;
    }

    private static JsonNode mergeInto(JsonNode a, JsonNode b) {
        ObjectNode both = NODES.objectNode();
        both.set("allOf", NODES.arrayNode().add(a).add(b));
        return both;
    }

    private static String type(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.has("type")) {
            return s.path("type").asText();
        }
        return s.has("properties") || s.has("additionalProperties") ? "object" : "any";
    }

    /** A type-correct value for {@code schema} at {@code path}, fixtures first. */
    private static JsonNode example(JsonNode raw, String path) {
        String name = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
        if (FIXTURES.containsKey(path)) {
            return FIXTURES.get(path).deepCopy();
        }
        if (FIXTURES.containsKey(name) && !path.equals("metadata.name")) {
            return FIXTURES.get(name).deepCopy();
        }
        JsonNode s = resolve(raw);
        if (s.has("enum")) {
            return s.path("enum").get(0);
        }
        return switch (type(s)) {
            case "object" -> {
                ObjectNode o = NODES.objectNode();
                s.path("properties").fields().forEachRemaining(p ->
                        o.set(p.getKey(), example(p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey())));
                if (o.isEmpty() && s.path("additionalProperties").isObject()) {
                    o.set("k", example(s.path("additionalProperties"), path + ".k"));
                }
                yield o;
            }
            case "array" -> NODES.arrayNode().add(example(s.path("items"), path + "[]"));
            case "integer" -> NODES.numberNode(s.path("minimum").asLong(0));
            case "boolean" -> NODES.booleanNode(false);
            case "string" -> {
                if ("date-time".equals(s.path("format").asText())) {
                    yield NODES.textNode("2099-01-01T00:00:00Z");
                }
                if (s.path("examples").isArray() && !s.path("examples").isEmpty()) {
                    yield s.path("examples").get(0);
                }
                yield NODES.textNode("x");
            }
            default -> NODES.textNode("x");
        };
    }

    // ---- the violations -----------------------------------------------------------------------------------

    private static void violations(JsonNode raw, JsonNode value, List<String> at, JsonNode root, List<Violation> out) {
        JsonNode s = resolve(raw);
        String here = String.join(".", at);
        String field = at.isEmpty() ? "" : at.get(at.size() - 1).replace("[]", "");
        if (!at.isEmpty()) {
            for (JsonNode wrong : wrongTypes(type(s))) {
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
        switch (type(s)) {
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
        for (String type : List.of("application/jsonx", "text/plain", "application/json; charset=iso-8859-1", "application/x-www-form-urlencoded")) {
            out.add(new Violation("Content-Type " + type, bytes(base), type, 415, Optional.empty(), true));
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
