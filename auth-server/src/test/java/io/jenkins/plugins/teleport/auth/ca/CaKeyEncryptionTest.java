package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.ServerConfig.KeySource;
import io.jenkins.plugins.teleport.auth.store.JdbcStore;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx.StoredAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA private keys are encrypted in the store (AES-256-GCM) with a key from a file or an environment variable,
 * so that a backup of the database alone holds no usable CA key; the key can be rotated.
 */
class CaKeyEncryptionTest {

    @TempDir
    Path dir;

    private ServerConfig config(KeySource key, KeySource... previous) {
        return ServerConfig.defaults().withClusterName("enc").withListenAddr("127.0.0.1:0").withDataDir(dir.resolve("data"))
                .withCaKeyEncryption(new ServerConfig.CaKeyEncryption(key, List.of(previous)));
    }

    private KeySource newKeyFile(String name) {
        return KeySource.ofFile(CaKeyEncryption.ensureKeyFile(dir.resolve(name)));
    }

    private String pinAfterStart(ServerConfig config) throws Exception {
        try (AuthServer server = AuthServer.start(config, Clock.systemUTC())) {
            return server.ca().pin();
        }
    }

    /** The rows of cert_authorities, read straight from the SQLite file as a backup would hold them. */
    private Map<String, String> storedKeys() throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/auth.db"));
             ResultSet rs = c.createStatement().executeQuery("SELECT name, key_pem FROM cert_authorities")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void aBackupOfTheStoreAloneHoldsNoUsableCaKey() throws Exception {
        KeySource key = newKeyFile("a.key");
        String pin = pinAfterStart(config(key));
        Map<String, String> rows = storedKeys();
        assertEquals(2, rows.size(), rows.keySet().toString());
        for (Map.Entry<String, String> row : rows.entrySet()) {
            assertTrue(row.getValue().startsWith("sealed:aes-256-gcm:"), row.getKey());
            assertFalse(row.getValue().contains("PRIVATE KEY"), row.getKey());
            assertThrows(IllegalArgumentException.class, () -> Pem.privateKey(row.getValue()));
        }
        assertEquals(pin, pinAfterStart(config(key)), "the same key opens the same CA after a restart");
    }

    @Test
    void anotherKeyCannotOpenTheStoreAndTheErrorNamesTheKeyNeeded() throws Exception {
        KeySource key = newKeyFile("a.key");
        pinAfterStart(config(key));
        String neededId = CaKeyEncryption.keyId(storedKeys().get(CertificateAuthority.NAME)).orElseThrow();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pinAfterStart(config(newKeyFile("other.key"))));
        assertTrue(e.getMessage().contains(neededId) && e.getMessage().contains("ca_key_encryption"), e.getMessage());
    }

    @Test
    void rotationSealsTheCaKeysWithTheNewKeyAndTheOldOneIsThenNotNeeded() throws Exception {
        KeySource old = newKeyFile("old.key");
        KeySource fresh = newKeyFile("new.key");
        String pin = pinAfterStart(config(old));
        // Step 1 (several servers): every server learns the new key, still sealing with the old one.
        assertEquals(pin, pinAfterStart(config(old, fresh)));
        // Step 2: the new key seals; the old one only opens what is still sealed with it.
        assertEquals(pin, pinAfterStart(config(fresh, old)));
        String freshId = CaKeyEncryption.load(config(fresh).caKeyEncryption(), System::getenv).currentKeyId();
        storedKeys().values().forEach(v -> assertEquals(freshId, CaKeyEncryption.keyId(v).orElseThrow()));
        // Step 3: the old key is dropped from the configuration.
        assertEquals(pin, pinAfterStart(config(fresh)));
        assertThrows(IllegalStateException.class, () -> pinAfterStart(config(old)));
    }

    @Test
    void aStoreWrittenBeforeEncryptionIsSealedOnStart() throws Exception {
        Path db = dir.resolve("data/auth.db");
        String pin;
        try (Store store = JdbcStore.sqlite(db, Clock.systemUTC())) {
            CertificateAuthority ca = CertificateAuthority.generate("enc", Clock.systemUTC());
            store.write(tx -> tx.insertAuthorityIfAbsent(CertificateAuthority.NAME,
                    new StoredAuthority(Pem.encode(ca.certificate()), Pem.encode(ca.privateKey()))));
            store.write(tx -> tx.insertAuthorityIfAbsent(SshCertificateAuthority.NAME, SshCertificateAuthority.generate("enc").toStored()));
            pin = ca.pin();
        }
        assertTrue(storedKeys().get(CertificateAuthority.NAME).contains("PRIVATE KEY"));
        assertEquals(pin, pinAfterStart(config(newKeyFile("a.key"))));
        storedKeys().values().forEach(v -> assertFalse(v.contains("PRIVATE KEY")));
        // Nor do the files: the plain keys' old bytes are overwritten, not left in free pages (SQLite secure_delete).
        try (var files = Files.list(db.getParent())) {
            for (Path f : files.toList()) {
                assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY"), f.toString());
            }
        }
    }

    @Test
    void theKeyCanComeFromAnEnvironmentVariable() {
        String text = CaKeyEncryption.newKey();
        CaKeyEncryption fromEnv = CaKeyEncryption.load(new ServerConfig.CaKeyEncryption(KeySource.ofEnv("CA_KEY"), null),
                name -> name.equals("CA_KEY") ? text : null);
        CaKeyEncryption fromBytes = CaKeyEncryption.of(java.util.Base64.getDecoder().decode(text), List.of());
        assertEquals(fromBytes.currentKeyId(), fromEnv.currentKeyId());
        assertEquals("pem", fromBytes.open("x", fromEnv.seal("x", "pem")));
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> CaKeyEncryption.load(
                new ServerConfig.CaKeyEncryption(KeySource.ofEnv("CA_KEY"), null), name -> null));
        assertTrue(unset.getMessage().contains("CA_KEY"), unset.getMessage());
    }

    @Test
    void withoutAConfiguredKeyTheServerDoesNotStartAndSaysHowToMakeOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AuthServer.start(ServerConfig.defaults().withListenAddr("127.0.0.1:0").withDataDir(dir), Clock.systemUTC()));
        assertTrue(e.getMessage().contains("new-encryption-key"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("auth.db")), "nothing is created without the key");
    }

    @Test
    void aSealedKeyIsBoundToItsAuthorityAndToItsBytes() {
        CaKeyEncryption keys = CaKeyEncryption.of(new byte[32], List.of());
        String sealed = keys.seal("tls", "secret");
        assertNotEquals(sealed, keys.seal("tls", "secret"), "a fresh nonce each time");
        assertThrows(IllegalStateException.class, () -> keys.open("ssh", sealed), "moved to another authority's row");
        int colon = sealed.lastIndexOf(':');
        byte[] bytes = java.util.Base64.getDecoder().decode(sealed.substring(colon + 1));
        bytes[bytes.length / 2] ^= 1;
        String altered = sealed.substring(0, colon + 1) + java.util.Base64.getEncoder().encodeToString(bytes);
        assertThrows(IllegalStateException.class, () -> keys.open("tls", altered));
        assertThrows(IllegalArgumentException.class, () -> CaKeyEncryption.of(new byte[16], List.of()));
    }
}
