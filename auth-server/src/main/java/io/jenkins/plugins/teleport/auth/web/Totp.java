package io.jenkins.plugins.teleport.auth.web;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238, over HOTP of RFC 4226) as Teleport's local users use them: HMAC-SHA1,
 * 30-second steps, six digits, one step of clock skew either way ({@code TOTPValidityPeriod}, {@code TOTPSkew}).
 */
public final class Totp {

    /** Seconds per step. */
    public static final int PERIOD_SECONDS = 30;
    /** Digits of a code. */
    public static final int DIGITS = 6;
    /** Steps of clock skew accepted before and after the current one. */
    public static final int SKEW = 1;
    /** Bytes of a new secret: 160 bits, the HMAC-SHA1 block RFC 4226 recommends. */
    public static final int SECRET_BYTES = 20;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Totp() {}

    public static byte[] newSecret() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /** The time step of {@code time}: whole periods since the Unix epoch (RFC 6238's T). */
    public static long step(Instant time) {
        return Math.floorDiv(time.getEpochSecond(), PERIOD_SECONDS);
    }

    /** The code of {@code step} with {@code digits} digits (RFC 4226's HOTP with the step as counter). */
    public static String code(byte[] secret, long step, int digits) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
            int offset = hash[hash.length - 1] & 0x0f;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            String text = Integer.toString(binary % POWERS[digits]);
            return "0".repeat(digits - text.length()) + text;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is not available: " + e.getMessage(), e);
        }
    }

    /** The current code (what an authenticator app shows at {@code now}). */
    public static String code(byte[] secret, Instant now) {
        return code(secret, step(now), DIGITS);
    }

    /**
     * The step whose code {@code given} is, within {@link #SKEW} steps of {@code now}; empty if none is. Every step is
     * compared, in constant time, so the answer's timing says nothing about which one matched.
     */
    public static OptionalLong match(byte[] secret, String given, Instant now) {
        String code = given == null ? "" : given.replace(" ", "");
        if (!code.matches("[0-9]{" + DIGITS + "}")) {
            return OptionalLong.empty();
        }
        long current = step(now);
        long found = Long.MIN_VALUE;
        for (long s = current - SKEW; s <= current + SKEW; s++) {
            boolean same = MessageDigest.isEqual(code(secret, s, DIGITS).getBytes(StandardCharsets.US_ASCII),
                    code.getBytes(StandardCharsets.US_ASCII));
            if (same && found == Long.MIN_VALUE) {
                found = s;
            }
        }
        return found == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    /** The {@code otpauth://} URI an authenticator app reads from the enrolment QR code (Google's Key Uri Format). */
    public static String uri(String issuer, String account, byte[] secret) {
        String label = enc(issuer) + ":" + enc(account);
        return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + enc(issuer)
                + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + PERIOD_SECONDS;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
