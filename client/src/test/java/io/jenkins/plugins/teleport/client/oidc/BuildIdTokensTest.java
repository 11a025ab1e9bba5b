package io.jenkins.plugins.teleport.client.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A controller's per-build ID tokens: signed RS256 by a key whose public half alone is published. */
class BuildIdTokensTest {

    static final String KEY = BuildIdTokens.newKey();

    @Test
    void aBuildsTokenNamesTheJobBuildAndBranchAndLivesAtMostFiveMinutes() throws Exception {
        BuildIdTokens signer = new BuildIdTokens(KEY);
        String token = signer.sign(new BuildIdTokens.Claims("https://jenkins.example.com/teleport-oidc", "teleport", "deploy/prod", 42,
                "https://jenkins.example.com/job/deploy/job/prod/42/", "main"), Clock.systemUTC());
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(signer.keyId(), jwt.getHeader().getKeyID());
        RSAKey published = (RSAKey) JWKSet.parse(BuildIdTokens.jwks(List.of(signer.publicJwk()))).getKeyByKeyId(signer.keyId());
        assertTrue(jwt.verify(new RSASSAVerifier(published)));
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        assertEquals("https://jenkins.example.com/teleport-oidc", c.getIssuer());
        assertEquals(List.of("teleport"), c.getAudience());
        assertEquals("deploy/prod", c.getSubject());
        assertEquals("deploy/prod", c.getStringClaim("job"));
        assertEquals(42, c.getIntegerClaim("build_number"));
        assertEquals("https://jenkins.example.com/job/deploy/job/prod/42/", c.getStringClaim("build_url"));
        assertEquals("main", c.getStringClaim("branch"));
        assertFalse(Duration.between(c.getIssueTime().toInstant(), c.getExpirationTime().toInstant()).compareTo(BuildIdTokens.LIFETIME) > 0);
        assertNotEquals(c.getJWTID(), SignedJWT.parse(signer.sign(new BuildIdTokens.Claims("i", "a", "j", 1, "u", ""), Clock.systemUTC()))
                .getJWTClaimsSet().getJWTID(), "each token has its own jti");
    }

    @Test
    void aJobWithoutABranchGetsNoBranchClaim() throws Exception {
        String token = new BuildIdTokens(KEY).sign(new BuildIdTokens.Claims("i", "a", "freestyle", 1, "u", ""), Clock.systemUTC());
        assertNull(SignedJWT.parse(token).getJWTClaimsSet().getClaim("branch"));
    }

    @Test
    void theSameKeyHasTheSameIdAndOnlyItsPublicHalfIsPublished() throws Exception {
        assertEquals(new BuildIdTokens(KEY).keyId(), new BuildIdTokens(KEY).keyId());
        assertNotEquals(new BuildIdTokens(KEY).keyId(), new BuildIdTokens(BuildIdTokens.newKey()).keyId());
        JWKSet set = JWKSet.parse(BuildIdTokens.jwks(List.of(new BuildIdTokens(KEY).publicJwk(), "not json")));
        assertEquals(1, set.getKeys().size());
        assertFalse(set.getKeys().get(0).isPrivate());
        assertEquals("sig", set.getKeys().get(0).getKeyUse().identifier());
        assertFalse(BuildIdTokens.jwks(List.of(new BuildIdTokens(KEY).publicJwk())).contains("\"d\""), "no private exponent");
    }

    @Test
    void aKeyThatIsNotAnRsaPrivateKeyIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BuildIdTokens("bm90IGEga2V5"));
        assertTrue(e.getMessage().contains("not an RSA private key"), e.getMessage());
    }
}
