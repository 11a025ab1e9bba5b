package io.jenkins.plugins.teleport.auth.join;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A single-use join token is consumed atomically: of many joins racing on it, exactly one gets an identity. */
class RacingJoinsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestCluster.Backend.class)
    void racingJoinsOnOneSingleUseTokenIssueExactlyOneIdentity(TestCluster.Backend backend) throws Exception {
        int racers = 8;
        try (TestCluster cluster = TestCluster.start(backend, dir.resolve(backend.name()))) {
            cluster.apply(Role.of("nothing", null), Bot.of("racer", List.of("nothing")));
            String token = cluster.token("racer", false);
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(racers);
            List<Future<Response>> joins = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                joins.add(pool.submit(() -> {
                    go.await();
                    return cluster.tryJoin("racer", token, CertificateAuthority.newKeyPair());
                }));
            }
            go.countDown();
            int joined = 0;
            for (Future<Response> f : joins) {
                Response r = f.get();
                if (r.status() == 200) {
                    joined++;
                } else {
                    assertEquals(403, r.status(), r.toString());
                }
            }
            pool.shutdown();
            assertEquals(1, joined, "exactly one identity for a single-use token");
            var events = cluster.admin().get("/v1/audit/events").json().path("items");
            int ok = 0;
            int failed = 0;
            for (var e : events) {
                ok += e.path("event").asText().equals("bot.join") ? 1 : 0;
                failed += e.path("event").asText().equals("join.failed") ? 1 : 0;
            }
            assertEquals(1, ok);
            assertEquals(racers - 1, failed);
        }
    }
}
