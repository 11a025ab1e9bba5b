package io.jenkins.plugins.teleport.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An integration with a cloud (Teleport's {@code integration}, v1). Sub-kind {@code aws-oidc}: the auth server, as
 * an OpenID Connect identity provider, signs web identity tokens that AWS STS exchanges for the IAM role
 * {@code spec.aws_oidc.role_arn}; {@code audience} is the token's {@code aud} (default {@code sts.amazonaws.com}).
 * Getting a token for it needs the verb {@code use} on {@code integration} in one of an access request's roles.
 */
public record Integration(String kind, String subKind, String version, @JsonProperty(required = true) Metadata metadata,
                          @JsonProperty(required = true) Spec spec) implements Resource {

    /** The only sub-kind today. */
    public static final String AWS_OIDC = "aws-oidc";
    /** The audience AWS STS expects of a web identity token. */
    public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

    public Integration {
        kind = kind == null ? Kind.INTEGRATION.wireName() : kind;
        subKind = subKind == null ? AWS_OIDC : subKind;
        version = version == null ? Kind.INTEGRATION.version() : version;
        metadata = metadata == null ? Metadata.named("") : metadata;
        spec = spec == null ? new Spec(null) : spec;
    }

    public static Integration awsOidc(String name, String roleArn, String audience) {
        return new Integration(null, AWS_OIDC, null, Metadata.named(name), new Spec(new AwsOidc(roleArn, audience)));
    }

    @Override
    public Integration withMetadata(Metadata newMetadata) {
        return new Integration(kind, subKind, version, newMetadata, spec);
    }

    /** The integration's settings: one block per sub-kind. */
    public record Spec(@JsonProperty(required = true) AwsOidc awsOidc) {
        public Spec {
            awsOidc = awsOidc == null ? new AwsOidc(null, null) : awsOidc;
        }
    }

    /** AWS through OIDC: the IAM role to assume and the tokens' audience. */
    public record AwsOidc(@JsonProperty(required = true) String roleArn, String audience) {
        public AwsOidc {
            roleArn = roleArn == null ? "" : roleArn;
            audience = audience == null || audience.isBlank() ? DEFAULT_AUDIENCE : audience;
        }
    }
}
