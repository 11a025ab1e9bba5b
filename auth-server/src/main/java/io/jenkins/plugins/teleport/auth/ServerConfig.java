package io.jenkins.plugins.teleport.auth;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.jenkins.plugins.teleport.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The auth server's configuration, read from one YAML file; command-line flags override its fields.
 * Unknown fields are refused, so a misspelt setting is an error rather than a silent default. {@code bot_identity_ttl}
 * is the lifetime of the identity a bot gets when it joins; {@code max_certificate_ttl} caps every request-bound
 * certificate; {@code http} holds the limits of the API's transport; {@code ca_key_encryption} names the key that
 * encrypts the CA private keys in the store; {@code public_url} is the https URL this server is reached at, the issuer
 * of its OIDC tokens (default: its own listen address); {@code web} holds the settings of the web pages.
 */
public record ServerConfig(
        String clusterName,
        String listenAddr,
        List<String> publicAddrs,
        Path dataDir,
        Storage storage,
        Http http,
        CaKeyEncryption caKeyEncryption,
        Duration botIdentityTtl,
        Duration maxCertificateTtl,
        String publicUrl,
        Web web) {

    public ServerConfig {
        clusterName = clusterName == null || clusterName.isBlank() ? "teleport-ci" : clusterName;
        listenAddr = listenAddr == null || listenAddr.isBlank() ? "127.0.0.1:3025" : listenAddr;
        publicAddrs = publicAddrs == null ? List.of() : List.copyOf(publicAddrs);
        dataDir = dataDir == null ? Path.of("/var/lib/teleport-ci-auth") : dataDir;
        storage = storage == null ? new Storage(null, null, null, null, null) : storage;
        http = http == null ? Http.DEFAULTS : http;
        caKeyEncryption = caKeyEncryption == null ? CaKeyEncryption.NONE : caKeyEncryption;
        botIdentityTtl = botIdentityTtl == null ? Duration.ofHours(1) : botIdentityTtl;
        maxCertificateTtl = maxCertificateTtl == null ? Duration.ofHours(8) : maxCertificateTtl;
        publicUrl = publicUrl == null ? "" : publicUrl.strip();
        if (!publicUrl.isEmpty() && !publicUrl.matches("https://[^/?#\\s]+(/[^?#\\s]*)?")) {
            throw new IllegalArgumentException("public_url must be the https URL clients and relying parties reach this "
                    + "server at, e.g. https://auth.example.com:3025 (it is the OIDC issuer)");
        }
        web = web == null ? Web.DEFAULTS : web;
    }

    /**
     * The web pages for people (docs/web.md): {@code enabled} (default true) serves them under {@code /web/} on the
     * API's address; {@code session_ttl} is how long a sign-in lasts (default 12h, as Teleport's web sessions, at most
     * 7 days).
     */
    public record Web(Boolean enabled, Duration sessionTtl) {
        public static final Web DEFAULTS = new Web(null, null);

        public Web {
            enabled = enabled == null || enabled;
            sessionTtl = sessionTtl == null ? Duration.ofHours(12) : sessionTtl;
            if (sessionTtl.isNegative() || sessionTtl.isZero() || sessionTtl.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("web.session_ttl must be positive and at most 7 days (168h), e.g. 12h");
            }
        }
    }

    /**
     * Where state lives: {@code type: sqlite} (default; {@code path} defaults to {@code <data_dir>/auth.db}) or
     * {@code type: postgres} with a JDBC {@code url}, {@code username} and {@code password_file}.
     */
    public record Storage(String type, Path path, String url, String username, Path passwordFile) {
        public Storage {
            type = type == null ? "sqlite" : type;
        }
    }

    /**
     * The limits of the API's HTTPS transport, so that slow or stalled clients cannot hold the server:
     * {@code max_connections} open at once (more wait in the accept queue); {@code threads} handling requests;
     * {@code handshake_timeout} for the TLS handshake; {@code request_header_timeout} from a request's first byte to
     * the end of its headers; {@code request_body_timeout} from the end of the headers to the end of the body;
     * {@code idle_timeout} of a connection with nothing in flight; {@code max_header_bytes} of the request line and
     * headers; {@code max_body_bytes} of a body. Zero or absent means the default.
     */
    public record Http(int maxConnections, int threads, Duration handshakeTimeout, Duration requestHeaderTimeout,
                       Duration requestBodyTimeout, Duration idleTimeout, int maxHeaderBytes, int maxBodyBytes) {

        /**
         * Request threads by default: twice the cores, at least 4. The handlers are CPU work (an issuance waiting for
         * SQLite's commit holds no thread), and more threads than that only share the cores: on 2 cores, 32 threads
         * starved the JIT compiler for minutes with PostgreSQL (docs/BENCHMARKS.md, seventh and eighth steps).
         */
        static final int DEFAULT_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

        public static final Http DEFAULTS = new Http(0, 0, null, null, null, null, 0, 0);

        public Http {
            maxConnections = positive(maxConnections, 2048, "http.max_connections");
            threads = positive(threads, DEFAULT_THREADS, "http.threads");
            handshakeTimeout = positive(handshakeTimeout, Duration.ofSeconds(10), "http.handshake_timeout");
            requestHeaderTimeout = positive(requestHeaderTimeout, Duration.ofSeconds(10), "http.request_header_timeout");
            requestBodyTimeout = positive(requestBodyTimeout, Duration.ofSeconds(15), "http.request_body_timeout");
            idleTimeout = positive(idleTimeout, Duration.ofSeconds(20), "http.idle_timeout");
            maxHeaderBytes = positive(maxHeaderBytes, 8192, "http.max_header_bytes");
            maxBodyBytes = positive(maxBodyBytes, 1 << 20, "http.max_body_bytes");
        }

        private static int positive(int value, int fallback, String name) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be positive (or left out for the default " + fallback + ")");
            }
            return value == 0 ? fallback : value;
        }

        private static Duration positive(Duration value, Duration fallback, String name) {
            if (value != null && (value.isNegative() || value.isZero())) {
                throw new IllegalArgumentException(name + " must be positive (or left out for the default "
                        + io.jenkins.plugins.teleport.api.GoDuration.format(fallback) + ")");
            }
            return value == null ? fallback : value;
        }
    }

    /** Where a secret key comes from: a {@code file} holding it, or an environment variable named by {@code env}. */
    public record KeySource(Path file, String env) {
        public KeySource {
            if (file != null && env != null) {
                throw new IllegalArgumentException("a key comes from a file or an environment variable, not both");
            }
        }

        @JsonIgnore
        public boolean isEmpty() {
            return file == null && (env == null || env.isBlank());
        }

        public static KeySource ofFile(Path file) {
            return new KeySource(file, null);
        }

        public static KeySource ofEnv(String env) {
            return new KeySource(null, env);
        }

        @Override
        public String toString() {
            return file != null ? "file " + file : "environment variable " + env;
        }
    }

    /**
     * The key that encrypts the CA private keys in the store ({@code key}), and during a rotation the keys that may
     * still decrypt them ({@code previous}); see docs/operations.md.
     */
    public record CaKeyEncryption(KeySource key, List<KeySource> previous) {
        public static final CaKeyEncryption NONE = new CaKeyEncryption(null, null);

        public CaKeyEncryption {
            key = key == null ? new KeySource(null, null) : key;
            previous = previous == null ? List.of() : List.copyOf(previous);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Reads a configuration file; the two settings that moved under {@code http} say so. */
    public static ServerConfig read(Path file) throws IOException {
        ServerConfig c;
        try {
            c = Json.yaml().readValue(Files.readString(file), ServerConfig.class);
        } catch (UnrecognizedPropertyException e) {
            if (e.getPath().size() == 1 && MOVED_TO_HTTP.contains(e.getPropertyName())) {
                throw new IllegalArgumentException(file + ": " + e.getPropertyName() + " is now http." + e.getPropertyName()
                        + ": move it under 'http:' (docs/operations.md lists the transport's limits)", e);
            }
            throw e;
        }
        return c == null ? defaults() : c;
    }

    /** Top-level settings of earlier versions that are now in {@link Http}. */
    private static final List<String> MOVED_TO_HTTP = List.of("max_body_bytes", "threads");

    public String host() {
        return listenAddr.substring(0, listenAddr.lastIndexOf(':'));
    }

    public int port() {
        return Integer.parseInt(listenAddr.substring(listenAddr.lastIndexOf(':') + 1));
    }

    public Path sqlitePath() {
        return Optional.ofNullable(storage.path()).orElse(dataDir.resolve("auth.db"));
    }

    public ServerConfig withListenAddr(String addr) {
        return new ServerConfig(clusterName, addr, publicAddrs, dataDir, storage, http, caKeyEncryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dir, storage, http, caKeyEncryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }

    public ServerConfig withClusterName(String name) {
        return new ServerConfig(name, listenAddr, publicAddrs, dataDir, storage, http, caKeyEncryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }

    public ServerConfig withStorage(Storage s) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dataDir, s, http, caKeyEncryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }

    public ServerConfig withHttp(Http limits) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dataDir, storage, limits, caKeyEncryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }

    public ServerConfig withWeb(Web settings) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dataDir, storage, http, caKeyEncryption, botIdentityTtl,
                maxCertificateTtl, publicUrl, settings);
    }

    public ServerConfig withCaKeyEncryption(CaKeyEncryption encryption) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dataDir, storage, http, encryption, botIdentityTtl, maxCertificateTtl, publicUrl, web);
    }
}
