package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Tls;
import io.jenkins.plugins.teleport.auth.rbac.Authenticator;
import io.jenkins.plugins.teleport.auth.testing.RawHttps;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every limit of the API's transport ({@code http.*} in the configuration) is hit once, on the real Jetty server
 * with small values, and answered the documented way. Deadlines are checked against an idle timeout far longer
 * than them, so that it is the limit under test that closes the connection.
 */
class TransportLimitsTest {

    private static final CertificateAuthority CA = CertificateAuthority.generate("limits", Clock.systemUTC());
    private static final Duration LONG = Duration.ofSeconds(60);

    private ApiServer server;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    private InetSocketAddress start(ServerConfig.Http limits) throws IOException {
        KeyPair key = CertificateAuthority.newKeyPair();
        X509Certificate cert = CA.issueServer(key.getPublic(), List.of("127.0.0.1"), Duration.ofHours(1), Instant.now());
        List<Route> routes = List.of(
                new Route("GET", "/v1/ping", call -> Reply.ok(Map.of("pong", true))),
                new Route("POST", "/v1/echo", call -> Reply.ok(Map.of("bytes", call.body().length))),
                new Route("GET", "/v1/block", call -> {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inFlight.decrementAndGet();
                    return Reply.ok(Map.of("released", true));
                }));
        server = new ApiServer(new InetSocketAddress("127.0.0.1", 0),
                Tls.context(key.getPrivate(), List.of(cert, CA.certificate()), List.of(CA.certificate())),
                routes, new Authenticator(null, null, Clock.systemUTC()), limits, new ApiMetrics());
        server.start();
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
    }

    private static ServerConfig.Http limits(int maxConnections, int threads, Duration handshake, Duration header,
                                            Duration body, Duration idle, int maxHeaderBytes, int maxBodyBytes) {
        return new ServerConfig.Http(maxConnections, threads, handshake, header, body, idle, maxHeaderBytes, maxBodyBytes);
    }

    private static SSLContext trustingCa() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CA.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(RawHttps.Answer answer) throws IOException {
        assertEquals("application/json", answer.headers().get("content-type"), answer.toString());
        return Json.mapper().readTree(answer.body());
    }

    /** Seconds until the server closes the connection (the socket's own timeout ends the wait). */
    private static double secondsUntilClosed(InputStream in) {
        long start = System.nanoTime();
        byte[] buf = new byte[1024];
        try {
            while (in.read(buf) >= 0) {
                // an answer may come first
            }
        } catch (java.net.SocketTimeoutException e) {
            return Double.POSITIVE_INFINITY;
        } catch (IOException e) {
            // reset: closed
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    void maxBodyBytesRefusesALargerBodyWith413() throws Exception {
        InetSocketAddress at = start(limits(0, 0, null, null, null, null, 0, 1024));
        try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
            RawHttps.Answer fits = c.call("POST", "/v1/echo", "Content-Type: application/json\r\n", "x".repeat(1024));
            assertEquals(200, fits.status(), fits.body());
            assertEquals(1024, json(fits).path("bytes").asInt());
            RawHttps.Answer over = c.call("POST", "/v1/echo", "Content-Type: application/json\r\n", "x".repeat(1025));
            assertEquals(413, over.status());
            assertEquals("payload_too_large", json(over).path("code").asText());
            assertTrue(json(over).path("message").asText().contains("http.max_body_bytes"), over.body());
            assertTrue(over.closes(), "the unread rest of the body ends the connection: " + over.headers());
        }
        try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
            String chunk = "x".repeat(600);
            c.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
            RawHttps.Answer chunked = c.read();
            assertEquals(413, chunked.status(), chunked.body());
        }
    }

    @Test
    void maxHeaderBytesRefusesLargerHeadersWith431() throws Exception {
        InetSocketAddress at = start(limits(0, 0, null, null, null, null, 2048, 0));
        try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
            RawHttps.Answer ok = c.call("GET", "/v1/ping", "X-Pad: " + "a".repeat(1000) + "\r\n", "");
            assertEquals(200, ok.status());
            RawHttps.Answer over = c.call("GET", "/v1/ping", "X-Pad: " + "a".repeat(3000) + "\r\n", "");
            assertEquals(431, over.status());
            assertEquals("headers_too_large", json(over).path("code").asText());
            assertTrue(json(over).path("message").asText().contains("http.max_header_bytes"), over.body());
        }
    }

    @Test
    void handshakeTimeoutClosesAStalledAndADribbledHandshake() throws Exception {
        InetSocketAddress at = start(limits(0, 0, Duration.ofSeconds(1), LONG, LONG, LONG, 0, 0));
        try (Socket stalled = new Socket()) {
            stalled.connect(at, 5_000);
            stalled.setSoTimeout(10_000);
            stalled.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            double closed = secondsUntilClosed(stalled.getInputStream());
            assertTrue(closed < 5, "closed after " + closed + " s");
        }
        // A real ClientHello, one byte every 100 ms: the idle timeout never fires, the handshake deadline does.
        SSLEngine client = trustingCa().createSSLEngine("127.0.0.1", at.getPort());
        client.setUseClientMode(true);
        ByteBuffer hello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        try (Socket dribbled = new Socket()) {
            dribbled.connect(at, 5_000);
            dribbled.setSoTimeout(10_000);
            CompletableFuture<Double> closed = CompletableFuture.supplyAsync(() -> secondsUntilClosed(inputOf(dribbled)));
            OutputStream out = dribbled.getOutputStream();
            long start = System.nanoTime();
            try {
                while (hello.hasRemaining() && !closed.isDone()) {
                    out.write(hello.get());
                    out.flush();
                    Thread.sleep(100); // the slow client's pace
                }
            } catch (IOException e) {
                // the server closed it while we were writing
            }
            closed.get(10, TimeUnit.SECONDS);
            double after = (System.nanoTime() - start) / 1e9;
            assertTrue(after < 5, "a dribbled handshake was closed only after " + after + " s");
            assertTrue(hello.hasRemaining(), "the handshake was closed before the client finished sending it");
        }
    }

    @Test
    void requestHeaderTimeoutClosesADribbledHeader() throws Exception {
        InetSocketAddress at = start(limits(0, 0, LONG, Duration.ofSeconds(1), LONG, LONG, 0, 0));
        try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
            assertEquals(200, c.call("GET", "/v1/ping", "", "").status());
            CompletableFuture<Double> closed = CompletableFuture.supplyAsync(() -> secondsUntilClosed(c.input()));
            long start = System.nanoTime();
            c.send("GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            try {
                for (int i = 0; i < 100 && !closed.isDone(); i++) {
                    c.send("a");
                    Thread.sleep(100); // the slow client's pace
                }
            } catch (IOException e) {
                // closed while writing
            }
            closed.get(10, TimeUnit.SECONDS);
            double after = (System.nanoTime() - start) / 1e9;
            assertTrue(after < 5, "a dribbled header was closed only after " + after + " s");
        }
    }

    @Test
    void requestBodyTimeoutAnswers408AndCloses() throws Exception {
        InetSocketAddress at = start(limits(0, 0, LONG, LONG, Duration.ofSeconds(1), LONG, 0, 0));
        try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
            long start = System.nanoTime();
            c.send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
            CompletableFuture<RawHttps.Answer> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.read();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                for (int i = 0; i < 99 && !answer.isDone(); i++) {
                    c.send("a");
                    Thread.sleep(100); // the slow client's pace
                }
            } catch (IOException e) {
                // closed while writing
            }
            RawHttps.Answer timedOut = answer.get(10, TimeUnit.SECONDS);
            double after = (System.nanoTime() - start) / 1e9;
            assertEquals(408, timedOut.status(), timedOut.body());
            assertEquals("request_timeout", json(timedOut).path("code").asText());
            assertTrue(timedOut.closes());
            assertTrue(after < 5, "answered after " + after + " s");
        }
    }

    @Test
    void idleTimeoutClosesAConnectionWithNothingInFlight() throws Exception {
        InetSocketAddress at = start(limits(0, 0, LONG, LONG, LONG, Duration.ofSeconds(1), 0, 0));
        try (RawHttps silent = RawHttps.open(trustingCa(), at, 10_000)) {
            assertTrue(secondsUntilClosed(silent.input()) < 5);
        }
        try (RawHttps kept = RawHttps.open(trustingCa(), at, 10_000)) {
            assertEquals(200, kept.call("GET", "/v1/ping", "", "").status());
            assertTrue(secondsUntilClosed(kept.input()) < 5);
        }
    }

    @Test
    void maxConnectionsMakesFurtherConnectionsWaitUntilOneCloses() throws Exception {
        InetSocketAddress at = start(limits(4, 0, null, null, null, null, 0, 0));
        List<RawHttps> open = new ArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 4; i++) {
                RawHttps c = RawHttps.open(trustingCa(), at, 10_000);
                assertEquals(200, c.call("GET", "/v1/ping", "", "").status());
                open.add(c);
            }
            Future<Integer> fifth = pool.submit(() -> {
                try (RawHttps c = RawHttps.open(trustingCa(), at, 20_000)) {
                    return c.call("GET", "/v1/ping", "", "").status();
                }
            });
            assertFalse(waitFor(fifth, 1_500), "a fifth connection is not served while four are open");
            open.remove(0).close();
            assertEquals(200, fifth.get(15, TimeUnit.SECONDS));
        } finally {
            open.forEach(RawHttps::close);
            pool.shutdownNow();
        }
    }

    @Test
    void threadsBoundsTheCallsHandledAtOnce() throws Exception {
        InetSocketAddress at = start(limits(0, 3, null, null, null, null, 0, 0));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> {
                    try (RawHttps c = RawHttps.open(trustingCa(), at, 30_000)) {
                        return c.call("GET", "/v1/block", "", "").status();
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (inFlight.get() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(3, inFlight.get(), "three handlers run while eight calls wait");
            Thread.sleep(500); // give a fourth handler the chance to start if the limit did not hold
            assertEquals(3, mostInFlight.get());
            release.countDown();
            for (Future<Integer> call : calls) {
                assertEquals(200, call.get(20, TimeUnit.SECONDS));
            }
            assertEquals(3, mostInFlight.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** What Jetty refuses before the route table still gets the API's error shape, and never a 5xx. */
    @Test
    void malformedHttpIsAFourHundredInTheErrorShape() throws Exception {
        InetSocketAddress at = start(ServerConfig.Http.DEFAULTS);
        for (String raw : List.of("GARBAGE\r\n\r\n", "GET /v1/ping HTTP/2.0\r\nHost: x\r\n\r\n",
                "POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
                "GET /v1/ping HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
                "GET /v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/../v1/ping HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/ping HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n")) {
            try (RawHttps c = RawHttps.open(trustingCa(), at, 10_000)) {
                RawHttps.Answer answer = c.send(raw).read();
                assertTrue(answer.status() >= 400 && answer.status() < 500, raw + " -> " + answer);
                JsonNode error = json(answer);
                assertFalse(error.path("code").asText().isEmpty(), answer.body());
                assertFalse(error.path("message").asText().isEmpty(), answer.body());
            }
        }
    }

    private static boolean waitFor(Future<?> future, long millis) {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static InputStream inputOf(Socket socket) {
        try {
            return socket.getInputStream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
