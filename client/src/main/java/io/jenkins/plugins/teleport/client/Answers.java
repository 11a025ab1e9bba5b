package io.jenkins.plugins.teleport.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.jenkins.plugins.teleport.api.Json;

/**
 * How the client reads what the server (or its own state directory) answers: the project's one mapper, copied with
 * unknown fields ignored, so that a newer server adding fields does not break an older client, whatever the shared
 * mapper refuses in requests.
 */
public final class Answers {

    private static final ObjectReader LENIENT = Json.mapper().copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).reader();

    private Answers() {}

    public static ObjectReader reader() {
        return LENIENT;
    }
}
