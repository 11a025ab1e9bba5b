package io.jenkins.plugins.teleport.client.oidc;

import io.jenkins.plugins.teleport.api.Messages.OidcToken;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.Keys;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.bundle.OwnerOnly;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * AWS inside a request scope, as EKS does it for pods: a web identity token of the auth server in a file of the
 * identity directory, and {@code AWS_WEB_IDENTITY_TOKEN_FILE}, {@code AWS_ROLE_ARN} and {@code AWS_ROLE_SESSION_NAME}
 * naming it and the role, so the AWS CLI and SDKs call {@code AssumeRoleWithWebIdentity} with no other setup. The
 * token is asked with the request-bound identity written in that directory (its TLS key never leaves the machine it
 * was made on), written owner-only and replaced atomically, so a reader never sees half a token.
 */
public final class AwsWebIdentity {

    /** The token's file in the identity directory. */
    public static final String TOKEN_FILE = "aws-web-identity-token";
    /** A token is fetched again once this fraction of its life has passed. */
    static final double REFRESH_AT = 0.8;
    /** After a failed fetch, the next try comes this much later. */
    public static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

    private AwsWebIdentity() {}

    /**
     * What a fetch wrote, described without the token itself: safe to log, to send from an agent, to keep.
     * {@code fetchedAt} is the fetching machine's time.
     */
    public record Grant(String integration, String roleArn, String roleSessionName, String tokenId, Instant fetchedAt,
                        Instant expires) {

        /** The variables that make the AWS CLI and SDKs use the token in {@code dir}. */
        public Map<String, String> environment(Path dir) {
            return AwsWebIdentity.environment(dir, roleArn, roleSessionName);
        }

        /**
         * When to fetch the next token: once {@link #REFRESH_AT} of this one's life has passed; none when this one
         * already lasts until the certificates end ({@code validBefore}), as a new one could not last longer.
         */
        public Optional<Instant> refreshAt(Instant validBefore) {
            if (!expires.plusSeconds(1).isBefore(validBefore)) {
                return Optional.empty();
            }
            long life = Math.max(0, Duration.between(fetchedAt, expires).toMillis());
            return Optional.of(fetchedAt.plusMillis((long) (life * REFRESH_AT)));
        }
    }

    /** The AWS variables for a token file in {@code dir}. */
    public static Map<String, String> environment(Path dir, String roleArn, String roleSessionName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", dir.resolve(TOKEN_FILE).toString());
        env.put("AWS_ROLE_ARN", roleArn);
        env.put("AWS_ROLE_SESSION_NAME", roleSessionName);
        return env;
    }

    /**
     * Asks {@code server} for a token for {@code integration} as the request-bound identity written in {@code dir}, and
     * writes it there. Refused (the message says why) when the directory is gone: the block has ended.
     */
    public static Grant fetch(URI server, String caPin, Path dir, String integration, Clock clock) throws IOException {
        BotIdentity bound = requestBoundIdentity(dir);
        return fetch(AuthClient.create(server, caPin).as(bound), dir, integration, clock);
    }

    /** As {@link #fetch(URI, String, Path, String, Clock)}, with a client that already calls as the request-bound identity. */
    public static Grant fetch(AuthClient requestBound, Path dir, String integration, Clock clock) throws IOException {
        Instant asked = clock.instant();
        OidcToken token = requestBound.oidcToken(integration);
        write(dir, token.token());
        return new Grant(token.integration(), token.roleArn(), token.roleSessionName(), token.tokenId(), asked, token.expires());
    }

    /** The request-bound identity of an identity directory: its TLS key, certificate and CA. */
    static BotIdentity requestBoundIdentity(Path dir) throws IOException {
        try {
            var cert = Keys.certificates(Files.readString(dir.resolve(BundleFiles.TLS_CERT), StandardCharsets.UTF_8));
            var cas = Keys.certificates(Files.readString(dir.resolve(BundleFiles.TLS_CA), StandardCharsets.UTF_8));
            var key = Keys.readPrivateKey(Files.readString(dir.resolve(BundleFiles.TLS_KEY), StandardCharsets.UTF_8));
            if (cert.isEmpty()) {
                throw new TeleportException("the identity directory " + dir + " has no TLS certificate");
            }
            return new BotIdentity("request-bound", key, cert.get(0), cas);
        } catch (NoSuchFileException gone) {
            throw new TeleportException("the identity directory " + dir + " is gone (the block has ended): no AWS token is fetched");
        }
    }

    /** Replaces the token file atomically: a new owner-only file next to it, moved over it. */
    static void write(Path dir, String token) throws IOException {
        Path tmp = OwnerOnly.createTempFile(dir, ".aws-token-", ".tmp");
        try {
            Files.writeString(tmp, token, StandardCharsets.US_ASCII);
            Files.move(tmp, dir.resolve(TOKEN_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
