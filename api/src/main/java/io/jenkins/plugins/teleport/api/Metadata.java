package io.jenkins.plugins.teleport.api;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Resource metadata in Teleport's shape. {@code revision} is set by the server (0 = not stored yet)
 * and is the compare-and-swap token for updates.
 */
public record Metadata(String name, String description, Map<String, String> labels, Optional<Instant> expires, long revision) {

    public Metadata {
        name = name == null ? "" : name;
        description = description == null ? "" : description;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        expires = expires == null ? Optional.empty() : expires;
    }

    public static Metadata named(String name) {
        return new Metadata(name, "", Map.of(), Optional.empty(), 0);
    }

    public Metadata withRevision(long newRevision) {
        return new Metadata(name, description, labels, expires, newRevision);
    }
}
