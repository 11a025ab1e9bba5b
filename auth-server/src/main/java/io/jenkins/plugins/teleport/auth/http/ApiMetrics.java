package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The server's metrics (Micrometer, exposed in the Prometheus text format at {@code GET /metrics}). Everything is
 * counted at the HTTP layer from the route, the status and the error code of each answer, so the services need not
 * know about metrics; the gauges of live certificates and pending requests are read from the store, at most once
 * per {@link #GAUGE_REFRESH} however often the endpoint is scraped.
 */
public final class ApiMetrics {

    /** The path of the metrics endpoint. */
    public static final String PATH = "/metrics";
    static final Duration GAUGE_REFRESH = Duration.ofSeconds(10);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Meter.MeterProvider<Timer> requests;
    private final Meter.MeterProvider<Counter> refusals;
    private final Meter.MeterProvider<Counter> issuances;
    private final Meter.MeterProvider<Counter> joins;
    private final Meter.MeterProvider<Counter> slowClients;

    public ApiMetrics() {
        requests = Timer.builder("teleport.http.requests")
                .description("API calls by method, route and status, and how long they took")
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
                        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
                        Duration.ofSeconds(10))
                .withRegistry(registry);
        refusals = Counter.builder("teleport.refusals")
                .description("Answers that refused a call, by route and error code")
                .withRegistry(registry);
        issuances = Counter.builder("teleport.issuances")
                .description("Certificates issued: kind=request for the request-bound SSH and X.509 pair, kind=user for a user identity")
                .withRegistry(registry);
        joins = Counter.builder("teleport.joins")
                .description("Bot joins, by result (joined, or the error code of the refusal)")
                .withRegistry(registry);
        slowClients = Counter.builder("teleport.http.slow.clients.closed")
                .description("Connections closed because a TLS handshake, request headers or a body took too long")
                .withRegistry(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Adds the gauges read from the store: live certificates by kind and pending access requests (from the database),
     * and the writes queued for SQLite's writer (in memory, read at every scrape).
     */
    public ApiMetrics watch(Store store, Clock clock) {
        Supplier<Map<IssuedCertificate.Kind, Long>> live = cached(() -> store.read(tx -> tx.liveCertificateCounts(clock.instant())));
        for (IssuedCertificate.Kind kind : IssuedCertificate.Kind.values()) {
            Gauge.builder("teleport.certificates.live", () -> live.get().getOrDefault(kind, 0L))
                    .description("Issued certificates that have not expired and are not revoked")
                    .tag("kind", kind.wireName())
                    .register(registry);
        }
        Supplier<Long> pending = cached(() -> store.read(tx -> tx.pendingAccessRequests(clock.instant())));
        Gauge.builder("teleport.access.requests.pending", pending::get)
                .description("Access requests waiting for reviews (PENDING, pending window open)")
                .register(registry);
        Gauge.builder("teleport.store.queued.writes", store::queuedWrites)
                .description("Writes waiting for SQLite's single writer thread, not counting the batch it is committing")
                .register(registry);
        return this;
    }

    /** Records one answered call; {@code route} is the matched template, or {@code none}. */
    void record(String method, String route, int status, Optional<ErrorCode> code, long nanos) {
        String statusText = Integer.toString(status);
        requests.withTags("method", method, "route", route, "status", statusText).record(nanos, TimeUnit.NANOSECONDS);
        code.ifPresent(c -> refusals.withTags("route", route, "code", c.code()).increment());
        if (status == 200 && method.equals("POST")) {
            switch (route) {
                case "/v1/certs" -> issuances.withTags("kind", "request").increment();
                case "/v1/users/{name}/certs" -> issuances.withTags("kind", "user").increment();
                default -> { }
            }
        }
        if (route.equals("/v1/join") && method.equals("POST")) {
            joins.withTags("result", status == 200 ? "joined" : code.map(ErrorCode::code).orElse(statusText)).increment();
        }
    }

    /** Counts a connection closed for being too slow ({@code handshake}, {@code headers} or {@code body}). */
    void slowClientClosed(String reason) {
        slowClients.withTags("reason", reason).increment();
    }

    /** {@code GET /metrics}: the Prometheus text format; needs no client certificate (counts only, no names). */
    public Route route() {
        return new Route("GET", PATH, call -> Reply.raw(CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8)));
    }

    /** The last value of {@code read}, read again once it is older than {@link #GAUGE_REFRESH}. */
    private static <T> Supplier<T> cached(Supplier<T> read) {
        record Sample<T>(T value, long atNanos) {}
        AtomicReference<Sample<T>> last = new AtomicReference<>();
        return () -> {
            Sample<T> s = last.get();
            long now = System.nanoTime();
            if (s == null || now - s.atNanos() > GAUGE_REFRESH.toNanos()) {
                s = new Sample<>(read.get(), now);
                last.set(s);
            }
            return s.value();
        };
    }
}
