package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTPS server of the API: embedded Jetty 12 (its core Handler API, no servlets), HTTP/1.1 over TLS 1.2/1.3.
 * Clients authenticate with certificates of the cluster's CA (mTLS, "want" rather than "need", so that ping and the
 * published CA material are readable without one); the TLS layer refuses certificates of other CAs and expired ones.
 * Every limit of {@link ServerConfig.Http} is applied here: connections, threads, handshake, header, body and idle
 * timeouts, header and body sizes. Every reply of the API is JSON; every refusal has the one error shape. The web
 * pages, when given, are served on the same port under their own paths ({@link Pages}).
 */
public final class ApiServer implements AutoCloseable {

    /** Jetty's own threads besides the request handlers: one acceptor and one selector. */
    private static final int ACCEPTORS = 1;
    private static final int SELECTORS = 1;

    private final Server server;
    private final ServerConnector connector;

    public ApiServer(InetSocketAddress address, SSLContext tls, List<Route> routes, Authenticator authenticator,
                     ServerConfig.Http limits, ApiMetrics metrics) {
        this(address, tls, routes, authenticator, limits, metrics, Optional.empty());
    }

    /** The API, and {@code pages} (the web pages) on the paths they serve, on one transport with the same limits. */
    public ApiServer(InetSocketAddress address, SSLContext tls, List<Route> routes, Authenticator authenticator,
                     ServerConfig.Http limits, ApiMetrics metrics, Optional<Pages> pages) {
        QueuedThreadPool threads = new QueuedThreadPool(limits.threads() + ACCEPTORS + SELECTORS,
                Math.min(4, limits.threads()) + ACCEPTORS + SELECTORS);
        threads.setName("api");
        // No reserved threads: the handlers run on at most http.threads threads, whatever Jetty's heuristics.
        threads.setReservedThreads(0);
        server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Handlers start when the headers are complete; the body has its own deadline (ApiHandler).
        http.setDelayDispatchUntilContent(false);
        // No SNI host check: clients here connect by IP address, and mTLS (not the host name) authenticates them.
        http.addCustomizer(new SecureRequestCustomizer(false));

        SslContextFactory.Server sslFactory = new SslContextFactory.Server();
        sslFactory.setSslContext(tls);
        sslFactory.setWantClientAuth(true);
        sslFactory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        sslFactory.setRenegotiationAllowed(false);
        sslFactory.setEndpointIdentificationAlgorithm(null);

        connector = new ServerConnector(server, ACCEPTORS, SELECTORS,
                new SslConnectionFactory(sslFactory, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(512);
        connector.addBean(new ConnectionDeadlines(connector.getScheduler(), limits.handshakeTimeout(),
                limits.requestHeaderTimeout(), metrics::slowClientClosed));
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        Handler api = new ApiHandler(routes, authenticator, limits.maxBodyBytes(), limits.requestBodyTimeout(), metrics);
        server.setHandler(pages.<Handler>map(p -> new FrontDoor(api, p, limits.maxBodyBytes(), limits.requestBodyTimeout(), metrics))
                .orElse(api));
        server.setErrorHandler(new ErrorPage(limits.maxHeaderBytes(), limits.maxBodyBytes(), limits.requestBodyTimeout()));
        server.setStopTimeout(2_000);
    }

    public void start() throws IOException {
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IOException("cannot start the API server: " + e.getMessage(), e);
        }
    }

    /** The bound port (useful when the configured port was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort: the process is going away or the test is over
        }
    }
}
