package io.jenkins.plugins.teleport.client.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.CaPin;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.Keys;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The issuance benchmark of docs/BENCHMARKS.md, in one run: the physical limit ({@link SignatureCeiling}: the two
 * plain signatures of an issuance, fastest JCA provider, one thread per core), then issuance through the API of a
 * real auth server in a JVM of its own ({@link ServerProcess}), {@code --clients} concurrent clients each on its own
 * kept-alive mTLS connection asking for certificates of its own approved request: on SQLite and on PostgreSQL with
 * {@code --small} stored requests, and on SQLite with {@code --large} stored requests; then the ceiling again (the
 * spread between the two shows how much the machine's other load moved). For each server run it prints throughput,
 * latency percentiles, and the CPU time per issuance of the server process (from {@code /proc}, all its threads),
 * of the load generator and of PostgreSQL, against the ceiling's.
 *
 * <p>Run: {@code bin/bench [--seconds 10] [--clients 64] [--warmup 20] [--small 1000] [--large 1000000]
 * [--runs sqlite,postgres,large] [--jfr DIR]}.
 */
public final class IssuanceLoad {

    private IssuanceLoad() {}

    /** One server run's figures. */
    record Run(String name, long stored, int clients, double rate, double p50, double p90, double p99, double p999, double max,
               long errors, long connections, double serverCpu, double generatorCpu, double databaseCpu, double machineBusyCores,
               double otherCpu, String loadBefore, String loadAfter, double jitShare) {

        /**
         * Whether the server ran its compiled code: its JIT compiled for at most {@link #MAX_JIT_SHARE} of the window.
         * With 2 busy cores the compiler can starve and the code stay slow for minutes (docs/BENCHMARKS.md, seventh step).
         */
        boolean valid() {
            return jitShare <= MAX_JIT_SHARE;
        }
    }

    /** The most of the measured window the server's JIT may spend compiling in a valid run. */
    static final double MAX_JIT_SHARE = 0.10;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "64"));
        warmup = Double.parseDouble(opts.getOrDefault("warmup", "20"));
        long small = Long.parseLong(opts.getOrDefault("small", "1000"));
        long large = Long.parseLong(opts.getOrDefault("large", "1000000"));
        List<String> runs = List.of(opts.getOrDefault("runs", "sqlite,postgres,large").split(","));
        Optional<Path> jfr = Optional.ofNullable(opts.get("jfr")).map(Path::of);
        String classpath = System.getProperty("bench.server.classpath");
        if (classpath == null) {
            throw new IllegalStateException("run through bin/bench, which sets -Dbench.server.classpath");
        }
        List<String> serverJvm = List.of(System.getProperty("bench.server.jvm", "").split("\\s+")).stream()
                .filter(s -> !s.isEmpty()).toList();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("machine: %d cores (%s), %s %s; load average %s; %s s measured per run after at least %s s of warm-up%n",
                cores, cpuModel(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                CpuTime.loadAverage(), fmt(seconds), fmt(warmup));

        SignatureCeiling.Result before = ceiling(seconds, cores, "before");
        List<Run> results = new ArrayList<>();
        for (String run : runs) {
            switch (run.trim()) {
                case "sqlite" -> results.add(throughApi("SQLite", "sqlite", small, seconds, clients, classpath, serverJvm, jfr));
                case "postgres" -> results.add(throughApi("PostgreSQL", "postgres", small, seconds, clients, classpath, serverJvm, jfr));
                case "large" -> results.add(throughApi("SQLite", "sqlite", large, seconds, clients, classpath, serverJvm, jfr));
                case "large-postgres" -> results.add(throughApi("PostgreSQL", "postgres", large, seconds, clients, classpath, serverJvm, jfr));
                default -> throw new IllegalArgumentException("unknown run '" + run + "': sqlite, postgres, large or large-postgres");
            }
        }
        SignatureCeiling.Result after = ceiling(seconds, cores, "after");
        summary(before, after, results);
    }

    /**
     * Least seconds of load before a server run is measured: a fresh server JVM spends its first tens of seconds
     * compiling (JFR showed the JIT busy on more than one of the two cores for the first 40 s under load), which is not
     * issuance; see {@link #warmUp}.
     */
    private static double warmup = 20;

    private static SignatureCeiling.Result ceiling(double seconds, int threads, String when) throws Exception {
        String load = CpuTime.loadAverage();
        SignatureCeiling.Result c = SignatureCeiling.measure(seconds, threads);
        for (SignatureCeiling.Calibration cal : c.calibrations()) {
            System.out.printf("  one %s signature, %s, one thread: %.1f us%n", cal.algorithm(), cal.provider(), cal.microsPerSignature());
        }
        System.out.printf("ceiling (%s): Ed25519 (%s) over 300 bytes + ECDSA P-256 (%s) over 600 bytes, %d threads: "
                        + "%.0f issuances/s, %.1f us CPU per issuance; load average %s -> %s%n", when, c.ed25519Provider(),
                c.ecdsaProvider(), c.threads(), c.rate(), c.cpuMicrosPerIssuance(), load, CpuTime.loadAverage());
        return c;
    }

    private static Run throughApi(String name, String store, long stored, double seconds, int clients, String classpath,
                                  List<String> serverJvm, Optional<Path> jfr) throws Exception {
        Path dir = Files.createTempDirectory("issuance-bench-" + store + "-" + stored + "-");
        try (ServerProcess server = ServerProcess.start(classpath, serverJvm, dir.resolve("data"), store, clients, stored,
                jfr.isPresent())) {
            JsonNode ready = server.ready();
            URI url = URI.create(ready.path("url").asText());
            String pin = ready.path("pin").asText();
            List<String> ids = new ArrayList<>();
            ready.path("requests").forEach(n -> ids.add(n.asText()));
            System.out.printf("%s with %,d stored requests (seeded in %.0f s): server pid %d, %s%n", name, stored,
                    ready.path("seed_seconds").asDouble(), server.pid(), ready.path("store").asText());

            AuthClient anonymous = AuthClient.create(url, pin);
            List<Client> load = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                BotIdentity bot = anonymous.join("jenkins-deploy", ready.path("token").asText());
                IssueCertificates ask = new IssueCertificates(ids.get(i), Keys.sshPublicKey(Keys.ed25519().getPublic(), ""),
                        Keys.publicKeyPem(Keys.p256().getPublic()), Optional.of(Duration.ofMinutes(10)),
                        Map.of("ci_system", "bench", "build_url", "https://jenkins.example.com/job/deploy/" + i + "/"));
                load.add(new Client(new KeepAliveHttps(tls(bot, pin), url.getHost(), url.getPort()), Json.mapper().writeValueAsBytes(ask)));
            }
            Run run = measure(name, stored, server, load, seconds, jfr.map(d -> d.resolve(store + "-" + stored + ".jfr")));
            deleteTree(dir);
            return run;
        } // on failure the directory stays, with the server's log that the error names
    }

    /** One load client: its connection, its request's bytes, and the latencies of its calls in the measured window. */
    private static final class Client {
        final KeepAliveHttps http;
        final byte[] request;
        long[] latencies = new long[4096];
        int count;

        Client(KeepAliveHttps http, byte[] body) {
            this.http = http;
            this.request = http.post("/v1/certs", body);
        }

        void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }

    private static Run measure(String name, long stored, ServerProcess server, List<Client> load, double seconds,
                               Optional<Path> jfr) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (Client c : load) {
            threads.add(new Thread(() -> {
                boolean checked = false;
                while (!stop.get()) {
                    boolean counted = measuring.get();
                    long start = System.nanoTime();
                    try {
                        KeepAliveHttps.Answer answer = c.http.send(c.request);
                        long took = System.nanoTime() - start;
                        if (answer.status() != 200) {
                            throw new IllegalStateException("HTTP " + answer.status() + ": " + new String(answer.body()));
                        }
                        if (!checked) {
                            JsonNode issued = Json.mapper().readTree(answer.body());
                            if (!issued.path("ssh_certificate").asText().startsWith("ssh-ed25519-cert-v01@openssh.com ")
                                    || !issued.path("tls_certificate").asText().startsWith("-----BEGIN CERTIFICATE-----")) {
                                throw new IllegalStateException("not an issuance: " + issued);
                            }
                            checked = true;
                        }
                        if (counted && measuring.get()) {
                            c.record(took);
                        }
                    } catch (Exception e) {
                        c.http.close();
                        if (counted) {
                            errors.incrementAndGet();
                        }
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "load"));
        }
        threads.forEach(Thread::start);
        double warmedUp = warmUp(server);

        if (jfr.isPresent()) {
            Files.createDirectories(jfr.get().getParent());
            server.command("jfr start " + jfr.get().toAbsolutePath());
        }
        String loadBefore = CpuTime.loadAverage();
        long self = ProcessHandle.current().pid();
        long server0 = CpuTime.process(server.pid());
        long gen0 = CpuTime.process(self);
        long db0 = server.postmasterPid().map(CpuTime::processTree).orElse(0L);
        long machine0 = CpuTime.machineBusy();
        JsonNode jvm0 = server.jvmStats();
        Map<String, Long> threads0 = CpuTime.threads(server.pid());
        long started = System.nanoTime();
        measuring.set(true);
        Thread.sleep((long) (seconds * 1000));
        measuring.set(false);
        double elapsed = (System.nanoTime() - started) / 1e9;
        long server1 = CpuTime.process(server.pid());
        long gen1 = CpuTime.process(self);
        long db1 = server.postmasterPid().map(CpuTime::processTree).orElse(0L);
        long machine1 = CpuTime.machineBusy();
        JsonNode jvm1 = server.jvmStats();
        Map<String, Long> threads1 = CpuTime.threads(server.pid());
        String loadAfter = CpuTime.loadAverage();
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (jfr.isPresent()) {
            server.command("jfr stop");
        }
        long connections = 0;
        for (Client c : load) {
            connections += c.http.connections();
            c.http.close();
        }

        int total = load.stream().mapToInt(c -> c.count).sum();
        long[] all = new long[total];
        int k = 0;
        for (Client c : load) {
            System.arraycopy(c.latencies, 0, all, k, c.count);
            k += c.count;
        }
        Arrays.sort(all);
        double rate = total / elapsed;
        double serverCpu = (server1 - server0) / 1e3 / Math.max(1, total);
        double generatorCpu = (gen1 - gen0) / 1e3 / Math.max(1, total);
        double dbCpu = (db1 - db0) / 1e3 / Math.max(1, total);
        double busyCores = (machine1 - machine0) / 1e9 / elapsed;
        double other = ((machine1 - machine0) - (server1 - server0) - (gen1 - gen0) - (db1 - db0)) / 1e9 / elapsed;
        double jitMillis = jvm1.path("compile_ms").asDouble() - jvm0.path("compile_ms").asDouble();
        Run run = new Run(name, stored, load.size(), rate, pct(all, 0.50), pct(all, 0.90), pct(all, 0.99), pct(all, 0.999),
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, errors.get(), connections, serverCpu, generatorCpu, dbCpu,
                busyCores, other, loadBefore, loadAfter, jitMillis / 1e3 / elapsed);
        System.out.printf("  %d clients: %.0f issuances/s, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms, "
                        + "%d errors, %d connections opened%n", run.clients(), run.rate(), run.p50(), run.p90(), run.p99(),
                run.p999(), run.max(), run.errors(), run.connections());
        System.out.printf("  CPU per issuance: server %.0f us, load generator %.0f us%s; machine busy %.2f of %d cores, "
                        + "other processes %.2f cores; load average %s -> %s%n", run.serverCpu(), run.generatorCpu(),
                server.postmasterPid().isPresent() ? String.format(", PostgreSQL %.0f us", run.databaseCpu()) : "",
                run.machineBusyCores(), Runtime.getRuntime().availableProcessors(), run.otherCpu(), loadBefore, loadAfter);
        System.out.printf("  server JVM in the measured window: JIT compiling %.0f ms, GC %.0f ms (after %.0f s of warm-up)%n",
                jitMillis, jvm1.path("gc_ms").asDouble() - jvm0.path("gc_ms").asDouble(), warmedUp);
        if (!run.valid()) {
            System.out.printf("  NOT VALID: the server's JIT compiled for %.0f %% of the window (at most %.0f %%), so its code was "
                    + "not yet compiled: run again with a longer --warmup, fewer clients, or on a quieter machine%n",
                    100 * run.jitShare(), 100 * MAX_JIT_SHARE);
        }
        System.out.println("  server CPU per issuance by thread: " + byThread(threads0, threads1, total));
        if (firstError.get() != null) {
            System.out.println("  first error: " + firstError.get());
        }
        return run;
    }

    /** The server's CPU per issuance by thread group, in microseconds, largest first, groups under 1 % summed. */
    private static String byThread(Map<String, Long> before, Map<String, Long> after, int issuances) {
        Map<String, Long> spent = new java.util.HashMap<>();
        after.forEach((name, t) -> spent.put(name, t - before.getOrDefault(name, 0L)));
        long all = spent.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder();
        long rest = 0;
        for (Map.Entry<String, Long> e : spent.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).toList()) {
            if (e.getValue() * 100 < all) {
                rest += e.getValue();
            } else {
                out.append(out.length() == 0 ? "" : ", ").append(String.format("%s %.0f us", e.getKey(),
                        e.getValue() / 1e3 / Math.max(1, issuances)));
            }
        }
        return out.append(String.format(", other threads %.0f us", rest / 1e3 / Math.max(1, issuances))).toString();
    }

    /**
     * Loads the server for at least {@code --warmup} seconds and then until its JIT has settled (compiling less than
     * 2 % of the time in three 5 s intervals in a row), at most 240 s in all; returns the seconds it took.
     */
    private static double warmUp(ServerProcess server) throws Exception {
        long started = System.nanoTime();
        Thread.sleep((long) (warmup * 1000));
        int quiet = 0;
        while (quiet < 3 && System.nanoTime() - started < 240_000_000_000L) {
            double before = server.jvmStats().path("compile_ms").asDouble();
            Thread.sleep(5000);
            quiet = server.jvmStats().path("compile_ms").asDouble() - before < 100 ? quiet + 1 : 0;
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private static void summary(SignatureCeiling.Result before, SignatureCeiling.Result after, List<Run> runs) {
        double ceiling = Math.max(before.rate(), after.rate());
        double ceilingCpu = Math.min(before.cpuMicrosPerIssuance(), after.cpuMicrosPerIssuance());
        System.out.printf("%nsummary (ceiling: the better of the two measurements, %.0f issuances/s and %.1f us CPU per "
                + "issuance; they differed by %.0f %%)%n", ceiling, ceilingCpu,
                100 * Math.abs(before.rate() - after.rate()) / ceiling);
        System.out.println("| run | stored requests | issuances/s | % of ceiling | p50 | p99 | server CPU/issuance | "
                + "CPU efficiency | generator CPU/issuance | load average |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Run r : runs) {
            System.out.printf("| %s | %,d | %.0f | %.0f %% | %.1f ms | %.1f ms | %.0f us%s | %.0f %% | %.0f us | %s -> %s |%n",
                    r.name() + (r.valid() ? "" : " (not valid: JIT)"), r.stored(), r.rate(), 100 * r.rate() / ceiling, r.p50(), r.p99(), r.serverCpu(),
                    r.databaseCpu() > 0 ? String.format(" (+ PostgreSQL %.0f us)", r.databaseCpu()) : "",
                    100 * ceilingCpu / r.serverCpu(), r.generatorCpu(), r.loadBefore(), r.loadAfter());
        }
        Optional<Run> sqlite = runs.stream().filter(r -> r.name().equals("SQLite")).min(java.util.Comparator.comparingLong(Run::stored));
        Optional<Run> postgres = runs.stream().filter(r -> r.name().equals("PostgreSQL")).min(java.util.Comparator.comparingLong(Run::stored));
        Optional<Run> big = runs.stream().filter(r -> r.name().equals("SQLite")).max(java.util.Comparator.comparingLong(Run::stored));
        if (sqlite.isPresent() && postgres.isPresent()) {
            System.out.printf("PostgreSQL / SQLite throughput: %.0f %% (goal: at least 50 %%)%s%n", 100 * postgres.get().rate() / sqlite.get().rate(),
                    validity(postgres.get(), sqlite.get()));
        }
        if (sqlite.isPresent() && big.isPresent() && big.get() != sqlite.get()) {
            System.out.printf("p99 with %,d stored / with %,d stored (SQLite): %.2f (goal: at most 1.5)%s%n", big.get().stored(),
                    sqlite.get().stored(), big.get().p99() / sqlite.get().p99(), validity(big.get(), sqlite.get()));
        }
        System.out.println("goals: CPU efficiency at least 40 %, throughput at least 40 % of the ceiling, p99 at most 25 ms");
    }

    /** What a ratio of two runs' figures is worth: nothing to add when both are valid. */
    private static String validity(Run a, Run b) {
        return a.valid() && b.valid() ? "" : "; not valid: a run's JIT had not settled";
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /** A TLS context presenting the bot's identity and trusting only the pinned CA (as AuthClient's). */
    private static SSLContext tls(BotIdentity bot, String pin) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        List<X509Certificate> chain = new ArrayList<>(List.of(bot.certificate()));
        chain.addAll(bot.caCertificates());
        keys.setKeyEntry("bot", bot.key(), new char[0], chain.toArray(X509Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new TrustManager[] {CaPin.trustManager(pin)}, null);
        return ctx;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                out.put(args[i].substring(2), args[++i]);
            } else if (!args[i].startsWith("--")) {
                out.put(positional++ == 0 ? "seconds" : "clients", args[i]);
            } else {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
        }
        return out;
    }
}
