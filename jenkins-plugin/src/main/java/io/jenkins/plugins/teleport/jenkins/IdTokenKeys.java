package io.jenkins.plugins.teleport.jenkins;

import hudson.util.Secret;
import io.jenkins.plugins.teleport.client.oidc.BuildIdTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The key Jenkins signs builds' ID tokens with, kept in the global configuration's file as a {@link Secret}
 * (encrypted with the controller's secret key, as the oidc-provider plugin keeps its keys), made on first use. After a
 * rotation the previous key's public half stays published for {@link #PREVIOUS_KEY_KEPT}, so tokens it signed just
 * before still verify. Immutable: a rotation makes a new value. Neither exported nor set by Configuration as Code
 * (no property), so a reload never replaces it.
 */
final class IdTokenKeys {

    /** How long a rotated-out key stays in the JWKS: longer than any token it signed lives, plus clock skew. */
    static final Duration PREVIOUS_KEY_KEPT = BuildIdTokens.LIFETIME.multipliedBy(2);

    private final Secret privateKey;
    /** The previous key's public JWK, or empty. */
    private final String previousPublicJwk;
    /** Until when the previous key is published (ISO-8601), or empty. */
    private final String previousUntil;
    private transient volatile BuildIdTokens signer;

    private IdTokenKeys(Secret privateKey, String previousPublicJwk, String previousUntil) {
        this.privateKey = privateKey;
        this.previousPublicJwk = previousPublicJwk;
        this.previousUntil = previousUntil;
    }

    static IdTokenKeys create() {
        return new IdTokenKeys(Secret.fromString(BuildIdTokens.newKey()), "", "");
    }

    /** A new key that signs from now on; this one's public half stays published for {@link #PREVIOUS_KEY_KEPT}. */
    IdTokenKeys rotated(Instant now) {
        return new IdTokenKeys(Secret.fromString(BuildIdTokens.newKey()), signer().publicJwk(), now.plus(PREVIOUS_KEY_KEPT).toString());
    }

    BuildIdTokens signer() {
        BuildIdTokens s = signer;
        if (s == null) {
            s = new BuildIdTokens(privateKey.getPlainText());
            signer = s;
        }
        return s;
    }

    /** The JWKS: the current key, and the previous one until its time is up. */
    String jwks(Instant now) {
        List<String> keys = new ArrayList<>(List.of(signer().publicJwk()));
        if (previousPublicJwk != null && !previousPublicJwk.isEmpty() && previousUntil != null && !previousUntil.isEmpty()
                && now.isBefore(Instant.parse(previousUntil))) {
            keys.add(previousPublicJwk);
        }
        return BuildIdTokens.jwks(keys);
    }
}
