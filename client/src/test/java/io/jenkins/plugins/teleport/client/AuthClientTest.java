package io.jenkins.plugins.teleport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.Tls;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, timeouts and error mapping of the client, against a scripted HTTPS server with a real CA. */
class AuthClientTest {

    static final AuthClient.Settings QUICK = new AuthClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 3, Duration.ofMillis(5));

    CertificateAuthority ca;
    HttpsServer server;
    Deque<String[]> answers = new ArrayDeque<>(); // {status, body}
    AtomicInteger calls = new AtomicInteger();
    List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        ca = CertificateAuthority.generate("scripted", Clock.systemUTC());
        KeyPair key = CertificateAuthority.newKeyPair();
        var cert = ca.issueServer(key.getPublic(), List.of("localhost", "127.0.0.1"), Duration.ofHours(1), java.time.Instant.now());
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(Tls.context(key.getPrivate(), List.of(cert, ca.certificate()),
                List.of(ca.certificate()))));
        server.createContext("/", exchange -> {
            calls.incrementAndGet();
            paths.add(exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                    : "?" + exchange.getRequestURI().getRawQuery()));
            String[] answer = answers.isEmpty() ? new String[] {"500", "{}"} : answers.poll();
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    AuthClient client() {
        return AuthClient.create(URI.create("https://127.0.0.1:" + server.getAddress().getPort()), ca.pin(), QUICK);
    }

    void answer(int status, String body) {
        answers.add(new String[] {Integer.toString(status), body});
    }

    static final RequestId ID = new RequestId("0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a");

    static String error(String code, String message) {
        return "{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}";
    }

    @Test
    void pingIsRetriedWhileTheServerIsUnavailable() {
        answer(503, error("unavailable", "store down"));
        answer(503, error("unavailable", "store down"));
        answer(200, "{\"cluster_name\":\"c\",\"server_version\":\"1\",\"ca_pin\":\"" + ca.pin() + "\",\"new_field\":1}");
        assertEquals("c", client().ping().clusterName(), "unknown fields from a newer server are ignored");
        assertEquals(3, calls.get());
    }

    @Test
    void retriesStopAfterTheConfiguredAttempts() {
        for (int i = 0; i < 5; i++) {
            answer(503, error("unavailable", "store down"));
        }
        AuthServerException e = assertThrows(AuthServerException.class, () -> client().ping());
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(3, calls.get());
    }

    @Test
    void issuanceIsNeverRetried() {
        answer(503, error("unavailable", "store down"));
        answer(200, "{}");
        IssueCertificates ask = new IssueCertificates("0b9c5c3e-6a55-4f0e-9a53-3d6f0e2f4d1a", "ssh-ed25519 AAAA", "pem",
                Optional.empty(), Map.of());
        assertThrows(AuthServerException.class, () -> client().issue(ask));
        assertEquals(1, calls.get(), "a retry could issue twice");
    }

    @Test
    void refusalsAreTypedAndNotRetried() {
        answer(409, error("request_pending", "request x is PENDING: 1 of 2 approvals; ask its reviewers to approve it"));
        AuthServerException pending = assertThrows(AuthServerException.RequestNotUsableException.class,
                () -> client().accessRequest(ID));
        assertTrue(pending.getMessage().contains("1 of 2 approvals"));
        answer(403, error("locked", "locked by lock l1"));
        assertThrows(AuthServerException.NotAllowedException.class, () -> client().accessRequest(ID));
        assertEquals(2, calls.get());
    }

    @Test
    void aPinThatIsNotAPinOrAPlainHttpAddressIsRefusedBeforeAnyCall() {
        assertThrows(TeleportException.class, () -> AuthClient.create(URI.create("https://127.0.0.1:1"), "abc", QUICK));
        assertThrows(TeleportException.class, () -> AuthClient.create(URI.create("http://127.0.0.1:1"), ca.pin(), QUICK));
        assertEquals(0, calls.get());
    }

    @Test
    void aServerThatIsNotThereIsUnreachableAfterTheRetries() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AuthClient nobody = AuthClient.create(URI.create("https://127.0.0.1:" + port), ca.pin(), QUICK);
        TeleportException e = assertThrows(TeleportException.UnreachableException.class, nobody::ping);
        assertTrue(e.getMessage().contains("cannot reach the auth server"), e.getMessage());
    }

    @Test
    void anErrorAnswerWithoutACodeIsTypedByItsStatusAndKeepsTheServersMessage() {
        answer(503, "{\"message\":\"maintenance until 10:00\"}");
        answer(503, "<html>bad gateway</html>");
        answer(403, "{\"message\":\"forbidden by the proxy\"}");
        answer(502, "<html>502 Bad Gateway</html>");
        AuthClient client = AuthClient.create(URI.create("https://127.0.0.1:" + server.getAddress().getPort()), ca.pin(),
                new AuthClient.Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 1, Duration.ofMillis(5)));
        AuthServerException maintenance = assertThrows(AuthServerException.class, () -> client.release(ID, Map.of()));
        assertEquals(ErrorCode.UNAVAILABLE, maintenance.code(), "typed by the status, so it is retried as unavailable");
        assertTrue(maintenance.getMessage().contains("maintenance until 10:00"), maintenance.getMessage());
        AuthServerException page = assertThrows(AuthServerException.class, () -> client.release(ID, Map.of()));
        assertTrue(page.getMessage().contains("HTTP 503"), page.getMessage());
        AuthServerException proxy = assertThrows(AuthServerException.NotAllowedException.class, () -> client.accessRequest(ID));
        assertTrue(proxy.getMessage().contains("forbidden by the proxy"), proxy.getMessage());
        AuthServerException gateway = assertThrows(AuthServerException.class, () -> client.release(ID, Map.of()));
        assertEquals(ErrorCode.UNAVAILABLE, gateway.code(), "a proxy whose server is down: retried, then a pending release");
        assertTrue(gateway.getMessage().contains("HTTP 502"), gateway.getMessage());
    }

    @Test
    void requestIdsReachOnlyTheirOwnEndpoint() {
        answer(200, "{\"access_request_id\":\"" + ID + "\",\"revoked_serials\":[],\"consumed\":false}");
        client().release(ID, Map.of());
        assertEquals(List.of("/v1/access-requests/" + ID + "/release"), paths);
        for (String bad : List.of("../ping", "x?y=1", "a/b", "0B9C5C3E-6A55-4F0E-9A53-3D6F0E2F4D1A", " ", "..")) {
            TeleportException e = assertThrows(TeleportException.class, () -> RequestId.parse(bad, "requestId"));
            assertTrue(e.getMessage().startsWith("requestId is"), e.getMessage());
        }
        assertEquals(ID, RequestId.parse(" " + ID + "\n", "requestId"), "surrounding blanks are ignored");
        assertEquals(1, calls.get(), "nothing was sent for a bad ID");
    }

    @Test
    void answersAreReadLenientlyWhateverTheSharedMapperRefuses() throws IOException {
        var issued = Answers.reader().readValue("{\"access_request_id\":\"r\",\"ssh_serial\":\"1\",\"added_later\":{\"x\":1}}",
                io.jenkins.plugins.teleport.api.Messages.IssuedCertificates.class);
        assertEquals("r", issued.accessRequestId());
    }
}
