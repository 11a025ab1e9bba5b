package io.jenkins.plugins.teleport.auth.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.util.Attributes;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections that hold the server without making progress, which an idle timeout alone does not catch (it
 * restarts with every byte): a TLS handshake not done within {@code handshake_timeout}, and request headers not
 * complete within {@code request_header_timeout} of their first byte. The body has its own deadline in
 * {@link ApiHandler}. A bean of the connector, so Jetty tells it about every connection it opens and every TLS
 * handshake that succeeds; one scheduled sweep checks them all.
 */
final class ConnectionDeadlines extends AbstractLifeCycle implements Connection.Listener, SslHandshakeListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDeadlines.class);
    private static final String ATTRIBUTE = ConnectionDeadlines.class.getName();
    private static final long SWEEP_MILLIS = 250;

    /** What is known of one TLS connection. */
    static final class Watch {
        private final SslConnection tls;
        private final long openedNanos = System.nanoTime();
        private final AtomicInteger exchanges = new AtomicInteger();
        private volatile boolean handshaken;
        private volatile Connection http;
        private volatile long bytesAtRest;
        private volatile long arrivingSince;

        Watch(SslConnection tls) {
            this.tls = tls;
        }

        /** A request's headers are complete and it is being handled: its deadlines are the handler's. */
        void exchangeStarted() {
            exchanges.incrementAndGet();
        }

        /** The answer is written: bytes from now on are the next request's. */
        void exchangeEnded() {
            Connection c = http;
            bytesAtRest = c == null ? 0 : c.getBytesIn();
            arrivingSince = 0;
            exchanges.decrementAndGet();
        }
    }

    private final Scheduler scheduler;
    private final long handshakeNanos;
    private final long headerNanos;
    private final Consumer<String> closed;
    private final Map<SSLEngine, Watch> watches = new ConcurrentHashMap<>();
    private volatile Scheduler.Task sweep;

    /** {@code closed} hears the reason ({@code handshake} or {@code headers}) of each connection closed here. */
    ConnectionDeadlines(Scheduler scheduler, Duration handshakeTimeout, Duration headerTimeout, Consumer<String> closed) {
        this.scheduler = scheduler;
        this.handshakeNanos = handshakeTimeout.toNanos();
        this.headerNanos = headerTimeout.toNanos();
        this.closed = closed;
    }

    /** The watch of the connection a request came on, if it is a TLS connection of this server. */
    static Watch of(org.eclipse.jetty.server.ConnectionMetaData connection) {
        return connection.getAttribute(ATTRIBUTE) instanceof Watch w ? w : null;
    }

    @Override
    protected void doStart() {
        sweep = scheduler.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = sweep;
        if (task != null) {
            task.cancel();
        }
        watches.clear();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof SslConnection tls) {
            watches.computeIfAbsent(tls.getSSLEngine(), e -> new Watch(tls));
        } else if (connection.getEndPoint() instanceof EndPoint.Wrapper wrapper
                && wrapper.unwrap().getConnection() instanceof SslConnection tls) {
            Watch watch = watches.computeIfAbsent(tls.getSSLEngine(), e -> new Watch(tls));
            watch.http = connection;
            if (connection instanceof Attributes attributes) {
                attributes.setAttribute(ATTRIBUTE, watch);
            }
        }
    }

    @Override
    public void onClosed(Connection connection) {
        if (connection instanceof SslConnection tls) {
            watches.remove(tls.getSSLEngine());
        }
    }

    @Override
    public void handshakeSucceeded(Event event) {
        Watch watch = watches.get(event.getSSLEngine());
        if (watch != null) {
            watch.handshaken = true;
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Watch w : watches.values()) {
                if (!w.handshaken) {
                    if (now - w.openedNanos > handshakeNanos) {
                        close(w, "handshake");
                    }
                    continue;
                }
                Connection http = w.http;
                if (http == null || w.exchanges.get() > 0) {
                    continue;
                }
                if (http.getBytesIn() > w.bytesAtRest) {
                    long since = w.arrivingSince;
                    if (since == 0) {
                        w.arrivingSince = now;
                    } else if (now - since > headerNanos) {
                        close(w, "headers");
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("event=deadline_sweep_failed error={}", e.toString());
        } finally {
            if (isRunning()) {
                sweep = scheduler.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void close(Watch w, String reason) {
        if (watches.remove(w.tls.getSSLEngine()) == null) {
            return;
        }
        EndPoint network = w.tls.getEndPoint();
        LOG.debug("event=slow_client_closed reason={} remote={}", reason, network.getRemoteSocketAddress());
        closed.accept(reason);
        network.close(new TimeoutException(reason + " not complete in time"));
    }
}
