package io.jenkins.plugins.teleport.auth.testing;

import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Kind;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.api.Messages.SubmitReview;
import io.jenkins.plugins.teleport.api.Resource;
import io.jenkins.plugins.teleport.api.ReviewVerdict;
import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.Bootstrap;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.IdentityFile;
import io.jenkins.plugins.teleport.auth.store.PostgresFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A real auth server on a loopback port with an admin identity, on SQLite or PostgreSQL. */
public final class TestCluster implements AutoCloseable {

    /** Which store a test runs against. */
    public enum Backend { SQLITE, POSTGRES }

    private AuthServer server;
    private int stoppedPort;
    private final TestClock clock;
    private final IdentityFile admin;

    private TestCluster(AuthServer server, TestClock clock) {
        this.server = server;
        this.clock = clock;
        this.admin = Bootstrap.adminIdentity(server.store(), server.ca(), clock, "admin", Duration.ofHours(1));
    }

    public static TestCluster start(Backend backend, Path dir) {
        ServerConfig config = ServerConfig.defaults().withClusterName("test").withListenAddr("127.0.0.1:0").withDataDir(dir);
        if (backend == Backend.POSTGRES) {
            PostgresFixture pg = PostgresFixture.requireOrSkip();
            config = config.withStorage(new ServerConfig.Storage("postgres", null, pg.createDatabase(), pg.user(), null));
        }
        return start(config);
    }

    /** Starts a server with {@code config}; without a CA encryption key configured, one is made in its data directory. */
    public static TestCluster start(ServerConfig config) {
        if (config.caKeyEncryption().key().isEmpty()) {
            java.nio.file.Path key = io.jenkins.plugins.teleport.auth.store.PrivateFiles.directory(config.dataDir())
                    .resolve("ca-encryption.key");
            config = config.withCaKeyEncryption(new ServerConfig.CaKeyEncryption(ServerConfig.KeySource.ofFile(
                    io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption.ensureKeyFile(key)), null));
        }
        TestClock clock = new TestClock();
        try {
            return new TestCluster(AuthServer.start(config, clock), clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server, keeping its store; {@link #restart} brings it back on the same port. */
    public void stop() {
        stoppedPort = server.port();
        server.close();
    }

    /** Starts the server again on the same address and store, with the same CA (as after a crash or an upgrade). */
    public void restart() {
        ServerConfig again = server.config().withListenAddr("127.0.0.1:" + stoppedPort);
        try {
            server = AuthServer.start(again, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public AuthServer server() {
        return server;
    }

    public TestClock clock() {
        return clock;
    }

    public IdentityFile adminIdentity() {
        return admin;
    }

    public TestClient admin() {
        return client(admin);
    }

    public TestClient client(IdentityFile identity) {
        return new TestClient(server.url(), identity.sslContext());
    }

    /** An identity for {@code who}, signed by the cluster's CA (as 'tctl auth sign' would get it). */
    public IdentityFile identity(ClientIdentity who) {
        KeyPair key = CertificateAuthority.newKeyPair();
        return new IdentityFile(key.getPrivate(),
                server.ca().issueClient(key.getPublic(), who, Duration.ofHours(1), java.time.Instant.now()),
                List.of(server.ca().certificate()));
    }

    public TestClient user(String name) {
        return client(identity(ClientIdentity.user(name)));
    }

    /** A client that trusts the cluster CA but presents no certificate (as a bot before it joins). */
    public TestClient anonymous() {
        return new TestClient(server.url(), anonymousTls());
    }

    /** A TLS context that trusts the cluster CA and presents no certificate. */
    public javax.net.ssl.SSLContext anonymousTls() {
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", server.ca().certificate());
            javax.net.ssl.TrustManagerFactory tmf =
                    javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new join token for {@code bot}, made by the admin. */
    public String token(String bot, boolean reusable) {
        TestClient.Response r = admin().post("/v1/tokens", Map.of("bot_name", bot, "reusable", reusable));
        if (r.status() != 201) {
            throw new AssertionError("token for " + bot + ": " + r);
        }
        return r.json().path("token").asText();
    }

    /** Joins as {@code bot} with {@code token}: the raw answer. */
    public TestClient.Response tryJoin(String bot, String token, KeyPair key) {
        return anonymous().post("/v1/join", Map.of("token", token, "bot_name", bot,
                "public_key", io.jenkins.plugins.teleport.auth.ca.Pem.encode(key.getPublic())));
    }

    /** Joins as {@code bot} with a fresh single-use token; the bot's identity. */
    public IdentityFile join(String bot) {
        KeyPair key = CertificateAuthority.newKeyPair();
        TestClient.Response r = tryJoin(bot, token(bot, false), key);
        if (r.status() != 200) {
            throw new AssertionError("join as " + bot + ": " + r);
        }
        return new IdentityFile(key.getPrivate(),
                io.jenkins.plugins.teleport.auth.ca.Pem.certificates(r.json().path("certificate").asText()).get(0),
                List.of(server.ca().certificate()));
    }

    /**
     * What code inside a request's scope holds: the request-bound TLS key and certificate, got by {@code bot} (a
     * client with the bot's join identity) for {@code requestId}, with {@code usage} and {@code ttl} (e.g. "1h").
     */
    public IdentityFile requestBound(TestClient bot, String requestId, Map<String, String> usage, String ttl) {
        BotKeys keys = BotKeys.generate();
        TestClient.Response issued = bot.post("/v1/certs", keys.issueBody(requestId, Map.of("usage", usage, "ttl", ttl)));
        if (issued.status() != 200) {
            throw new AssertionError("certificates for " + requestId + ": " + issued);
        }
        return new IdentityFile(keys.tls().getPrivate(), BotKeys.parseTls(issued.json().path("tls_certificate").asText()),
                List.of(server.ca().certificate()));
    }

    /**
     * The walkthrough's approved request (examples/walkthrough.yaml applied): alice asks for the deploy role for bot
     * jenkins-deploy for two hours (CHG-1234), and bob and carol approve. Its ID; fails the test if a step is refused.
     */
    public String approvedDeployRequest(boolean oneShot) {
        TestClient.Response created = user("alice").post("/v1/access-requests", new CreateAccessRequest("jenkins-deploy",
                List.of("deploy"), "CHG-1234", Optional.of(Duration.ofHours(2)), Optional.empty(), oneShot));
        if (created.status() != 201) {
            throw new AssertionError("creating the deploy request: " + created);
        }
        String id = created.json().path("metadata").path("name").asText();
        for (String reviewer : List.of("bob", "carol")) {
            TestClient.Response reviewed = user(reviewer).post("/v1/access-requests/" + id + "/reviews",
                    new SubmitReview(ReviewVerdict.APPROVED, "ok"));
            if (reviewed.status() != 200) {
                throw new AssertionError(reviewer + " approving " + id + ": " + reviewed);
            }
        }
        return id;
    }

    /** Creates resources through the API as the admin, failing the test if any is refused. */
    public void apply(Resource... resources) {
        for (Resource r : resources) {
            TestClient.Response response = admin().post("/v1/" + Kind.fromWireName(r.kind()).orElseThrow().collection(), r);
            if (response.status() != 201) {
                throw new AssertionError("creating " + r.kind() + " " + r.name() + ": " + response);
            }
        }
    }

    /** Reads a YAML resource file's documents and creates them (as 'tctl create -f' does). */
    public void applyYaml(String yaml) {
        try {
            for (var doc : Json.yaml().readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(yaml).readAll()) {
                var node = (com.fasterxml.jackson.databind.JsonNode) doc;
                Kind kind = Kind.fromWireName(node.path("kind").asText()).orElseThrow();
                apply(Json.mapper().treeToValue(node, kind.type()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
