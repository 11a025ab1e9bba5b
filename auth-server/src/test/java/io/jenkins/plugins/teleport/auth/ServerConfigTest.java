package io.jenkins.plugins.teleport.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration file names every limit of the transport and the CA encryption key, as docs/operations.md shows. */
class ServerConfigTest {

    @TempDir
    Path dir;

    private ServerConfig read(String yaml) throws Exception {
        Path file = dir.resolve("auth.yaml");
        Files.writeString(file, yaml);
        return ServerConfig.read(file);
    }

    @Test
    void everyTransportLimitAndTheCaKeyAreReadFromTheFile() throws Exception {
        ServerConfig c = read("""
                http:
                  max_connections: 100
                  threads: 8
                  handshake_timeout: 3s
                  request_header_timeout: 4s
                  request_body_timeout: 5s
                  idle_timeout: 1m
                  max_header_bytes: 4096
                  max_body_bytes: 65536
                ca_key_encryption:
                  key: {env: TELEPORT_CA_KEY}
                  previous: [{file: /etc/teleport-ci/old.key}]
                """);
        assertEquals(new ServerConfig.Http(100, 8, Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5),
                Duration.ofMinutes(1), 4096, 65536), c.http());
        assertEquals(ServerConfig.KeySource.ofEnv("TELEPORT_CA_KEY"), c.caKeyEncryption().key());
        assertEquals(List.of(ServerConfig.KeySource.ofFile(Path.of("/etc/teleport-ci/old.key"))), c.caKeyEncryption().previous());
    }

    @Test
    void theWebPagesSettingsAreReadWithTheirDefaultsAndLimits() throws Exception {
        assertEquals(new ServerConfig.Web(true, Duration.ofHours(12)), read("cluster_name: x\n").web());
        assertEquals(new ServerConfig.Web(false, Duration.ofHours(8)), read("web: {enabled: false, session_ttl: 8h}\n").web());
        Exception tooLong = assertThrows(Exception.class, () -> read("web: {session_ttl: 200h}\n"));
        assertTrue(String.valueOf(tooLong.getMessage()).contains("web.session_ttl must be positive and at most 7 days"),
                tooLong.getMessage());
    }

    @Test
    void inviteLinksUseThePublicUrlThenTheFirstPublicAddressThenTheListenAddress() throws Exception {
        assertEquals("https://auth.example.com", AuthServer.publicUrl(
                read("public_url: https://auth.example.com/\npublic_addrs: [other.example.com]\n"), 3025));
        assertEquals("https://cab.example.com:3025", AuthServer.publicUrl(read("public_addrs: [cab.example.com]\n"), 3025));
        assertEquals("https://cab.example.com:443", AuthServer.publicUrl(read("public_addrs: ['cab.example.com:443']\n"), 3025));
        assertEquals("https://127.0.0.1:4000", AuthServer.publicUrl(read("listen_addr: 0.0.0.0:3025\n"), 4000));
    }

    @Test
    void leftOutLimitsHaveTheDocumentedDefaults() throws Exception {
        // Request threads: twice the cores, at least 4.
        int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        assertEquals(new ServerConfig.Http(2048, threads, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(15),
                Duration.ofSeconds(20), 8192, 1 << 20), read("http: {}\n").http());
        assertEquals(ServerConfig.Http.DEFAULTS, read("cluster_name: x\n").http());
    }

    @Test
    void aNegativeLimitIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ServerConfig.Http(0, -1, null, null, null, null, 0, 0));
        assertTrue(e.getMessage().contains("http.threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ServerConfig.Http(0, 0, null, null, Duration.ZERO, null, 0, 0));
        assertTrue(e.getMessage().contains("http.request_body_timeout"), e.getMessage());
    }

    @Test
    void settingsThatMovedUnderHttpSaySo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read("max_body_bytes: 100\n"));
        assertTrue(e.getMessage().contains("http.max_body_bytes"), e.getMessage());
        assertThrows(com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class, () -> read("http: {threadz: 3}\n"));
    }
}
