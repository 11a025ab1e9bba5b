package io.jenkins.plugins.teleport.auth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.ca.Tls;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every authenticated call needs a valid client certificate of this cluster's CA: nothing else gets in. */
class ClientCertificateTest {

    @TempDir
    Path dir;

    TestCluster cluster;

    @BeforeEach
    void start() {
        cluster = TestCluster.start(TestCluster.Backend.SQLITE, dir);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    /** The call must not succeed: the TLS handshake fails, or the server answers 401. */
    static void assertRefused(TestClient client) {
        try {
            TestClient.Response r = client.get("/v1/roles");
            assertEquals(401, r.status(), r.toString());
        } catch (UncheckedIOException handshakeFailed) {
            // refused during the TLS handshake
        }
    }

    @Test
    void theAdminIdentityIsAccepted() {
        assertEquals(200, cluster.admin().get("/v1/roles").status());
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        CertificateAuthority other = CertificateAuthority.generate("other", Clock.systemUTC());
        KeyPair key = CertificateAuthority.newKeyPair();
        IdentityFile forged = new IdentityFile(key.getPrivate(),
                other.issueClient(key.getPublic(), ClientIdentity.user("admin"), Duration.ofHours(1), Instant.now()),
                List.of(cluster.server().ca().certificate()));
        assertRefused(cluster.client(forged));
    }

    @Test
    void anExpiredCertificateIsRefused() {
        KeyPair key = CertificateAuthority.newKeyPair();
        IdentityFile expired = new IdentityFile(key.getPrivate(), cluster.server().ca().issueClient(key.getPublic(),
                ClientIdentity.user("admin"), Duration.ofMinutes(1), Instant.now().minus(Duration.ofHours(2))),
                List.of(cluster.server().ca().certificate()));
        assertRefused(cluster.client(expired));
    }

    @Test
    void aDeletedUsersCertificateIsRefused() {
        cluster.apply(User.of("eve", List.of("admin")));
        TestClient eve = cluster.user("eve");
        assertEquals(200, eve.get("/v1/roles").status());
        assertEquals(204, cluster.admin().delete("/v1/users/eve").status());
        TestClient.Response after = eve.get("/v1/roles");
        assertEquals(401, after.status());
        assertEquals("unauthenticated", after.code());
        assertTrue(after.message().contains("no longer exists"), after.message());
    }

    @Test
    void withoutACertificateOnlyPingAnswers() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cluster.server().ca().certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext anonymous = SSLContext.getInstance("TLS");
        anonymous.init(null, tmf.getTrustManagers(), null);
        TestClient client = new TestClient(cluster.server().url(), anonymous);

        TestClient.Response ping = client.get("/v1/ping");
        assertEquals(200, ping.status());
        assertEquals(cluster.server().ca().pin(), ping.json().path("ca_pin").asText());
        assertTrue(ping.json().path("ca_pin").asText().matches("sha256:[0-9a-f]{64}"));
        assertEquals("test", ping.json().path("cluster_name").asText());

        TestClient.Response roles = client.get("/v1/roles");
        assertEquals(401, roles.status());
        assertEquals("unauthenticated", roles.code());
    }

    @Test
    void aUserWithoutARuleCannotManageResources() {
        cluster.apply(Role.of("nothing", null), User.of("mallory", List.of("nothing")));
        TestClient.Response r = cluster.user("mallory").post("/v1/roles", "{\"kind\":\"role\",\"metadata\":{\"name\":\"x\"}}");
        assertEquals(403, r.status());
        assertEquals("access_denied", r.code());
    }

    @Test
    void theServerCertificateIsSignedByTheClusterCa() throws Exception {
        // Tls.context trusts only the CA, so a successful call proves the chain; a different CA must fail.
        IdentityFile admin = cluster.adminIdentity();
        CertificateAuthority other = CertificateAuthority.generate("other", Clock.systemUTC());
        SSLContext trustsOther = Tls.context(admin.key(), List.of(admin.certificate()), List.of(other.certificate()));
        assertRefused(new TestClient(cluster.server().url(), trustsOther));
    }
}
