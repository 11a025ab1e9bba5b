package io.jenkins.plugins.teleport.auth.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.ErrorResponse;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS server of the API. Clients authenticate with certificates of the cluster's CA (mTLS); the TLS layer
 * refuses certificates of other CAs and expired ones. Every reply is JSON; every refusal has the one error shape.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    static {
        // The JDK server writes a response's headers and body separately; without TCP_NODELAY, Nagle's algorithm
        // and the client's delayed ACK add ~40 ms to every call. Read once, when the JDK server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final long DRAIN_BYTES = 16L << 20;

    private final HttpsServer server;
    private final ExecutorService workers;
    private final List<Route> routes;
    private final Authenticator authenticator;
    private final int maxBodyBytes;

    public ApiServer(InetSocketAddress address, SSLContext tls, List<Route> routes, Authenticator authenticator,
                     int maxBodyBytes, int threads) throws IOException {
        this.routes = List.copyOf(routes);
        this.authenticator = authenticator;
        this.maxBodyBytes = maxBodyBytes;
        this.server = HttpsServer.create(address, 256);
        this.server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = tls.getDefaultSSLParameters();
                // "want", not "need": ping and the published CA material are readable without a certificate.
                p.setWantClientAuth(true);
                p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                params.setSSLParameters(p);
            }
        });
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "api-worker");
            t.setDaemon(true);
            return t;
        });
        this.server.setExecutor(workers);
        this.server.createContext("/", this::dispatch);
    }

    public void start() {
        server.start();
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(HttpExchange exchange) {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Caller caller = new Caller(clientCertificate(exchange), authenticator, method, path);
        Reply reply;
        try {
            reply = route(exchange, method, path, caller);
        } catch (ApiException e) {
            reply = new Reply(e.code().httpStatus(), e.toResponse());
        } catch (RuntimeException e) {
            String incident = UUID.randomUUID().toString();
            LOG.error("event=internal_error incident={} method={} path={}", incident, method, path, e);
            reply = new Reply(500, new ErrorResponse(ErrorCode.INTERNAL,
                    "internal error (incident " + incident + "): the server log has the details"));
        }
        int status = write(exchange, reply);
        LOG.info("event=api_call method={} path={} status={} ms={} caller={}", method, path, status,
                (System.nanoTime() - started) / 1_000_000, caller.authenticated().map(Object::toString).orElse("-"));
    }

    private Reply route(HttpExchange exchange, String method, String path, Caller caller) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.match(path);
            if (params.isEmpty()) {
                continue;
            }
            pathKnown = true;
            if (route.method().equals(method)) {
                byte[] body = readBody(exchange, method);
                return route.handler().handle(new Call(method, path, params.get(), query(exchange), body, caller,
                        exchange.getRemoteAddress().getAddress().getHostAddress()));
            }
        }
        if (pathKnown) {
            throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed on " + path);
        }
        throw new ApiException(ErrorCode.NOT_FOUND, "no endpoint " + path + ": the endpoints are listed in api/src/main/resources/openapi.yaml");
    }

    private static Optional<X509Certificate> clientCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = https.getSSLSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? Optional.of(x509) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    private byte[] readBody(HttpExchange exchange, String method) {
        if (method.equals("GET") || method.equals("DELETE") || method.equals("HEAD")) {
            return new byte[0];
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.toLowerCase().startsWith("application/json")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as application/json, not " + type);
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                // Read (a bounded amount of) the rest, so a client still sending sees the 413 rather than a reset.
                // (read, not skip: the JDK's HTTPS body stream passes skip past the body's end to the socket.)
                byte[] discard = new byte[64 * 1024];
                for (long drained = 0, n; drained < DRAIN_BYTES && (n = in.read(discard)) > 0; drained += n) {
                    // discard
                }
                throw tooLarge();
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "could not read the request body: " + e.getMessage());
        }
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than " + maxBodyBytes + " bytes");
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
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

    private static int write(HttpExchange exchange, Reply reply) {
        try (exchange) {
            if (reply.body() == null) {
                exchange.sendResponseHeaders(reply.status(), -1);
                return reply.status();
            }
            byte[] bytes;
            if (reply.body() instanceof Reply.Raw raw) {
                bytes = raw.bytes();
                exchange.getResponseHeaders().set("Content-Type", raw.contentType());
            } else {
                bytes = Json.mapper().writeValueAsBytes(reply.body());
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("event=client_gone path={} error={}", exchange.getRequestURI().getRawPath(), e.toString());
        }
        return reply.status();
    }
}
