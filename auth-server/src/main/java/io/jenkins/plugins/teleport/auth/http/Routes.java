package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.ItemList;
import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Messages.UserCertRequest;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.UserCertificates;
import io.jenkins.plugins.teleport.auth.requests.AccessRequestService;
import io.jenkins.plugins.teleport.auth.resources.ResourceService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The API's route table: each handler parses, calls one operation, and maps its result. */
public final class Routes {

    private Routes() {}

    public static List<Route> all(Ping ping, ResourceService resources, AccessRequestService requests, AuditLog audit,
                                  UserCertificates userCerts) {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("GET", "/v1/ping", call -> Reply.ok(ping)));

        for (Kind kind : List.of(Kind.ROLE, Kind.USER, Kind.BOT)) {
            String collection = "/v1/" + kind.collection();
            String item = collection + "/{name}";
            routes.add(new Route("GET", collection, call -> Reply.ok(new ItemList<>(resources.list(call.caller(), kind)))));
            routes.add(new Route("POST", collection, call ->
                    Reply.created(resources.create(call.caller(), resourceBody(call, kind, Optional.empty())))));
            routes.add(new Route("GET", item, call -> Reply.ok(resources.get(call.caller(), kind, call.param("name")))));
            routes.add(new Route("PUT", item, call -> {
                Resource stored = resources.put(call.caller(), resourceBody(call, kind, Optional.of(call.param("name"))));
                return stored.metadata().revision() == 1 ? Reply.created(stored) : Reply.ok(stored);
            }));
            routes.add(new Route("DELETE", item, call -> {
                resources.delete(call.caller(), kind, call.param("name"));
                return Reply.noContent();
            }));
        }
        routes.add(new Route("POST", "/v1/users/{name}/certs", call ->
                Reply.ok(userCerts.issue(call.caller(), call.param("name"), call.body(UserCertRequest.class)))));

        routes.add(new Route("GET", "/v1/access-requests", call -> Reply.ok(new ItemList<>(requests.list(call.caller(),
                call.query("bot"), call.query("state").map(Routes::state))))));
        routes.add(new Route("POST", "/v1/access-requests", call ->
                Reply.created(requests.create(call.caller(), call.body(CreateAccessRequest.class)))));
        routes.add(new Route("GET", "/v1/access-requests/{id}", call -> Reply.ok(requests.get(call.caller(), call.param("id")))));
        routes.add(new Route("DELETE", "/v1/access-requests/{id}", call -> {
            requests.delete(call.caller(), call.param("id"));
            return Reply.noContent();
        }));
        routes.add(new Route("POST", "/v1/access-requests/{id}/reviews", call ->
                Reply.ok(requests.review(call.caller(), call.param("id"), call.body(SubmitReview.class)))));

        routes.add(new Route("GET", "/v1/audit/events", call -> Reply.ok(new ItemList<>(audit.search(call.caller(),
                call.query("request_id"), call.queryInstant("from"), call.queryInstant("to"),
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

    private static RequestState state(String text) {
        try {
            return RequestState.valueOf(text.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "unknown state '" + text + "': use PENDING, APPROVED, DENIED or EXPIRED");
        }
    }
}
