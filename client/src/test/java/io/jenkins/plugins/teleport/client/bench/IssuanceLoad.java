package io.jenkins.plugins.teleport.client.bench;

import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.SshCertificateAuthority;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.Keys;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The issuance load generator of docs/BENCHMARKS.md: raw signing (one Ed25519 SSH and one P-256 X.509 signature per
 * issuance, BouncyCastle) against request-bound issuance through the real API (HTTPS, mTLS, store, audit), side by
 * side in one run on this machine. Bounded in time; only loopback traffic.
 *
 * <p>Run: {@code bin/bench [seconds] [clients]}.
 */
public final class IssuanceLoad {

    private IssuanceLoad() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores, %s %s; %d s per measurement%n", cores, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), seconds);

        Result raw = rawSigning(seconds, cores);
        System.out.printf("raw signing (SSH Ed25519 + X.509 P-256), %d threads: %.0f issuances/s%n", cores, raw.rate());

        Path dir = Files.createTempDirectory("issuance-bench");
        try (TestCluster cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir)) {
            Result api = throughApi(cluster, seconds, clients);
            System.out.printf("issuance through the API (SQLite), %d clients: %.0f issuances/s, p50 %.1f ms, p99 %.1f ms, %d errors%n",
                    clients, api.rate(), api.p50(), api.p99(), api.errors());
            System.out.printf("ratio: %.0f %% of raw signing (target: at least 40 %%)%n", 100 * api.rate() / raw.rate());
        }
    }

    /** Throughput and latency of one measurement. */
    record Result(double rate, double p50, double p99, long errors) {}

    static Result rawSigning(int seconds, int threads) throws Exception {
        CertificateAuthority tls = CertificateAuthority.generate("bench", Clock.systemUTC());
        SshCertificateAuthority ssh = SshCertificateAuthority.generate("bench");
        PublicKey sshKey = SshCertificateAuthority.parsePublicKey(Keys.sshPublicKey(Keys.ed25519().getPublic(), ""));
        KeyPair tlsKey = Keys.p256();
        return run(seconds, threads, () -> {
            Instant now = Instant.now();
            ssh.sign(sshKey, 1, "bench", List.of("deploy"), now, now.plusSeconds(3600), Map.of("permit-pty", ""));
            tls.issueClient(tlsKey.getPublic(), ClientIdentity.bot("bench"), List.of("r"), BigInteger.ONE, now, now.plusSeconds(3600));
            return true;
        });
    }

    static Result throughApi(TestCluster cluster, int seconds, int clients) throws Exception {
        Path walkthrough = Files.exists(Path.of("examples", "walkthrough.yaml")) ? Path.of("examples", "walkthrough.yaml")
                : Path.of("..", "examples", "walkthrough.yaml");
        cluster.applyYaml(Files.readString(walkthrough));
        String id = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "bench", Optional.of(Duration.ofHours(2)), Optional.empty(), false)).json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            cluster.user(reviewer).post("/v1/access-requests/" + id + "/reviews", new SubmitReview(ReviewVerdict.APPROVED, "ok"));
        }
        String token = cluster.token("jenkins-deploy", true);
        AuthClient base = AuthClient.create(URI.create(cluster.server().url().toString()), cluster.server().ca().pin());
        AuthClient bot = base.as(base.join("jenkins-deploy", token));
        IssueCertificates ask = new IssueCertificates(id, Keys.sshPublicKey(Keys.ed25519().getPublic(), ""),
                Keys.publicKeyPem(Keys.p256().getPublic()), Optional.of(Duration.ofMinutes(10)), Map.of("ci_system", "bench"));
        for (int i = 0; i < 200; i++) {
            bot.issue(ask); // warm up the JIT and the connection pool
        }
        return run(seconds, clients, () -> bot.issue(ask) != null);
    }

    interface Op {
        boolean call() throws Exception;
    }

    static Result run(int seconds, int threads, Op op) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long[] counts = new long[threads];
        for (int t = 0; t < threads; t++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            int index = t;
            Thread w = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    try {
                        op.call();
                        if (counts[index] < mine.length) {
                            mine[(int) counts[index]] = System.nanoTime() - start;
                        }
                        counts[index]++;
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            workers.add(w);
        }
        long started = System.nanoTime();
        workers.forEach(Thread::start);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long total = Arrays.stream(counts).sum();
        long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
        int k = 0;
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < Math.min(counts[t], latencies.get(t).length) && k < all.length; i++) {
                all[k++] = latencies.get(t)[i];
            }
        }
        long[] sorted = Arrays.copyOf(all, k);
        Arrays.sort(sorted);
        double p50 = sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1e6;
        double p99 = sorted.length == 0 ? 0 : sorted[(int) (sorted.length * 0.99)] / 1e6;
        return new Result(total / elapsed, p50, p99, errors.get());
    }
}
