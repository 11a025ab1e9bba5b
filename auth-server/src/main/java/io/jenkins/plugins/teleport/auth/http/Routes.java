package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.CancelAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateToken;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.ItemList;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Messages.OidcTokenRequest;
import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.api.Messages.Release;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Messages.UserCertRequest;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.CertificateIssuer;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.ca.RevocationLists;
import io.jenkins.plugins.teleport.auth.ca.UserCertificates;
import io.jenkins.plugins.teleport.auth.join.JoinService;
import io.jenkins.plugins.teleport.auth.join.TokenService;
import io.jenkins.plugins.teleport.auth.locks.LockService;
import io.jenkins.plugins.teleport.auth.oidc.OidcIdentityProvider;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestService;
import io.jenkins.plugins.teleport.auth.resources.ResourceService;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The API's route table: each handler parses, calls one operation, and maps its result. */
public final class Routes {

    private Routes() {}

    /** What the handlers call. */
    public record Services(Ping ping, ResourceService resources, AccessRequestService requests, AuditLog audit,
                           UserCertificates userCerts, TokenService tokens, JoinService joins, LockService locks,
                           CertificateIssuer issuer, RevocationLists revocations, OidcIdentityProvider oidc) {}

    /** The route table's methods and paths, without services behind them (for documents and tests that list routes). */
    public static List<Route> shape() {
        return all(new Services(null, null, null, null, null, null, null, null, null, null, null));
    }

    public static List<Route> all(Services s) {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("GET", "/v1/ping", call -> Reply.ok(s.ping())));
        routes.add(new Route("GET", "/v1/ca/ssh", call -> Reply.raw("text/plain; charset=utf-8",
                s.issuer().sshCaKeys().getBytes(StandardCharsets.UTF_8))));
        routes.add(new Route("GET", "/v1/revocations/krl", call -> Reply.raw("application/octet-stream", s.revocations().krl())));
        routes.add(new Route("GET", "/v1/revocations/crl", call -> {
            X509CRL crl = s.revocations().crl();
            return call.query("format").filter("pem"::equals).isPresent()
                    ? Reply.raw("application/x-pem-file", Pem.encode(crl).getBytes(StandardCharsets.UTF_8))
                    : Reply.raw("application/pkix-crl", encoded(crl));
        }));
        routes.add(new Route("GET", OidcIdentityProvider.DISCOVERY_PATH, call -> Reply.cacheable("application/json",
                json(s.oidc().discovery()), Duration.ofHours(1))));
        routes.add(new Route("GET", OidcIdentityProvider.JWKS_PATH, call -> Reply.cacheable("application/json",
                s.oidc().jwks().getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5))));
        routes.add(new Route("POST", "/v1/oidc/token", call -> Reply.ok(s.oidc().issue(call.callerForOwnRequest(),
                call.callerCertificate(), call.body(OidcTokenRequest.class)))));
        routes.add(new Route("POST", "/v1/authorities/oidc/rotate", call -> Reply.ok(s.oidc().rotate(call.caller()))));
        routes.add(new Route("POST", "/v1/join", call -> {
            call.refuseRequestBoundCertificate();
            return Reply.ok(s.joins().join(call.body(JoinRequest.class), call.remoteAddress()));
        }));
        routes.add(new Route("POST", "/v1/certs", call -> Reply.later(s.issuer().issueLater(call.caller(),
                call.body(IssueCertificates.class)).thenApply(Reply::ok))));
        routes.add(new Route("POST", "/v1/access-requests/{id}/release", call -> Reply.ok(s.issuer().release(call.callerFor(call.param("id")),
                call.param("id"), call.body().length == 0 ? new Release(null) : call.body(Release.class)))));
        routes.add(new Route("GET", "/v1/tokens", call -> Reply.ok(new ItemList<>(s.tokens().list(call.caller())))));
        routes.add(new Route("POST", "/v1/tokens", call -> Reply.created(s.tokens().create(call.caller(), call.body(CreateToken.class)))));
        routes.add(new Route("PUT", "/v1/tokens/{name}", call -> {
            Resource stored = s.resources().put(call.caller(), resourceBody(call, Kind.TOKEN, Optional.of(call.param("name"))));
            return stored.metadata().revision() == 1 ? Reply.created(stored) : Reply.ok(stored);
        }));
        routes.add(new Route("DELETE", "/v1/tokens/{name}", call -> {
            s.tokens().delete(call.caller(), call.param("name"));
            return Reply.noContent();
        }));
        routes.add(new Route("GET", "/v1/locks", call -> Reply.ok(new ItemList<>(s.locks().list(call.caller())))));
        routes.add(new Route("POST", "/v1/locks", call -> Reply.created(s.locks().create(call.caller(), call.body(Lock.class)))));
        routes.add(new Route("DELETE", "/v1/locks/{name}", call -> {
            s.locks().delete(call.caller(), call.param("name"));
            return Reply.noContent();
        }));

        for (Kind kind : List.of(Kind.ROLE, Kind.USER, Kind.BOT, Kind.INTEGRATION, Kind.REVIEW_RULE)) {
            String collection = "/v1/" + kind.collection();
            String item = collection + "/{name}";
            routes.add(new Route("GET", collection, call -> Reply.ok(new ItemList<>(s.resources().list(call.caller(), kind)))));
            routes.add(new Route("POST", collection, call ->
                    Reply.created(s.resources().create(call.caller(), resourceBody(call, kind, Optional.empty())))));
            routes.add(new Route("GET", item, call -> Reply.ok(s.resources().get(call.caller(), kind, call.param("name")))));
            routes.add(new Route("PUT", item, call -> {
                Resource stored = s.resources().put(call.caller(), resourceBody(call, kind, Optional.of(call.param("name"))));
                return stored.metadata().revision() == 1 ? Reply.created(stored) : Reply.ok(stored);
            }));
            routes.add(new Route("DELETE", item, call -> {
                s.resources().delete(call.caller(), kind, call.param("name"));
                return Reply.noContent();
            }));
        }
        routes.add(new Route("POST", "/v1/users/{name}/certs", call ->
                Reply.ok(s.userCerts().issue(call.caller(), call.param("name"), call.body(UserCertRequest.class)))));

        routes.add(new Route("GET", "/v1/access-requests", call -> Reply.ok(new ItemList<>(s.requests().list(call.caller(),
                call.query("bot"), call.query("state").map(Routes::state))))));
        routes.add(new Route("POST", "/v1/access-requests", call ->
                Reply.created(s.requests().create(call.caller(), call.body(CreateAccessRequest.class)))));
        routes.add(new Route("GET", "/v1/access-requests/{id}", call -> {
            String id = call.param("id");
            Optional<Long> after = call.queryLong("after_revision");
            Optional<Duration> wait = call.queryDuration("wait");
            if (wait.isEmpty()) {
                if (after.isPresent()) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "after_revision needs wait, e.g. ?wait=30s&after_revision=3");
                }
                return Reply.ok(s.requests().get(call.callerFor(id), id));
            }
            return Reply.longPoll(s.requests().whenChanged(call.callerFor(id), id, after, wait.get()).thenApply(Reply::ok));
        }));
        routes.add(new Route("DELETE", "/v1/access-requests/{id}", call -> {
            s.requests().delete(call.caller(), call.param("id"));
            return Reply.noContent();
        }));
        routes.add(new Route("POST", "/v1/access-requests/{id}/cancel", call -> Reply.ok(s.requests().cancel(call.caller(),
                call.param("id"), call.body().length == 0 ? new CancelAccessRequest(null) : call.body(CancelAccessRequest.class)))));
        routes.add(new Route("POST", "/v1/access-requests/{id}/reviews", call ->
                Reply.ok(s.requests().review(call.caller(), call.param("id"), call.body(SubmitReview.class)))));

        routes.add(new Route("GET", "/v1/audit/events", call -> Reply.ok(new ItemList<>(s.audit().search(call.caller(),
                call.queryUuid("request_id"), call.queryInstant("from"), call.queryInstant("to"),
                call.queryInt("limit", 500))))));
        return routes;
    }

    private static Resource resourceBody(Call call, Kind kind, Optional<String> pathName) {
        Resource resource = call.body(kind.type());
        if (!resource.kind().equals(kind.wireName())) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "this endpoint takes kind '" + kind.wireName() + "', not '"
                    + resource.kind() + "'");
        }
        if (pathName.isPresent() && !pathName.get().equals(resource.name())) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "metadata.name '" + resource.name()
                    + "' does not match the name in the path '" + pathName.get() + "'");
        }
        return resource;
    }

    private static byte[] json(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RequestState state(String text) {
        try {
            return RequestState.valueOf(text.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unknown state '" + text + "': use PENDING, APPROVED, DENIED, CONSUMED, CANCELLED or EXPIRED");
        }
    }
}
