package io.jenkins.plugins.teleport.auth.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random tokens (sessions, invites) and the digests the store keeps instead of them. */
final class Secrets {

    /** Bytes of a session token (Teleport's {@code SessionTokenBytes}). */
    static final int SESSION_BYTES = 32;
    /** Bytes of an invite token (Teleport's {@code TokenLenBytes}). */
    static final int INVITE_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** A random token, URL-safe base64 without padding. */
    static String token(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The SHA-256 of {@code text}, hex: what the store keeps of a token. */
    static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** A value derived from {@code secret} for {@code purpose} (one-way: the derived value reveals nothing of the secret). */
    static String derive(String purpose, String secret) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256("teleport-ci web " + purpose + "\0" + secret));
    }

    /** Whether two strings are equal, compared in constant time. */
    static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
