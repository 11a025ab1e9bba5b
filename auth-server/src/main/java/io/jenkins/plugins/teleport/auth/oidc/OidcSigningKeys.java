package io.jenkins.plugins.teleport.auth.oidc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx.StoredAuthority;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The OIDC identity provider's signing keys: a CA of its own in the store ({@value #NAME}), RSA 2048 as Teleport's
 * signature suites use for its OIDC IdP, one active key that signs and the keys it replaced, which stay published in
 * the JWKS until every token they signed has expired. Several servers share it: each re-reads it every few seconds,
 * and a rotation is a compare-and-swap on what is stored. The first key is made when it is first needed (so a server
 * that never acts as an identity provider never pays for an RSA key).
 */
public final class OidcSigningKeys {

    /** The authority's name in the store. */
    public static final String NAME = "oidc";
    /** No token lives longer, so a replaced key stays published this long. */
    public static final Duration MAX_TOKEN_TTL = Duration.ofHours(1);
    private static final Duration RELOAD = Duration.ofSeconds(5);
    private static final TypeReference<Ring> RING = new TypeReference<>() {};

    /** What is stored as the authority's public part: the active key's ID, and every published key. */
    record Ring(String active, List<Published> keys) {
        Ring {
            keys = List.copyOf(keys);
        }
    }

    /** A published public key (a JWK as JSON) and, once replaced, until when it stays published. */
    record Published(Map<String, Object> jwk, Optional<Instant> publishedUntil) {
        Published {
            publishedUntil = publishedUntil == null ? Optional.empty() : publishedUntil;
        }
    }

    /** The keys as last read: the ring and the active private key. */
    private record Loaded(Ring ring, RSAKey active, Instant readAt, String stored) {}

    private final Store store;
    private final CaKeyEncryption sealing;
    private final Clock clock;
    private volatile Loaded loaded;

    /** {@code sealing} encrypts the private key in the store, as the other CA keys are. */
    public OidcSigningKeys(Store store, CaKeyEncryption sealing, Clock clock) {
        this.store = store;
        this.sealing = sealing;
        this.clock = clock;
    }

    /**
     * The keys from the store with the active private key decrypted. The first read makes them if missing (of several
     * servers doing so at once, the first insert wins) and seals the key again if it was sealed with a previous
     * encryption key; later reads only decrypt what changed.
     */
    private StoredAuthority loadOrCreate() {
        if (loaded == null) {
            return sealing.loadOrCreate(store, NAME, () -> {
                RSAKey key = generate();
                return plain(new Ring(key.getKeyID(), List.of(published(key, Optional.empty()))), key);
            });
        }
        StoredAuthority stored = store.read(tx -> tx.authority(NAME)).orElseThrow(() ->
                new IllegalStateException("the OIDC signing keys are missing from the store"));
        return stored.publicPart().equals(loaded.stored()) ? stored
                : new StoredAuthority(stored.publicPart(), sealing.open(NAME, stored.privateKey()));
    }

    /** The key that signs now (re-read from the store when the last read is a few seconds old). */
    public RSAKey active() {
        return current().active();
    }

    /** The JWKS to publish: the active key and the replaced ones still within their tokens' lifetime. */
    public JWKSet publicKeys() {
        Instant now = clock.instant();
        List<JWK> keys = new ArrayList<>();
        for (Published p : current().ring().keys()) {
            if (p.publishedUntil().map(now::isBefore).orElse(true)) {
                keys.add(parse(p.jwk()));
            }
        }
        return new JWKSet(keys);
    }

    /**
     * Makes a new active key. The old one keeps being published until {@link #MAX_TOKEN_TTL} from now (tokens it
     * signed stay valid), and keys whose time has passed are dropped. Returns the new key's ID.
     */
    public String rotate() {
        for (int attempt = 0; attempt < 10; attempt++) {
            Loaded before = reload();
            Instant now = clock.instant();
            RSAKey fresh = generate();
            List<Published> keys = new ArrayList<>();
            keys.add(published(fresh, Optional.empty()));
            for (Published p : before.ring().keys()) {
                String kid = (String) p.jwk().get("kid");
                if (kid.equals(before.ring().active())) {
                    keys.add(new Published(p.jwk(), Optional.of(now.plus(MAX_TOKEN_TTL))));
                } else if (p.publishedUntil().map(now::isBefore).orElse(true)) {
                    keys.add(p);
                }
            }
            StoredAuthority next = plain(new Ring(fresh.getKeyID(), keys), fresh);
            StoredAuthority sealed = new StoredAuthority(next.publicPart(), sealing.seal(NAME, next.privateKey()));
            if (store.write(tx -> tx.replaceAuthority(NAME, before.stored(), sealed))) {
                loaded = read(next, now);
                return fresh.getKeyID();
            }
        }
        throw new IllegalStateException("the OIDC keys kept changing during the rotation; try again");
    }

    private Loaded current() {
        Loaded l = loaded;
        return l != null && clock.instant().isBefore(l.readAt().plus(RELOAD)) ? l : reload();
    }

    private Loaded reload() {
        StoredAuthority stored = loadOrCreate();
        Loaded last = loaded;
        Loaded l = last != null && stored.publicPart().equals(last.stored())
                ? new Loaded(last.ring(), last.active(), clock.instant(), last.stored())
                : read(stored, clock.instant());
        loaded = l;
        return l;
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make an RSA key", e);
        }
    }

    private static Published published(RSAKey key, Optional<Instant> until) {
        return new Published(key.toPublicJWK().toJSONObject(), until);
    }

    /** The ring and the active private key (a JWK), not yet sealed. */
    private static StoredAuthority plain(Ring ring, RSAKey active) {
        try {
            return new StoredAuthority(Json.mapper().writeValueAsString(ring), active.toJSONString());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Loaded read(StoredAuthority stored, Instant now) {
        try {
            Ring ring = Json.mapper().readValue(stored.publicPart(), RING);
            RSAKey active = RSAKey.parse(stored.privateKey());
            if (!active.getKeyID().equals(ring.active())) {
                throw new IllegalStateException("the stored OIDC key ring names key " + ring.active() + " as active, but the "
                        + "private key is " + active.getKeyID());
            }
            return new Loaded(ring, active, now, stored.publicPart());
        } catch (JsonProcessingException | ParseException e) {
            throw new IllegalStateException("unreadable OIDC signing keys in the store", e);
        }
    }

    private static JWK parse(Map<String, Object> jwk) {
        try {
            return JWK.parse(jwk);
        } catch (ParseException e) {
            throw new IllegalStateException("unreadable published OIDC key", e);
        }
    }
}
