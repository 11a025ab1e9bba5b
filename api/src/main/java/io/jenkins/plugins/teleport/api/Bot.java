package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A machine identity (Teleport's Machine ID bot). Its roles say what it may do on its own and, through
 * {@code allow.request.roles}, which roles may be requested on its behalf.
 */
public record Bot(String kind, String version, @JsonProperty(required = true) Metadata metadata, Spec spec) implements Resource {

    public Bot {
        kind = kind == null ? Kind.BOT.wireName() : kind;
        version = version == null ? Kind.BOT.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null) : spec;
    }

    public static Bot of(String name, List<String> roles) {
        return new Bot(null, null, Metadata.named(name), new Spec(roles));
    }

    @Override
    public Bot withMetadata(Metadata newMetadata) {
        return new Bot(kind, version, newMetadata, spec);
    }

    /** The bot's roles. */
    public record Spec(List<String> roles) {
        public Spec {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }
}
