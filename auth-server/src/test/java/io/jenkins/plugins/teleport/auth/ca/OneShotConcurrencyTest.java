package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Tx.CertificateQuery;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import io.jenkins.plugins.teleport.auth.testing.Together;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One-shot is enforced at issuance, under concurrency, on both stores: the first issuance claims the request with
 * a revision-checked update; issuances and releases of one request serialize (PostgreSQL runs at its default
 * READ COMMITTED isolation).
 */
class OneShotConcurrencyTest {

    @TempDir
    Path dir;

    TestCluster cluster;
    ExecutorService pool = Executors.newFixedThreadPool(16);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    private void start(TestCluster.Backend backend) throws Exception {
        cluster = TestCluster.start(backend, dir);
        cluster.applyYaml(Files.readString(AssumeRequestTest.WALKTHROUGH));
    }

    private <T> List<T> together(List<Callable<T>> work) throws Exception {
        return Together.run(pool, work);
    }

    private List<IssuedCertificate> certificates(String id) {
        Instant now = cluster.clock().instant();
        return cluster.server().store().read(tx -> {
            List<IssuedCertificate> all = new ArrayList<>(tx.certificates(IssuedCertificate.Kind.SSH, CertificateQuery.ofRequest(id), now));
            all.addAll(tx.certificates(IssuedCertificate.Kind.TLS, CertificateQuery.ofRequest(id), now));
            return all;
        });
    }

    @ParameterizedTest
    @EnumSource(TestCluster.Backend.class)
    void sixteenConcurrentAssumesOfAOneShotRequestGiveExactlyOneSuccess(TestCluster.Backend backend) throws Exception {
        start(backend);
        String id = cluster.approvedDeployRequest(true);
        var identity = cluster.join("jenkins-deploy");
        List<Callable<Response>> assumes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            TestClient client = cluster.client(identity);
            BotKeys keys = BotKeys.generate();
            String build = "https://ci/job/deploy/" + i + "/";
            assumes.add(() -> client.post("/v1/certs", keys.issueBody(id, Map.of("usage", Map.of("build_url", build)))));
        }
        List<Response> answers = together(assumes);

        List<Response> ok = answers.stream().filter(r -> r.status() == 200).toList();
        assertEquals(1, ok.size(), answers.toString());
        for (Response r : answers) {
            if (r.status() != 200) {
                assertEquals(409, r.status(), r.toString());
                assertEquals("request_claimed", r.code(), r.toString());
            }
        }
        assertEquals(2, certificates(id).size(), "one SSH and one X.509 certificate were recorded");
        long creates = cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").findValuesAsText("event")
                .stream().filter("cert.create"::equals).count();
        assertEquals(1, creates);
    }

    @ParameterizedTest
    @EnumSource(TestCluster.Backend.class)
    void interleavedReleaseAndIssueNeverLeaveACertificateUnrevokedAfterConsumed(TestCluster.Backend backend) throws Exception {
        start(backend);
        TestClient bot = cluster.client(cluster.join("jenkins-deploy"));
        int consumed = 0;
        for (int round = 0; round < 12; round++) {
            String id = cluster.approvedDeployRequest(true);
            List<Callable<Response>> work = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                BotKeys keys = BotKeys.generate();
                work.add(() -> bot.post("/v1/certs", keys.issueBody(id, Map.of())));
                work.add(() -> bot.post("/v1/access-requests/" + id + "/release", Map.of()));
            }
            List<Response> answers = together(work);
            assertTrue(answers.stream().allMatch(r -> r.status() == 200 || r.status() == 409), answers.toString());
            String state = cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("state").asText();
            if (state.equals("CONSUMED")) {
                consumed++;
                for (IssuedCertificate c : certificates(id)) {
                    assertTrue(c.isRevoked(), "round " + round + ": " + c + " is unrevoked after CONSUMED");
                }
            }
            assertTrue(certificates(id).size() <= 2, "at most one issuance of a one-shot request");
        }
        assertEquals(12, consumed, "three releases per round: every round ends CONSUMED");
    }
}
