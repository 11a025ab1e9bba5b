package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A join token (Teleport's {@code token}, v2) that lets one bot join. Its {@code metadata.name} is the SHA-256
 * (hex) of the secret: the secret itself is shown once at creation and never stored. {@code metadata.expires}
 * ends it; a token that is not {@code reusable} is consumed by its first join.
 */
public record Token(String kind, String version, Metadata metadata, Spec spec) implements Resource {

    public Token {
        kind = kind == null ? Kind.TOKEN.wireName() : kind;
        version = version == null ? Kind.TOKEN.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null, null, false) : spec;
    }

    @Override
    public Token withMetadata(Metadata newMetadata) {
        return new Token(kind, version, newMetadata, spec);
    }

    /** How the token is used: the join method, the bot it is for, and whether it survives its first join. */
    public record Spec(JoinMethod joinMethod, String botName, boolean reusable) {
        public Spec {
            joinMethod = joinMethod == null ? JoinMethod.TOKEN : joinMethod;
            botName = botName == null ? "" : botName;
        }
    }

    /** How a bot proves who it is when it joins. */
    public enum JoinMethod {
        @JsonProperty("token") TOKEN;

        /** The name on the wire (lowercase, the only spelling read). */
        public String wire() {
            return name().toLowerCase();
        }
    }
}
