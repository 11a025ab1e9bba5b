package io.jenkins.plugins.teleport.auth;

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
 * certificate; {@code public_url} is the https URL this server is reached at, the issuer of its OIDC tokens (default:
 * its own listen address).
 */
public record ServerConfig(
        String clusterName,
        String listenAddr,
        List<String> publicAddrs,
        Path dataDir,
        Storage storage,
        int maxBodyBytes,
        int threads,
        Duration botIdentityTtl,
        Duration maxCertificateTtl,
        String publicUrl) {

    public ServerConfig {
        clusterName = clusterName == null || clusterName.isBlank() ? "teleport-ci" : clusterName;
        listenAddr = listenAddr == null || listenAddr.isBlank() ? "127.0.0.1:3025" : listenAddr;
        publicAddrs = publicAddrs == null ? List.of() : List.copyOf(publicAddrs);
        dataDir = dataDir == null ? Path.of("/var/lib/teleport-ci-auth") : dataDir;
        storage = storage == null ? new Storage(null, null, null, null, null) : storage;
        maxBodyBytes = maxBodyBytes <= 0 ? 1 << 20 : maxBodyBytes;
        threads = threads <= 0 ? 32 : threads;
        botIdentityTtl = botIdentityTtl == null ? Duration.ofHours(1) : botIdentityTtl;
        maxCertificateTtl = maxCertificateTtl == null ? Duration.ofHours(8) : maxCertificateTtl;
        publicUrl = publicUrl == null ? "" : publicUrl.strip();
        if (!publicUrl.isEmpty() && !publicUrl.matches("https://[^/?#\\s]+(/[^?#\\s]*)?")) {
            throw new IllegalArgumentException("public_url must be the https URL clients and relying parties reach this "
                    + "server at, e.g. https://auth.example.com:3025 (it is the OIDC issuer)");
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

    public static ServerConfig defaults() {
        return new ServerConfig(null, null, null, null, null, 0, 0, null, null, null);
    }

    public static ServerConfig read(Path file) throws IOException {
        ServerConfig c = Json.yaml().readValue(Files.readString(file), ServerConfig.class);
        return c == null ? defaults() : c;
    }

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
        return new ServerConfig(clusterName, addr, publicAddrs, dataDir, storage, maxBodyBytes, threads, botIdentityTtl, maxCertificateTtl, publicUrl);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dir, storage, maxBodyBytes, threads, botIdentityTtl, maxCertificateTtl, publicUrl);
    }

    public ServerConfig withClusterName(String name) {
        return new ServerConfig(name, listenAddr, publicAddrs, dataDir, storage, maxBodyBytes, threads, botIdentityTtl, maxCertificateTtl, publicUrl);
    }

    public ServerConfig withStorage(Storage s) {
        return new ServerConfig(clusterName, listenAddr, publicAddrs, dataDir, s, maxBodyBytes, threads, botIdentityTtl, maxCertificateTtl, publicUrl);
    }
}
