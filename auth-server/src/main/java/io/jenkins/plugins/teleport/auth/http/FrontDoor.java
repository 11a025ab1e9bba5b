package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's first handler: a request for a page ({@link Pages#serves}) goes to the pages, everything else to the
 * API's {@link ApiHandler}. Pages get what API calls get: the body read without a thread, bounded in size and time,
 * and the connection's deadlines paused while the request is handled.
 */
final class FrontDoor extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(FrontDoor.class);

    private final Pages pages;
    private final int maxBodyBytes;
    private final Duration bodyTimeout;
    private final ApiMetrics metrics;

    FrontDoor(Handler api, Pages pages, int maxBodyBytes, Duration bodyTimeout, ApiMetrics metrics) {
        super(api);
        this.pages = pages;
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Optional.ofNullable(request.getHttpURI().getPath()).orElse("");
        if (!pages.serves(path)) {
            return super.handle(request, response, callback);
        }
        ConnectionDeadlines.Watch watch = ConnectionDeadlines.of(request.getConnectionMetaData());
        Callback done = watch == null ? callback : Callback.from(callback, watch::exchangeEnded);
        if (watch != null) {
            watch.exchangeStarted();
        }
        long started = System.nanoTime();
        BodyReader.read(request, maxBodyBytes, bodyTimeout, new BodyReader.Outcome() {
            @Override
            public void body(byte[] bytes) {
                write(request, response, done, answer(request, path, bytes), false, started);
            }

            @Override
            public void refused(ApiException refusal) {
                write(request, response, done, plain(refusal.code().httpStatus(), refusal.getMessage()), true, started);
            }
        }, () -> metrics.slowClientClosed("body"));
        return true;
    }

    private Pages.Reply answer(Request request, String path, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            headers.merge(name, field.getValue(), (a, b) -> a + (name.equals("cookie") ? "; " : ", ") + b);
        }
        try {
            return pages.handle(new Pages.Request(request.getMethod(), path,
                    Optional.ofNullable(request.getHttpURI().getQuery()).orElse(""), headers, body, Request.getRemoteAddr(request)));
        } catch (RuntimeException e) {
            String incident = UUID.randomUUID().toString();
            LOG.error("event=internal_error incident={} method={} path={}", incident, request.getMethod(), pages.loggable(path), e);
            return plain(500, "internal error (incident " + incident + "): the server log has the details");
        }
    }

    /** What the transport answers itself (a body too large or too slow, an internal error): text that runs nothing. */
    private static Pages.Reply plain(int status, String message) {
        return new Pages.Reply(status, "text/plain; charset=utf-8", java.util.List.of(
                Map.entry("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
                Map.entry("X-Frame-Options", "DENY"), Map.entry("X-Content-Type-Options", "nosniff")),
                (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void write(Request request, Response response, Callback callback, Pages.Reply reply, boolean close, long started) {
        try {
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            reply.headers().forEach(h -> response.getHeaders().add(h.getKey(), h.getValue()));
            if (close) {
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, reply.body().length);
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
        } catch (RuntimeException e) {
            LOG.debug("event=write_failed path={} error={}", pages.loggable(request.getHttpURI().getPath()), e.toString());
            callback.failed(e);
        }
        long nanos = System.nanoTime() - started;
        metrics.record(request.getMethod(), "/web", reply.status(), Optional.empty(), nanos);
        LOG.info("event=page method={} path={} status={} ms={}", request.getMethod(), pages.loggable(request.getHttpURI().getPath()),
                reply.status(), nanos / 1_000_000);
    }
}
