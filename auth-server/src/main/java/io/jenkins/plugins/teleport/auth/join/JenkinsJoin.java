package io.jenkins.plugins.teleport.auth.join;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code jenkins} join method: no secret in Jenkins. The plugin signs a per-build ID token (as the oidc-provider
 * plugin does) and the bot joins with it. The token resource names the trusted controller ({@code issuer}), its keys
 * ({@code jwks_uri}, fetched and cached, fetched again when a token names an unknown key, at most twice every
 * {@link #REFETCH_INTERVAL}; or {@code static_jwks}), the audience (default: the cluster's name) and which jobs and
 * branches may join. The ID token's {@code iss}, {@code aud}, {@code exp}, {@code nbf} and {@code iat} are checked
 * with {@link #LEEWAY} of clock skew, its signature against the controller's public keys (RS256 or ES256 only: an
 * unsigned token or an HMAC one, say keyed with the public key, is refused), and its {@code jti} may join once. The
 * identity it yields names the job and branch. Every refusal says why, to the caller and in {@code join.failed}.
 */
public final class JenkinsJoin implements JoinMethod {

    /** Clock skew allowed on {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration LEEWAY = Duration.ofSeconds(30);
    /** The longest lifetime an ID token may claim ({@code exp - iat}); the plugin's are at most 5 minutes. */
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    /** A JWKS is fetched again on an unknown key at most this often. */
    public static final Duration REFETCH_INTERVAL = Duration.ofSeconds(30);
    private static final Duration CACHE_TTL = Duration.ofMinutes(15);
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    /** The longest ID token accepted, in characters. */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final String clusterName;
    private final Map<String, JWKSource<SecurityContext>> remoteKeys = new ConcurrentHashMap<>();

    public JenkinsJoin(String clusterName) {
        this.clusterName = clusterName;
    }

    @Override
    public Token.JoinMethod method() {
        return Token.JoinMethod.JENKINS;
    }

    @Override
    public Proof verify(Store store, JoinRequest request, Instant now) {
        Token token = store.read(tx -> tx.get(Token.class, request.token())).orElseThrow(() ->
                failure("there is no token '" + request.token() + "' (name the jenkins token resource in token)"));
        Token.Spec spec = token.spec();
        if (spec.joinMethod() != Token.JoinMethod.JENKINS) {
            throw failure("token '" + token.name() + "' is for join method " + spec.joinMethod().wire() + ", not jenkins");
        }
        if (token.metadata().expires().filter(t -> !now.isBefore(t)).isPresent()) {
            throw failure("token '" + token.name() + "' expired at " + token.metadata().expires().get());
        }
        if (!request.botName().isEmpty() && !request.botName().equals(spec.botName())) {
            throw failure("token '" + token.name() + "' is for bot '" + spec.botName() + "', not '" + request.botName() + "'");
        }
        JWTClaimsSet claims = verifiedClaims(token, request.idToken(), now);
        Token.Jenkins rules = spec.jenkins().orElseThrow(() -> failure("token '" + token.name() + "' has no spec.jenkins"));
        String job = stringClaim(claims, "job").orElse(Optional.ofNullable(claims.getSubject()).orElse(""));
        String branch = stringClaim(claims, "branch").orElse("");
        if (job.isEmpty()) {
            throw failure("the ID token names no job (claims job and sub)");
        }
        boolean allowed = rules.allow().stream().anyMatch(rule ->
                (rule.job().isEmpty() || RoleSet.matches(rule.job(), job))
                        && (rule.branch().isEmpty() || RoleSet.matches(rule.branch(), branch)));
        if (!allowed) {
            throw failure("job '" + job + "'" + (branch.isEmpty() ? " (no branch)" : " branch '" + branch + "'")
                    + " matches no allow rule of token '" + token.name() + "'");
        }
        String issuer = claims.getIssuer();
        String jti = claims.getJWTID();
        Instant forgetAfter = claims.getExpirationTime().toInstant().plus(LEEWAY);
        return new Proof(spec.botName(), Optional.of(new ClientIdentity.Jenkins(job, branch)), (tx, at) -> {
            tx.forgetTokenIdsExpiredBefore(at);
            if (!tx.recordTokenId(issuer, jti, forgetAfter)) {
                throw failure("the ID token was already used to join (jti " + jti + "): a token joins once");
            }
        });
    }

    /** The token's claims, once its signature, issuer, audience and times are checked. */
    private JWTClaimsSet verifiedClaims(Token token, String idToken, Instant now) {
        Token.Jenkins rules = token.spec().jenkins().orElseThrow(() -> failure("token '" + token.name() + "' has no spec.jenkins"));
        if (idToken.isEmpty()) {
            throw failure("no id_token: a jenkins join sends the build's ID token");
        }
        if (idToken.length() > MAX_TOKEN_CHARS) {
            throw failure("the id_token is longer than " + MAX_TOKEN_CHARS + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(idToken);
        } catch (ParseException e) {
            throw failure("the id_token is not a JWT: " + e.getMessage());
        }
        if (jwt instanceof PlainJWT) {
            throw failure("the ID token is unsigned (alg none): refused");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw failure("the ID token is encrypted, not signed: refused");
        }
        JWSHeader header = signed.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw failure("the ID token is signed with " + header.getAlgorithm() + ": only RS256 and ES256 signatures by "
                    + "the controller's public keys are accepted");
        }
        if (header.getKeyID() == null || header.getKeyID().isEmpty()) {
            throw failure("the ID token's header names no key (kid)");
        }
        JWK key = key(rules, header.getKeyID());
        try {
            if (!signed.verify(verifier(key, header.getAlgorithm()))) {
                throw failure("bad signature: the ID token was not signed by key " + header.getKeyID());
            }
        } catch (JOSEException e) {
            throw failure("bad signature: " + e.getMessage());
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw failure("unreadable claims: " + e.getMessage());
        }
        if (!rules.issuer().equals(claims.getIssuer())) {
            throw failure("wrong issuer '" + claims.getIssuer() + "': token '" + token.name() + "' trusts '" + rules.issuer() + "'");
        }
        String audience = rules.audience().isEmpty() ? clusterName : rules.audience();
        List<String> audiences = claims.getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            throw failure("wrong audience " + audiences + ": expected '" + audience + "'");
        }
        Instant exp = instant(claims.getExpirationTime()).orElseThrow(() -> failure("the ID token has no exp"));
        Instant iat = instant(claims.getIssueTime()).orElseThrow(() -> failure("the ID token has no iat"));
        if (!now.isBefore(exp.plus(LEEWAY))) {
            throw failure("the ID token expired at " + exp);
        }
        Optional<Instant> nbf = instant(claims.getNotBeforeTime());
        if (nbf.filter(t -> now.plus(LEEWAY).isBefore(t)).isPresent()) {
            throw failure("the ID token is not valid before " + nbf.get());
        }
        if (now.plus(LEEWAY).isBefore(iat)) {
            throw failure("the ID token was issued in the future (" + iat + "): check the controller's clock");
        }
        if (Duration.between(iat, exp).compareTo(MAX_LIFETIME) > 0) {
            throw failure("the ID token claims a lifetime over " + MAX_LIFETIME.toMinutes() + " minutes");
        }
        if (claims.getJWTID() == null || claims.getJWTID().isEmpty() || claims.getJWTID().length() > 256) {
            throw failure("the ID token has no usable jti");
        }
        return claims;
    }

    /** The controller's key {@code kid}: from the static JWKS, or the JWKS URI (cached; fetched again on a miss). */
    private JWK key(Token.Jenkins rules, String kid) {
        JWKSource<SecurityContext> source = rules.staticJwks().isEmpty()
                ? remoteKeys.computeIfAbsent(rules.jwksUri(), JenkinsJoin::remote)
                : new ImmutableJWKSet<>(parseStaticJwks(rules.staticJwks()).orElseThrow(() ->
                failure("the token's static_jwks is not a JWKS document")));
        List<JWK> found;
        try {
            found = source.get(new JWKSelector(new JWKMatcher.Builder().keyID(kid).keyUses(KeyUse.SIGNATURE, null).build()), null);
        } catch (RateLimitReachedException e) {
            throw failure("unknown key id '" + kid + "': the controller's keys were fetched again moments ago and are "
                    + "not fetched more than twice every " + REFETCH_INTERVAL.toSeconds() + " s");
        } catch (KeySourceException e) {
            throw failure("cannot read the controller's keys from " + rules.jwksUri() + ": " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw failure("unknown key id '" + kid + "': the controller's JWKS has no such key");
        }
        return found.get(0);
    }

    private static JWKSource<SecurityContext> remote(String uri) {
        try {
            URL url = new URI(uri).toURL();
            return JWKSourceBuilder.<SecurityContext>create(url, new DefaultResourceRetriever(5_000, 5_000, 256 * 1024))
                    .cache(CACHE_TTL.toMillis(), 5_000)
                    .rateLimited(REFETCH_INTERVAL.toMillis())
                    .retrying(false)
                    .build();
        } catch (URISyntaxException | MalformedURLException e) {
            throw failure("the token's jwks_uri is not a URL: " + uri);
        }
    }

    private static JWSVerifier verifier(JWK key, JWSAlgorithm algorithm) throws JOSEException {
        if (algorithm.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa) {
            return new RSASSAVerifier(rsa);
        }
        if (algorithm.equals(JWSAlgorithm.ES256) && key instanceof ECKey ec) {
            return new ECDSAVerifier(ec);
        }
        throw failure("bad signature: key " + key.getKeyID() + " is " + key.getKeyType() + ", not a key for " + algorithm);
    }

    /** A static JWKS with public keys only; empty when it is not one. */
    public static Optional<JWKSet> parseStaticJwks(String json) {
        try {
            JWKSet set = JWKSet.parse(json);
            return set.getKeys().isEmpty() || set.getKeys().stream().anyMatch(JWK::isPrivate) ? Optional.empty() : Optional.of(set);
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code url} may be an issuer or JWKS URI: https, or http to a loopback host (tests, a local controller). */
    public static boolean isIssuerUrl(String url) {
        try {
            URI uri = new URI(url);
            String host = uri.getHost();
            return host != null && uri.getUserInfo() == null && ("https".equals(uri.getScheme())
                    || ("http".equals(uri.getScheme()) && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"))));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Optional<String> stringClaim(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    private static Optional<Instant> instant(Date date) {
        return Optional.ofNullable(date).map(Date::toInstant);
    }

    private static JoinFailure failure(String reason) {
        return new JoinFailure(reason, true);
    }
}
