package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

/** Passwords are kept as salted Argon2id hashes in the PHC format, and checked only against them. */
class PasswordHashTest {

    @Test
    void aPasswordIsStoredAsASaltedArgon2idHashThatOnlyItMatches() {
        String hash = PasswordHash.hash("correct horse battery staple");
        assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
        assertFalse(hash.contains("correct horse"), "the hash does not contain the password");
        assertTrue(PasswordHash.matches("correct horse battery staple", hash));
        assertFalse(PasswordHash.matches("correct horse battery stapler", hash));
        assertFalse(PasswordHash.matches("", hash));
        assertNotEquals(hash, PasswordHash.hash("correct horse battery staple"), "each hash has its own salt");
    }

    @Test
    void theStoredHashIsPlainArgon2idThatOtherToolsRecompute() {
        String hash = PasswordHash.hash("correct horse battery staple");
        String[] parts = hash.split("\\$");
        byte[] salt = Base64.getDecoder().decode(parts[4]);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(19456).withIterations(2).withParallelism(1).withSalt(salt).build());
        byte[] out = new byte[32];
        generator.generateBytes("correct horse battery staple".getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
        assertEquals(parts[5], Base64.getEncoder().withoutPadding().encodeToString(out));
    }

    @Test
    void passwordsFollowTeleportsLengthRules() {
        assertEquals(Optional.of("the password must have at least 12 characters"), PasswordHash.weakness("short"));
        assertEquals(Optional.empty(), PasswordHash.weakness("twelve chars"));
        assertEquals(Optional.empty(), PasswordHash.weakness("é".repeat(128)), "characters, not bytes");
        assertTrue(PasswordHash.weakness("x".repeat(129)).isPresent());
    }

    @Test
    void somethingThatIsNotAnArgon2idHashIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.matches("x", "$2a$10$abcdefghijklmnopqrstuv"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.matches("x", "plain"));
    }
}
