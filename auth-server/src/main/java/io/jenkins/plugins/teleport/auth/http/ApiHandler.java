package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.ErrorResponse;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.Stages;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's entry into the route table. Each call's body is read without holding a thread (the read/demand model), at
 * most {@code max_body_bytes} of it and within {@code request_body_timeout}, and always completely before the call is
 * answered, so a refused call (404, 405, 415) leaves the connection ready for the next one. Then the route's handler
 * runs and its {@link Reply}, or the refusal, is written as JSON.
 */
final class ApiHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final List<Route> routes;
    private final Authenticator authenticator;
    private final int maxBodyBytes;
    private final Duration bodyTimeout;
    private final ApiMetrics metrics;

    ApiHandler(List<Route> routes, Authenticator authenticator, int maxBodyBytes, Duration bodyTimeout, ApiMetrics metrics) {
        this.routes = List.copyOf(routes);
        this.authenticator = authenticator;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        ConnectionDeadlines.Watch watch = ConnectionDeadlines.of(request.getConnectionMetaData());
        Callback done = watch == null ? callback : Callback.from(callback, watch::exchangeEnded);
        if (watch != null) {
            watch.exchangeStarted();
        }
        new Exchange(request, response, done).start();
        return true;
    }

    /** One call, from its headers to its answer. */
    private final class Exchange implements BodyReader.Outcome {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long started = System.nanoTime();

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void start() {
            BodyReader.read(request, maxBodyBytes, bodyTimeout, this, () -> metrics.slowClientClosed("body"));
        }

        @Override
        public void body(byte[] bytes) {
            dispatch(bytes);
        }

        @Override
        public void refused(ApiException refusal) {
            write(new Reply(refusal.code().httpStatus(), refusal.toResponse()), "none", Optional.of(refusal.code()),
                    Optional.empty(), true);
        }

        private void dispatch(byte[] bytes) {
            String method = request.getMethod();
            String path = Optional.ofNullable(request.getHttpURI().getPath()).orElse("");
            Caller caller = new Caller(clientCertificate(request), authenticator, method, path);
            String template = "none";
            Reply reply;
            Optional<ErrorCode> code = Optional.empty();
            try {
                String[] segments = Route.segments(path);
                Route route = route(method, path, segments);
                template = route.template();
                if (bytes.length > 0 && takesBody(method)) {
                    checkContentType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
                }
                byte[] given = takesBody(method) ? bytes : new byte[0];
                reply = route.handler().handle(new Call(method, path, route.match(segments).orElseThrow(), query(request), given,
                        caller, Request.getRemoteAddr(request)));
            } catch (RuntimeException e) {
                Failure failure = Failure.of(e, method, path);
                code = Optional.of(failure.code());
                reply = failure.reply();
            }
            if (reply.body() instanceof Reply.Deferred deferred) {
                answerLater(deferred, template, caller);
                return;
            }
            write(reply, template, code, caller.authenticated(), false);
        }

        /**
         * An answer that comes later (a long poll, or a write the store commits on its own thread): no thread waits
         * for it, and it is written on one of Jetty's request threads, never on the thread that completed it (the
         * store's single writer must not encrypt and send answers). A long poll's idle timeout is set aside for
         * this call: its handler bounds the wait.
         */
        private void answerLater(Reply.Deferred deferred, String template, Caller caller) {
            if (deferred.longPoll()) {
                request.addIdleTimeoutListener(timeout -> false);
            }
            deferred.reply().whenCompleteAsync((reply, failure) -> {
                if (failure == null) {
                    write(reply, template, Optional.empty(), caller.authenticated(), false);
                    return;
                }
                Failure answer = Failure.of(Stages.cause(failure), request.getMethod(), request.getHttpURI().getPath());
                write(answer.reply(), template, Optional.of(answer.code()), caller.authenticated(), false);
            }, request.getComponents().getExecutor());
        }

        private Route route(String method, String path, String[] segments) {
            boolean pathKnown = false;
            for (Route route : routes) {
                if (route.match(segments).isEmpty()) {
                    continue;
                }
                pathKnown = true;
                if (route.method().equals(method)) {
                    return route;
                }
            }
            if (pathKnown) {
                throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed on " + path);
            }
            throw new ApiException(ErrorCode.NOT_FOUND, "no endpoint " + path
                    + ": the endpoints are listed in api/src/main/resources/openapi.yaml");
        }

        private void write(Reply reply, String template, Optional<ErrorCode> code, Optional<ClientIdentity> caller, boolean close) {
            int status = reply.status();
            try {
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, reply.cacheControl());
                if (close) {
                    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
                }
                if (reply.body() == null) {
                    callback.succeeded();
                } else {
                    byte[] bytes;
                    if (reply.body() instanceof Reply.Raw raw) {
                        bytes = raw.bytes();
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, raw.contentType());
                    } else {
                        bytes = Json.mapper().writeValueAsBytes(reply.body());
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    }
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
                    response.write(true, ByteBuffer.wrap(bytes), callback);
                }
            } catch (Exception e) {
                LOG.debug("event=write_failed path={} error={}", request.getHttpURI().getPath(), e.toString());
                callback.failed(e);
            }
            long nanos = System.nanoTime() - started;
            metrics.record(request.getMethod(), template, status, code, nanos);
            LOG.info("event=api_call method={} path={} status={} ms={} caller={}", request.getMethod(),
                    request.getHttpURI().getPath(), status, nanos / 1_000_000, caller.map(Object::toString).orElse("-"));
        }
    }

    /**
     * The answer to a call that failed: the refusal it threw, or else a 500 naming an incident whose details (the
     * exception) are in the server log only.
     */
    private record Failure(Reply reply, ErrorCode code) {
        static Failure of(Throwable failure, String method, String path) {
            if (failure instanceof ApiException e) {
                return new Failure(new Reply(e.code().httpStatus(), e.toResponse()), e.code());
            }
            String incident = UUID.randomUUID().toString();
            LOG.error("event=internal_error incident={} method={} path={}", incident, method, path, failure);
            return new Failure(new Reply(500, new ErrorResponse(ErrorCode.INTERNAL,
                    "internal error (incident " + incident + "): the server log has the details")), ErrorCode.INTERNAL);
        }
    }

    private static boolean takesBody(String method) {
        return !(method.equals("GET") || method.equals("DELETE") || method.equals("HEAD"));
    }

    /** {@code application/json}, with no parameter but {@code charset=utf-8}; a missing type is taken as JSON. */
    static void checkContentType(String type) {
        if (type == null) {
            return;
        }
        String[] parts = type.split(";", -1);
        boolean json = parts[0].strip().equalsIgnoreCase("application/json");
        for (int i = 1; json && i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            String value = param.length == 2 ? param[1].strip().replace("\"", "") : "";
            json = param[0].strip().equalsIgnoreCase("charset") && value.equalsIgnoreCase("utf-8");
        }
        if (!json) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send the body as application/json (optionally with charset=utf-8), not " + type);
        }
    }

    private static Optional<X509Certificate> clientCertificate(Request request) {
        if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls) {
            X509Certificate[] chain = tls.peerCertificates();
            return chain != null && chain.length > 0 ? Optional.of(chain[0]) : Optional.empty();
        }
        return Optional.empty();
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> out = new HashMap<>();
        String raw = request.getHttpURI().getQuery();
        if (raw == null) {
            return out;
        }
        try {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(key, value);
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "malformed query string: " + e.getMessage());
        }
        return out;
    }
}
