package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * What the tests that walk openapi.yaml share: a real server with the walkthrough's resources and one pending
 * access request, clients with an administrator's certificate, a bot's and none, the document's operations, and for
 * each body schema a type-correct value built from the schema alone (the few fields that must name something real
 * come from fixtures), so that a field added to a schema is covered without changing the tests.
 */
final class OpenApiWalk implements AutoCloseable {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The name that path parameters and {@code metadata.name} get: a valid name of nothing that exists. */
    static final String PROBE = "walk-probe";
    private static final String NO_SUCH_REQUEST = "0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a";

    /** One operation of the document; {@code open} if it needs no client certificate. */
    record Operation(String method, String template, Optional<JsonNode> bodySchema, boolean bodyRequired, boolean open) {
        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    final JsonNode document;
    final TestCluster cluster;
    final String requestId;
    final HttpClient admin;
    final HttpClient anonymous;
    final HttpClient bot;
    private final Map<String, JsonNode> fixtures = new LinkedHashMap<>();

    private OpenApiWalk(Path dir) throws Exception {
        document = OpenApiDocumentTest.document();
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        TestClient.Response created = cluster.user("alice").post("/v1/access-requests",
                new CreateAccessRequest("jenkins-deploy", List.of("deploy"), "walk", Optional.empty(), Optional.empty(), false));
        assertEquals(201, created.status(), created.toString());
        requestId = created.json().path("metadata").path("name").asText();
        admin = http(cluster.adminIdentity().sslContext());
        anonymous = http(cluster.anonymousTls());
        bot = http(cluster.join("jenkins-deploy").sslContext());

        BotKeys keys = BotKeys.generate();
        fixtures.put("metadata.name", NODES.textNode(PROBE));
        fixtures.put("bot", NODES.textNode("jenkins-deploy"));
        fixtures.put("bot_name", NODES.textNode("jenkins-deploy"));
        fixtures.put("roles", NODES.arrayNode().add("deploy"));
        fixtures.put("access_request_id", NODES.textNode(requestId));
        fixtures.put("access_request", NODES.textNode(requestId));
        fixtures.put("public_key", NODES.textNode(Pem.encode(CertificateAuthority.newKeyPair().getPublic())));
        fixtures.put("tls_public_key", NODES.textNode(Pem.encode(keys.tls().getPublic())));
        fixtures.put("ssh_public_key", NODES.textNode(keys.sshPublicKey()));
        fixtures.put("token", NODES.textNode("0".repeat(64)));
        fixtures.put("serial", NODES.textNode("abc123"));
        fixtures.put("usage", NODES.objectNode().put("ci_system", "jenkins"));
        fixtures.put("labels", NODES.objectNode().put("team", "ci"));
        // A jenkins token resource: an issuer on loopback, keys by URI (so no static JWKS), a job rule.
        fixtures.put("spec.join_method", NODES.textNode("jenkins"));
        fixtures.put("spec.jenkins.issuer", NODES.textNode("http://127.0.0.1:1/teleport-oidc"));
        fixtures.put("spec.jenkins.jwks_uri", NODES.textNode("http://127.0.0.1:1/teleport-oidc/jwks"));
        fixtures.put("spec.jenkins.static_jwks", NODES.textNode(""));
        fixtures.put("spec.aws_oidc.role_arn", NODES.textNode("arn:aws:iam::123456789012:role/walk-probe"));
        fixtures.put("spec.condition", NODES.textNode("contains(request.roles, \"deploy\")"));
    }

    static OpenApiWalk start(Path dir) throws Exception {
        return new OpenApiWalk(dir);
    }

    @Override
    public void close() {
        cluster.close();
    }

    private static HttpClient http(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Every GET, POST, PUT and DELETE of the document. */
    List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> m = methods.next();
                if (!List.of("get", "post", "put", "delete").contains(m.getKey())) {
                    continue;
                }
                JsonNode body = m.getValue().path("requestBody");
                JsonNode schema = body.path("content").path("application/json").path("schema");
                boolean open = m.getValue().path("security").isArray() && m.getValue().path("security").isEmpty();
                out.add(new Operation(m.getKey().toUpperCase(), path.getKey(), schema.isMissingNode() ? Optional.empty() : Optional.of(schema),
                        body.path("required").asBoolean(false), open));
            }
        }
        return out;
    }

    /** The operation's path: the pending request and {@link #PROBE} ({@code alice} for her certificates), or names of nothing. */
    String path(Operation op, boolean real) {
        return op.template().replace("{id}", real ? requestId : NO_SUCH_REQUEST)
                .replace("/v1/users/{name}/certs", "/v1/users/alice/certs")
                .replace("{name}", real ? PROBE : "no-such-thing");
    }

    /** The operation's documented query parameters with their schemas resolved, by name. */
    Map<String, JsonNode> queryParameters(Operation op) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode parameter : document.path("paths").path(op.template()).path(op.method().toLowerCase()).path("parameters")) {
            if (parameter.path("in").asText().equals("query")) {
                out.put(parameter.path("name").asText(), resolve(parameter.path("schema")));
            }
        }
        return out;
    }

    /** A schema with its $ref followed and its allOf parts merged. */
    JsonNode resolve(JsonNode schema) {
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
                                properties.has(p.getKey()) ? both(properties.get(p.getKey()), p.getValue()) : p.getValue()));
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

    private static JsonNode both(JsonNode a, JsonNode b) {
        ObjectNode both = NODES.objectNode();
        both.set("allOf", NODES.arrayNode().add(a).add(b));
        return both;
    }

    /** The JSON type of a schema: its {@code type}, {@code object} if it has properties, else {@code any}. */
    String type(JsonNode schema) {
        JsonNode s = resolve(schema);
        if (s.has("type")) {
            return s.path("type").asText();
        }
        return s.has("properties") || s.has("additionalProperties") ? "object" : "any";
    }

    /** A type-correct value for a body schema, every documented property set. */
    JsonNode example(JsonNode schema) {
        return example(schema, "");
    }

    /** A type-correct value for {@code schema} at {@code path} ("a.b[]"), fixtures first. */
    private JsonNode example(JsonNode raw, String path) {
        String name = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
        if (fixtures.containsKey(path)) {
            return fixtures.get(path).deepCopy();
        }
        if (fixtures.containsKey(name) && !path.equals("metadata.name")) {
            return fixtures.get(name).deepCopy();
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

    static byte[] bytes(JsonNode node) {
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
