package io.jenkins.plugins.teleport.jenkins;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import hudson.model.UnprotectedRootAction;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.StaplerResponse2;

/**
 * A stand-in for the Jenkins URL space in front of one unprotected root action, on an ephemeral loopback port: each
 * request under {@code /<urlName>} reaches the action's {@code doDynamic} as Stapler dispatches it (the rest of the
 * path below the action, the method, the response's status, headers and body), with no authentication, as Jenkins
 * lets anonymous callers reach an {@link UnprotectedRootAction}. Anything else is 404, as Jenkins answers for a path
 * no object takes.
 */
final class RootActionServer implements AutoCloseable {

    private final HttpServer http;

    RootActionServer(TeleportOidcIssuer action) throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String prefix = "/" + action.getUrlName();
        http.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                if (!path.startsWith(prefix + "/")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                Response rsp = new Response();
                action.doDynamic(request(exchange, path.substring(prefix.length())), rsp.proxy());
                rsp.send(exchange);
            }
        });
        http.start();
    }

    /** The Jenkins URL this server stands for, with its trailing slash (as {@code Jenkins.getRootUrl()} gives it). */
    String rootUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
    }

    URI uri(String path) {
        return URI.create(rootUrl()).resolve(path);
    }

    private static StaplerRequest2 request(HttpExchange exchange, String rawRest) {
        String decoded = java.net.URLDecoder.decode(rawRest.replace("+", "%2B"), StandardCharsets.UTF_8);
        return (StaplerRequest2) Proxy.newProxyInstance(RootActionServer.class.getClassLoader(), new Class<?>[] {StaplerRequest2.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> exchange.getRequestMethod();
                    case "getOriginalRestOfPath" -> rawRest;
                    case "getRestOfPath" -> decoded;
                    case "getRequestURI" -> exchange.getRequestURI().getRawPath();
                    case "getHeader" -> exchange.getRequestHeaders().getFirst((String) args[0]);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "request " + exchange.getRequestURI();
                    default -> throw new UnsupportedOperationException("the stand-in request does not implement " + method);
                });
    }

    /** What the action writes: status, headers and body, sent once it returns. */
    private static final class Response {
        int status = 200;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        StaplerResponse2 proxy() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("the stand-in response writes synchronously: no write listener");
                }
            };
            return (StaplerResponse2) Proxy.newProxyInstance(RootActionServer.class.getClassLoader(), new Class<?>[] {StaplerResponse2.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "setStatus" -> {
                            status = (Integer) args[0];
                            yield null;
                        }
                        case "sendError" -> {
                            status = (Integer) args[0];
                            body.reset();
                            if (args.length > 1) {
                                body.writeBytes(String.valueOf(args[1]).getBytes(StandardCharsets.UTF_8));
                            }
                            yield null;
                        }
                        case "setHeader" -> {
                            headers.put((String) args[0], (String) args[1]);
                            yield null;
                        }
                        case "setContentType" -> {
                            headers.put("Content-Type", (String) args[0]);
                            yield null;
                        }
                        case "setContentLength" -> null; // the server computes it from the body
                        case "getOutputStream" -> out;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "response " + status;
                        default -> throw new UnsupportedOperationException("the stand-in response does not implement " + method);
                    });
        }

        void send(HttpExchange exchange) throws IOException {
            headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] bytes = body.toByteArray();
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
            if (!head && bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
