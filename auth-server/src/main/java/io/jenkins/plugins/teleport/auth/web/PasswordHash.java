package io.jenkins.plugins.teleport.auth.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Passwords stored as Argon2id hashes (BouncyCastle), in the PHC string format every Argon2 tool reads
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}). The parameters are OWASP's minimum for Argon2id (19 MiB, two
 * passes, one lane); a stored hash keeps its own parameters, so raising them later leaves old hashes readable. The
 * length rules are Teleport's ({@code MinPasswordLength}, {@code MaxPasswordLength}).
 */
public final class PasswordHash {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 128;

    static final int MEMORY_KIB = 19 * 1024;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Each hash takes 19 MiB: at most this many are computed at once, so a burst of sign-ins cannot exhaust memory. */
    private static final Semaphore AT_ONCE = new Semaphore(4, true);
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");

    private PasswordHash() {}

    /** Why {@code password} cannot be a password, if it cannot. */
    public static Optional<String> weakness(String password) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            return Optional.of("the password must have at least " + MIN_LENGTH + " characters");
        }
        if (length > MAX_LENGTH) {
            return Optional.of("the password must have at most " + MAX_LENGTH + " characters");
        }
        return Optional.empty();
    }

    /** A new hash of {@code password} with a fresh random salt. */
    public static String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt)
                + "$" + B64.encodeToString(hash);
    }

    /** Whether {@code password} is the one {@code encoded} was made from (compared in constant time). */
    public static boolean matches(String password, String encoded) {
        Matcher m = PHC.matcher(encoded);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an Argon2id hash in PHC format");
        }
        byte[] salt = Base64.getDecoder().decode(m.group(4));
        byte[] expected = Base64.getDecoder().decode(m.group(5));
        byte[] actual = argon2(password, salt, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        AT_ONCE.acquireUninterruptibly();
        try {
            return argon2Now(password, salt, memoryKib, iterations, parallelism, length);
        } finally {
            AT_ONCE.release();
        }
    }

    private static byte[] argon2Now(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
