package io.jenkins.plugins.teleport.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Integration;
import io.jenkins.plugins.teleport.api.Messages.OidcToken;
import io.jenkins.plugins.teleport.api.Messages.OidcTokenRequest;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestLifecycle;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The auth server as an OpenID Connect identity provider (Teleport's RFD 0119, for AWS): public discovery and
 * JWKS, and web identity tokens for an access request's bot, asked with the request's own request-bound
 * certificate, for an integration one of the requested roles may {@code use}. So cloud access is as request-scoped
 * as SSH: no approved request, no token.
 */
public final class OidcIdentityProvider {

    /** The JWKS path, under the issuer (Teleport serves its OIDC IdP keys at the same path). */
    public static final String JWKS_PATH = "/.well-known/jwks-oidc";
    public static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    static final List<String> CLAIMS = List.of("iss", "sub", "aud", "iat", "nbf", "exp", "jti", "access_request", "roles",
            "build_url");

    private final Supplier<String> issuer;
    private final OidcSigningKeys keys;
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    /** {@code issuer}: the issuer URL (the server's public URL), read when first needed. */
    public OidcIdentityProvider(Supplier<String> issuer, OidcSigningKeys keys, Store store, AuditLog audit, Clock clock) {
        this.issuer = () -> {
            String url = issuer.get();
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        };
        this.keys = keys;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public String issuer() {
        return issuer.get();
    }

    /** {@code GET /.well-known/openid-configuration}: what a relying party needs to validate our tokens. */
    public Map<String, Object> discovery() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("issuer", issuer());
        doc.put("jwks_uri", issuer() + JWKS_PATH);
        doc.put("response_types_supported", List.of("id_token"));
        doc.put("subject_types_supported", List.of("public"));
        doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
        doc.put("scopes_supported", List.of("openid"));
        doc.put("claims_supported", CLAIMS);
        return doc;
    }

    /** The published keys as a JWKS document (public parts only). */
    public String jwks() {
        return keys.publicKeys().toString(true);
    }

    /**
     * A web identity token for {@code ask.integration}, for the request {@code caller}'s certificate is bound to.
     * Valid until the earliest of one hour and the certificate's own end; audited ({@code oidc.token.issue}).
     */
    public OidcToken issue(ClientIdentity caller, X509Certificate certificate, OidcTokenRequest ask) {
        if (!caller.isRequestBound() || caller.requestIds().size() != 1) {
            throw new ApiException(ErrorCode.ACCESS_DENIED, "OIDC tokens are issued for one access request: call with the "
                    + "request-bound certificate of that request (TELEPORT_TLS_CERT inside the request's scope), not " + caller);
        }
        if (ask.integration().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "name the integration (integration)");
        }
        String requestId = caller.requestIds().get(0);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String serial = certificate.getSerialNumber().toString(16);
        record Grant(AccessRequest request, Integration integration, Map<String, String> usage) {}
        Grant grant = store.read(tx -> {
            AccessRequest request = tx.get(AccessRequest.class, requestId).orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "access request " + requestId + " does not exist"));
            RequestState state = AccessRequestLifecycle.effectiveState(request, now);
            if (state != RequestState.APPROVED) {
                throw new ApiException(ErrorCode.ACCESS_DENIED, "access request " + requestId + " is " + state
                        + ": OIDC tokens are issued only while it is APPROVED");
            }
            List<Role> requested = request.spec().roles().stream().map(r -> tx.get(Role.class, r)).flatMap(Optional::stream).toList();
            // Permission before existence: a name the request may not use gets the same answer whether it exists.
            if (!new RoleSet(requested).allows("integration", ask.integration(), RoleSet.Verb.USE)) {
                throw new ApiException(ErrorCode.ACCESS_DENIED, "the roles of access request " + requestId + " ("
                        + String.join(", ", request.spec().roles()) + ") may not use integration '" + ask.integration()
                        + "': a requested role needs rule {resources: [integration], verbs: [use]}");
            }
            Integration integration = tx.get(Integration.class, ask.integration()).orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "integration '" + ask.integration() + "' does not exist"));
            Map<String, String> usage = tx.certificate(IssuedCertificate.Kind.TLS, serial).map(IssuedCertificate::usage)
                    .orElse(Map.of());
            return new Grant(request, integration, usage);
        });
        String audience = grant.integration().spec().awsOidc().audience();
        if (ask.audience().filter(a -> !a.equals(audience)).isPresent()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "integration '" + ask.integration() + "' issues tokens for audience '"
                    + audience + "', not '" + ask.audience().get() + "'");
        }
        Instant certificateEnds = certificate.getNotAfter().toInstant();
        Instant expires = now.plus(OidcSigningKeys.MAX_TOKEN_TTL).isBefore(certificateEnds)
                ? now.plus(OidcSigningKeys.MAX_TOKEN_TTL) : certificateEnds;
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject("bot:" + caller.name())
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .jwtID(jti)
                .claim("access_request", requestId)
                .claim("roles", grant.request().spec().roles());
        Optional.ofNullable(grant.usage().get("build_url")).ifPresent(url -> claims.claim("build_url", url));
        String token = sign(claims.build());

        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("bot", caller.name());
        fields.put("integration", ask.integration());
        fields.put("role_arn", grant.integration().spec().awsOidc().roleArn());
        fields.put("audience", audience);
        fields.put("jti", jti);
        fields.put("expires", expires.toString());
        fields.put("tls_serial", serial);
        grant.usage().forEach(fields::putIfAbsent);
        store.write(tx -> {
            audit.record(tx, AuditEventType.OIDC_TOKEN_ISSUE, caller.name(), Optional.of(requestId), fields);
            return null;
        });
        return new OidcToken(token, jti, expires, ask.integration(), grant.integration().spec().awsOidc().roleArn(),
                sessionName(caller.name(), requestId));
    }

    /**
     * Rotates the signing key ({@code tctl auth rotate --type oidc}): a new key signs from now on; the old one stays in
     * the JWKS until the tokens it signed have expired. Needs rule {@code update} on {@code cert_authority}; audited.
     */
    public Map<String, Object> rotate(ClientIdentity caller) {
        store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "cert_authority", RoleSet.Verb.UPDATE);
            return null;
        });
        String kid = keys.rotate();
        List<String> published = keys.publicKeys().getKeys().stream().map(k -> k.getKeyID()).toList();
        store.write(tx -> {
            audit.record(tx, AuditEventType.OIDC_KEY_ROTATE, caller.name(), Optional.empty(),
                    Map.of("active_key", kid, "published_keys", published));
            return null;
        });
        return Map.of("active_key", kid, "published_keys", published);
    }

    /** AWS's RoleSessionName: [\w+=,.@-]{2,64}, naming the bot and the request. */
    static String sessionName(String bot, String requestId) {
        String safeBot = bot.replaceAll("[^\\w+=,.@-]", "-");
        int room = 64 - requestId.length() - 1;
        return (safeBot.length() > room ? safeBot.substring(0, room) : safeBot) + "@" + requestId;
    }

    private String sign(JWTClaimsSet claims) {
        RSAKey key = keys.active();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT)
                .build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an OIDC token", e);
        }
        return jwt.serialize();
    }
}
