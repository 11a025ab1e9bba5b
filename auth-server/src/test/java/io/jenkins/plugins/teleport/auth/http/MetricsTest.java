package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.RawHttps;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} answers the Prometheus text format without a client certificate (issue 10, finding 7):
 * issuances, joins, refusals by code, a latency histogram, live certificates and pending requests, counted from
 * what the server really did, and nothing that names a person, a bot or a request.
 */
class MetricsTest {

    private static final Pattern SAMPLE = Pattern.compile(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*})? (\\S+)$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void metricsCountWhatTheServerDid() throws Exception {
        try (TestCluster cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir)) {
            cluster.applyYaml(Files.readString(Path.of("..", "examples", "walkthrough.yaml")));
            TestClient bot = cluster.client(cluster.join("jenkins-deploy"));
            assertEquals(403, cluster.tryJoin("jenkins-deploy", "0".repeat(64), CertificateAuthority.newKeyPair()).status());

            String approved = create(cluster);
            for (String reviewer : List.of("bob", "carol")) {
                assertEquals(200, cluster.user(reviewer).post("/v1/access-requests/" + approved + "/reviews",
                        new SubmitReview(ReviewVerdict.APPROVED, "ok")).status());
            }
            String pending = create(cluster);
            assertEquals(200, bot.post("/v1/certs", BotKeys.generate().issueBody(approved, Map.of())).status());
            assertEquals(200, cluster.admin().post("/v1/users/alice/certs",
                    Map.of("public_key", Pem.encode(CertificateAuthority.newKeyPair().getPublic()))).status());
            assertEquals(404, cluster.admin().get("/v1/roles/nope").status());
            assertEquals(405, cluster.anonymous().put("/v1/ping", "{}").status());
            for (int i = 0; i < 3; i++) {
                assertEquals(200, cluster.anonymous().get("/v1/ping").status());
            }

            String text;
            try (RawHttps c = RawHttps.open(cluster.anonymousTls(),
                    new InetSocketAddress("127.0.0.1", cluster.server().port()), 10_000)) {
                RawHttps.Answer answer = c.call("GET", "/metrics", "", "");
                assertEquals(200, answer.status());
                assertTrue(answer.headers().get("content-type").startsWith("text/plain; version=0.0.4"), answer.headers().toString());
                text = answer.body();
            }
            Map<String, Double> samples = samples(text);
            assertEquals(1.0, samples.get("teleport_issuances_total{kind=\"request\"}"), text);
            assertEquals(1.0, samples.get("teleport_issuances_total{kind=\"user\"}"), text);
            assertEquals(1.0, samples.get("teleport_joins_total{result=\"joined\"}"), text);
            assertEquals(1.0, samples.get("teleport_joins_total{result=\"access_denied\"}"), text);
            assertEquals(1.0, samples.get("teleport_refusals_total{code=\"not_found\",route=\"/v1/roles/{name}\"}"), text);
            assertEquals(1.0, samples.get("teleport_refusals_total{code=\"method_not_allowed\",route=\"none\"}"), text);
            assertEquals(3.0, samples.get("teleport_http_requests_seconds_count{method=\"GET\",route=\"/v1/ping\",status=\"200\"}"), text);
            assertTrue(samples.containsKey("teleport_http_requests_seconds_bucket{method=\"POST\",route=\"/v1/certs\",status=\"200\",le=\"0.025\"}"),
                    "a latency histogram per route: " + text);
            assertEquals(1.0, samples.get("teleport_certificates_live{kind=\"ssh\"}"), text);
            // The bootstrap admin's identity, the bot's, alice's and the request-bound X.509 certificate.
            assertEquals(4.0, samples.get("teleport_certificates_live{kind=\"tls\"}"), text);
            assertEquals(1.0, samples.get("teleport_access_requests_pending"), text);
            assertEquals(0.0, samples.get("teleport_store_queued_writes"), "nothing waits for the writer now: " + text);
            assertTrue(samples.containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}")
                    || samples.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics too");
            for (String secret : List.of("alice", "jenkins-deploy", approved, pending)) {
                assertFalse(text.contains(secret), "the metrics name no one: " + secret);
            }
        }
    }

    private static String create(TestCluster cluster) {
        TestClient.Response r = cluster.user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), "CHG-1", Optional.of(Duration.ofHours(1)), Optional.empty(), false));
        assertEquals(201, r.status(), r.toString());
        return r.json().path("metadata").path("name").asText();
    }

    /** Sample name with its labels (as written) to value. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return out;
    }
}
