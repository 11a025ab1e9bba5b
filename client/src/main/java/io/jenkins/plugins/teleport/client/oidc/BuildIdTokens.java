package io.jenkins.plugins.teleport.client.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A CI controller as an OpenID Connect identity provider for the auth server's {@code jenkins} join (as the
 * oidc-provider plugin makes Jenkins one): per-build ID tokens signed RS256 with one RSA 2048 key, whose public half
 * is published in a JWKS next to a discovery document. The key is given as PKCS#8 (base64), so its owner keeps it
 * where it keeps secrets; its ID is its RFC 7638 thumbprint, so the same key always has the same {@code kid}.
 */
public final class BuildIdTokens {

    /** The longest an ID token lives: it is made for one join, right away (the auth server accepts at most 10 minutes). */
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    /** The claims a token may carry, as the discovery document lists them. */
    public static final List<String> CLAIMS = List.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "job", "build_number",
            "build_url", "branch");

    private final RSAKey key;

    /** A signer with the key {@code pkcs8Base64} (as {@link #newKey()} makes one). */
    public BuildIdTokens(String pkcs8Base64) {
        this.key = rsaKey(pkcs8Base64);
    }

    /** A new RSA 2048 private key, PKCS#8 in base64. */
    public static String newKey() {
        try {
            RSAKey generated = new RSAKeyGenerator(2048).generate();
            return Base64.getEncoder().encodeToString(generated.toPrivateKey().getEncoded());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make an RSA key", e);
        }
    }

    /** What a build's token says: who issued it for which relying party, and the job, build and branch. */
    public record Claims(String issuer, String audience, String job, int buildNumber, String buildUrl, String branch) {}

    /** The key's ID ({@code kid}). */
    public String keyId() {
        return key.getKeyID();
    }

    /** The public key as a JWK ({@code kid}, {@code use: sig}, {@code alg: RS256}), JSON. */
    public String publicJwk() {
        return key.toPublicJWK().toJSONString();
    }

    /** A signed ID token for a build, valid from now for {@link #LIFETIME}, with a new {@code jti}. */
    public String sign(Claims c, Clock clock) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(c.issuer())
                .audience(c.audience())
                .subject(c.job())
                .claim("job", c.job())
                .claim("build_number", c.buildNumber())
                .claim("build_url", c.buildUrl())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .jwtID(UUID.randomUUID().toString());
        if (!c.branch().isEmpty()) {
            claims.claim("branch", c.branch());
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                claims.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the ID token", e);
        }
        return jwt.serialize();
    }

    /** A JWKS of public JWKs (each as {@link #publicJwk()} gives it); anything else in the list is left out. */
    public static String jwks(List<String> publicJwks) {
        List<JWK> keys = new ArrayList<>();
        for (String json : publicJwks) {
            try {
                JWK jwk = JWK.parse(json);
                if (!jwk.isPrivate()) {
                    keys.add(jwk);
                }
            } catch (ParseException notAKey) {
                // a damaged entry of the saved configuration is not published
            }
        }
        return new JWKSet(keys).toString(true);
    }

    /** The discovery document of {@code issuer}, whose JWKS is at {@code issuer + "/jwks"}. */
    public static Map<String, Object> discovery(String issuer) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", issuer + "/jwks");
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("scopes_supported", List.of("openid"));
        doc.put("claims_supported", CLAIMS);
        return doc;
    }

    private static RSAKey rsaKey(String pkcs8Base64) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            RSAPrivateCrtKey priv = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8Base64)));
            RSAPublicKey pub = (RSAPublicKey) rsa.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
            RSAKey withoutId = new RSAKey.Builder(pub).privateKey(priv).build();
            return new RSAKey.Builder(withoutId).keyIDFromThumbprint().keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
        } catch (java.security.GeneralSecurityException | IllegalArgumentException | ClassCastException | JOSEException e) {
            throw new IllegalArgumentException("the ID token signing key is not an RSA private key in PKCS#8: " + e.getMessage(), e);
        }
    }
}
