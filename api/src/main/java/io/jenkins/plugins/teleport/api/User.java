package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A person: reviewers, requesters, administrators. Their roles say what they may do. */
public record User(String kind, String version, @JsonProperty(required = true) Metadata metadata, Spec spec) implements Resource {

    public User {
        kind = kind == null ? Kind.USER.wireName() : kind;
        version = version == null ? Kind.USER.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null) : spec;
    }

    public static User of(String name, List<String> roles) {
        return new User(null, null, Metadata.named(name), new Spec(roles));
    }

    @Override
    public User withMetadata(Metadata newMetadata) {
        return new User(kind, version, newMetadata, spec);
    }

    /** The user's roles. */
    public record Spec(List<String> roles) {
        public Spec {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
