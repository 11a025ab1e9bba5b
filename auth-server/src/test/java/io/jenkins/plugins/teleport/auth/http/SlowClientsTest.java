package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.testing.RawHttps;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stalled connections cannot stop the server for everyone (issue 10, finding 1). Against the real server with its
 * default limits, 200 connections of each kind of stall at once (the first 5 bytes of a ClientHello; a handshake
 * then nothing; a header dribbled a byte a second; a body dribbled a byte a second) delay a ping on a new connection
 * by at most 100 ms against the same pings measured just before, and the server closes every one of them within
 * 30 s. Pings are compared by median, so that a loaded build machine's hiccups do not decide the result.
 */
class SlowClientsTest {

    private static final int PER_KIND = 200;
    private static final int PINGS = 15;
    private static final byte[] CLIENT_HELLO_START = {0x16, 0x03, 0x01, 0x02, 0x00};

    @TempDir
    Path dir;

    private TestCluster cluster;
    private InetSocketAddress address;
    private SSLContext tls;
    private final List<Socket> plain = new CopyOnWriteArrayList<>();
    private final List<RawHttps> secure = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
        address = new InetSocketAddress("127.0.0.1", cluster.server().port());
        tls = cluster.anonymousTls();
    }

    @AfterEach
    void stop() {
        plain.forEach(s -> {
            try {
                s.close();
            } catch (IOException e) {
                // test cleanup
            }
        });
        secure.forEach(RawHttps::close);
        cluster.close();
    }

    /** A stalled connection: when it was stalled, and when the server closed it. */
    private record Stall(String kind, long since, InputStream in) {}

    @Test
    void stalledConnectionsNeitherDelayOthersNorStayOpen() throws Exception {
        for (int i = 0; i < 5; i++) {
            ping();
        }
        double control = median(pings());

        List<Stall> stalls = new CopyOnWriteArrayList<>();
        List<OutputStream> dribbling = new CopyOnWriteArrayList<>();
        long setupStarted = System.nanoTime();
        ExecutorService setup = Executors.newFixedThreadPool(4);
        try {
            // The longest-lived kinds first, so that all are still stalled when the pings are measured.
            run(setup, () -> {
                RawHttps c = RawHttps.open(tls, address, 60_000);
                secure.add(c);
                stalls.add(new Stall("handshake then nothing", System.nanoTime(), c.input()));
            });
            run(setup, () -> {
                RawHttps c = RawHttps.open(tls, address, 60_000);
                secure.add(c);
                c.send("POST /v1/join HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{");
                dribbling.add(c.output());
                stalls.add(new Stall("dribbled body", System.nanoTime(), c.input()));
            });
            run(setup, () -> {
                RawHttps c = RawHttps.open(tls, address, 60_000);
                secure.add(c);
                c.send("GET /v1/ping HTTP/1.1\r\nHost: " + address.getHostString() + "\r\nX-Slow: ");
                dribbling.add(c.output());
                stalls.add(new Stall("dribbled header", System.nanoTime(), c.input()));
            });
            run(setup, () -> {
                Socket s = new Socket();
                s.connect(address, 10_000);
                s.setSoTimeout(60_000);
                plain.add(s);
                s.getOutputStream().write(CLIENT_HELLO_START);
                s.getOutputStream().flush();
                stalls.add(new Stall("5 bytes of a ClientHello", System.nanoTime(), s.getInputStream()));
            });
        } finally {
            setup.shutdown();
        }
        assertEquals(4 * PER_KIND, stalls.size());
        double setupSeconds = (System.nanoTime() - setupStarted) / 1e9;

        Map<Stall, Long> closedAfter = new ConcurrentHashMap<>();
        List<Thread> watchers = new ArrayList<>();
        for (Stall stall : stalls) {
            Thread t = new Thread(null, () -> {
                byte[] buf = new byte[512];
                try {
                    while (stall.in().read(buf) >= 0) {
                        // an answer (408 for a body that did not arrive) may come before the end
                    }
                } catch (IOException e) {
                    // a reset is a close too
                }
                closedAfter.put(stall, System.nanoTime() - stall.since());
            }, "watch", 128 * 1024);
            t.setDaemon(true);
            t.start();
            watchers.add(t);
        }
        Thread dribbler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (OutputStream out : dribbling) {
                    try {
                        out.write('a');
                        out.flush();
                    } catch (IOException e) {
                        dribbling.remove(out);
                    }
                }
                try {
                    Thread.sleep(1000); // the attacker's pace, not a wait for the server
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "dribbler");
        dribbler.setDaemon(true);
        dribbler.start();

        double[] during;
        int closedBeforeThePings;
        try {
            during = pings();
            closedBeforeThePings = closedAfter.size();
            for (Thread t : watchers) {
                t.join(TimeUnit.SECONDS.toMillis(40));
            }
        } finally {
            dribbler.interrupt();
        }

        Map<String, Long> slowestClose = new TreeMap<>();
        for (Stall stall : stalls) {
            Long after = closedAfter.get(stall);
            slowestClose.merge(stall.kind(), after == null ? Long.MAX_VALUE : after, Math::max);
        }
        double stalled = median(during);
        System.out.printf("set up %d stalled connections in %.1f s (%d closed before the pings ended); ping median %.1f ms "
                        + "before, %.1f ms with them (max %.1f ms); slowest close per kind (s): %s%n",
                stalls.size(), setupSeconds, closedBeforeThePings, control, stalled, Arrays.stream(during).max().orElseThrow(),
                slowestClose.entrySet().stream()
                        .map(e -> e.getKey() + "=" + (e.getValue() == Long.MAX_VALUE ? "never" : String.format("%.1f", e.getValue() / 1e9)))
                        .toList());
        assertEquals(0, closedBeforeThePings, "the pings are measured while all " + stalls.size()
                + " stalled connections are open (setting them up took " + setupSeconds + " s)");
        assertTrue(stalled - control <= 100, "a ping took " + stalled + " ms (median) with stalled connections against "
                + control + " ms before");
        assertEquals(stalls.size(), closedAfter.size(), "every stalled connection is closed by the server: " + slowestClose);
        slowestClose.forEach((kind, nanos) -> assertTrue(nanos <= TimeUnit.SECONDS.toNanos(30),
                kind + " connections were closed only after " + nanos / 1e9 + " s"));
    }

    /** Runs {@code open} PER_KIND times on the pool and waits for all. */
    private void run(ExecutorService pool, Opener open) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            done.add(pool.submit(() -> {
                open.open();
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    @FunctionalInterface
    private interface Opener {
        void open() throws IOException;
    }

    private double[] pings() throws IOException {
        double[] ms = new double[PINGS];
        for (int i = 0; i < PINGS; i++) {
            ms[i] = ping();
        }
        return ms;
    }

    /** A ping on a new connection, handshake included; its time in milliseconds. */
    private double ping() throws IOException {
        long start = System.nanoTime();
        try (RawHttps c = RawHttps.open(tls, address, 10_000)) {
            RawHttps.Answer answer = c.call("GET", "/v1/ping", "Connection: close\r\n", "");
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().contains("ca_pin"), answer.body());
        }
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
