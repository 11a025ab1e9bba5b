package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting costs the server nothing: {@code GET /v1/access-requests/{id}?wait=…&after_revision=N} answers as soon as the
 * request changes, or when the wait is over, and a waiting call holds no server thread.
 */
class LongPollTest {

    static final int THREADS = 8;

    @TempDir
    Path dir;

    TestCluster cluster;
    HttpClient http;

    @BeforeEach
    void start() throws Exception {
        ServerConfig config = ServerConfig.defaults().withClusterName("test").withListenAddr("127.0.0.1:0").withDataDir(dir)
                .withHttp(new ServerConfig.Http(0, THREADS, null, null, null, null, 0, 0));
        cluster = TestCluster.start(config);
        cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(cluster.adminIdentity().sslContext()).build();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    String request() {
        Response r = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy", List.of("deploy"),
                "CHG-1", Optional.of(Duration.ofHours(1)), Optional.empty(), false));
        return r.json().path("metadata").path("name").asText();
    }

    CompletableFuture<HttpResponse<String>> waitFor(String id, long afterRevision, String wait) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(cluster.server().url() + "/v1/access-requests/" + id
                + "?wait=" + wait + "&after_revision=" + afterRevision)).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoHundredWaitersHoldNoThreadAndOneReviewWakesExactlyTheWaitersOfItsRequestWithinASecond() throws Exception {
        String a = request();
        String b = request();
        List<CompletableFuture<HttpResponse<String>>> onA = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> onB = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            onA.add(waitFor(a, 1, "50s"));
            onB.add(waitFor(b, 1, "50s"));
        }
        // Every waiter is parked on the server: far more than its threads, and a plain call is still answered.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.server().waitingCallers() < 200 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(200, cluster.server().waitingCallers(), "200 waiters parked on a server of " + THREADS + " threads");
        assertEquals(200, cluster.admin().get("/v1/ping").status());

        long reviewed = System.nanoTime();
        assertEquals(200, cluster.user("bob").post("/v1/access-requests/" + a + "/reviews",
                new SubmitReview(ReviewVerdict.APPROVED, "ok")).status());
        for (CompletableFuture<HttpResponse<String>> f : onA) {
            HttpResponse<String> r = f.get(1, TimeUnit.SECONDS);
            JsonNode body = Json.mapper().readTree(r.body());
            assertEquals(2, body.path("metadata").path("revision").asLong(), r.body());
            assertEquals("cab: 1 of 2 approvals", body.path("status").path("progress").asText());
        }
        long woke = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reviewed);
        assertTrue(woke < 1000, "the waiters of the reviewed request answered within a second: " + woke + " ms");
        assertTrue(onB.stream().noneMatch(CompletableFuture::isDone), "the other request's waiters still wait");
        assertEquals(100, cluster.server().waitingCallers());
        System.out.printf("long poll: 100 waiters of the reviewed request answered %d ms after the review%n", woke);
    }

    @Test
    void aWaitEndsWithTheRequestAsItIsWhenNothingChanged() throws Exception {
        String id = request();
        HttpResponse<String> r = waitFor(id, 1, "1s").get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals(1, Json.mapper().readTree(r.body()).path("metadata").path("revision").asLong());
    }

    @Test
    void aWaiterBehindTheRequestIsAnsweredAtOnce() throws Exception {
        String id = request();
        HttpResponse<String> r = waitFor(id, 0, "50s").get(5, TimeUnit.SECONDS);
        assertEquals(1, Json.mapper().readTree(r.body()).path("metadata").path("revision").asLong());
    }

    @Test
    void badWaitsAreABadRequest() {
        String id = request();
        for (String query : List.of("?wait=0s", "?wait=soon", "?wait=30s&after_revision=-1", "?after_revision=3")) {
            Response r = cluster.admin().get("/v1/access-requests/" + id + query);
            assertEquals(400, r.status(), query + ": " + r);
        }
    }

    @Test
    void aCallerWhoMayNotSeeTheRequestIsRefusedBeforeWaiting() {
        Response r = cluster.user("nobody-with-roles").get("/v1/access-requests/" + request() + "?wait=50s");
        assertTrue(r.status() == 401 || r.status() == 404, r.toString());
    }

    @Test
    void aWaiterStillWaitingWhenTheWatchStopsIsAnsweredAndALaterWaitEndsAtOnce() throws Exception {
        String id = request();
        RequestWatch watch = new RequestWatch(cluster.server().store(), RequestWatch.POLL_INTERVAL);
        CompletableFuture<Void> waiting = watch.changed(id, 1, Duration.ofSeconds(50));
        watch.close();
        // Completed normally (the caller then answers with the request as it is), never with the stopped executor's refusal.
        waiting.get(5, TimeUnit.SECONDS);
        CompletableFuture<Void> afterClose = watch.changed(id, 1, Duration.ofSeconds(50));
        assertTrue(afterClose.isDone() && !afterClose.isCompletedExceptionally(), "a wait asked of a stopped watch ends at once");
        assertEquals(0, watch.waiting());
    }
}
