package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Optional;

/**
 * A join token (Teleport's {@code token}, v2) that lets a bot join. With join method {@code token} its
 * {@code metadata.name} is the SHA-256 (hex) of a secret shown once at creation and never stored, and a token that
 * is not {@code reusable} is consumed by its first join. With join method {@code jenkins} there is no secret: the
 * bot proves itself with an ID token a Jenkins controller signed for a build, checked against {@code spec.jenkins}.
 * {@code metadata.expires} ends either.
 */
public record Token(String kind, String version, Metadata metadata, Spec spec) implements Resource {

    public Token {
        kind = kind == null ? Kind.TOKEN.wireName() : kind;
        version = version == null ? Kind.TOKEN.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null, null, false, null) : spec;
    }

    @Override
    public Token withMetadata(Metadata newMetadata) {
        return new Token(kind, version, newMetadata, spec);
    }

    /** How the token is used: the join method, the bot it is for, whether it survives its first join, and the rules of a jenkins join. */
    public record Spec(JoinMethod joinMethod, String botName, boolean reusable, Optional<Jenkins> jenkins) {
        public Spec {
            joinMethod = joinMethod == null ? JoinMethod.TOKEN : joinMethod;
            botName = botName == null ? "" : botName;
            jenkins = jenkins == null ? Optional.empty() : jenkins;
        }

        /** A {@code token} join method's spec. */
        public Spec(JoinMethod joinMethod, String botName, boolean reusable) {
            this(joinMethod, botName, reusable, Optional.empty());
        }
    }

    /**
     * The {@code jenkins} join method: which controller's ID tokens are trusted ({@code issuer}, their signing keys
     * from {@code jwks_uri} or {@code static_jwks}), for which audience, and for which builds ({@code allow}: any rule
     * may match; every field a rule sets must match, {@code *} globs allowed).
     */
    public record Jenkins(@JsonProperty(required = true) String issuer, String jwksUri, String staticJwks, String audience,
                          @JsonProperty(required = true) List<Rule> allow) {
        public Jenkins {
            issuer = issuer == null ? "" : issuer;
            jwksUri = jwksUri == null ? "" : jwksUri;
            staticJwks = staticJwks == null ? "" : staticJwks;
            audience = audience == null ? "" : audience;
            allow = allow == null ? List.of() : List.copyOf(allow);
        }
    }

    /** One allow rule of a jenkins join: the job's full name and the branch (multibranch {@code BRANCH_NAME}), as globs. */
    public record Rule(String job, String branch) {
        public Rule {
            job = job == null ? "" : job;
            branch = branch == null ? "" : branch;
        }
    }

    /** How a bot proves who it is when it joins. */
    public enum JoinMethod {
        @JsonProperty("token") TOKEN,
        @JsonProperty("jenkins") JENKINS;

        /** The name on the wire (lowercase, the only spelling read). */
        public String wire() {
            return name().toLowerCase();
        }
    }
}
