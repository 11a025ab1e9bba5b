package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Json;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes exactly the routes the server serves, and every error code. */
class OpenApiDocumentTest {

    static JsonNode document() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
            assertNotNull(in, "openapi.yaml is packaged in the api jar");
            return Json.yaml().readTree(in);
        }
    }

    @Test
    void everyRouteIsDocumentedAndNothingElse() throws Exception {
        JsonNode paths = document().path("paths");
        Set<String> documented = new TreeSet<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (List.of("get", "post", "put", "delete", "patch").contains(m)) {
                documented.add(m.toUpperCase() + " " + p.getKey());
            }
        }));
        Set<String> served = Routes.shape().stream()
                .map(r -> r.method() + " " + r.template()).collect(Collectors.toCollection(TreeSet::new));
        Route metrics = new ApiMetrics().route();
        served.add(metrics.method() + " " + metrics.template());
        // The one API endpoint of the web pages' sign-in (the pages themselves are not routes of the API).
        Route invites = new io.jenkins.plugins.teleport.auth.web.Invites(null, null, null, null, null, null, null).route();
        served.add(invites.method() + " " + invites.template());
        assertEquals(served, documented);
    }

    @Test
    void everyErrorCodeIsDocumented() throws Exception {
        JsonNode codes = document().path("components").path("schemas").path("ErrorCode").path("enum");
        Set<String> documented = new TreeSet<>();
        codes.forEach(c -> documented.add(c.asText()));
        assertEquals(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).collect(Collectors.toCollection(TreeSet::new)), documented);
        assertTrue(document().path("openapi").asText().startsWith("3.1"));
    }
}
