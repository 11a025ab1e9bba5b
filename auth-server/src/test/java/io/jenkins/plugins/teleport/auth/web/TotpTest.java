package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** RFC 6238 codes, the skew Teleport accepts, and the enrolment URI authenticator apps read. */
class TotpTest {

    /** The SHA-1 key of RFC 6238's test vectors (Appendix B). */
    private static final byte[] RFC_KEY = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

    @Test
    void codesAreThoseOfRfc6238AppendixB() {
        long[][] vectors = {{59, 94287082}, {1111111109, 7081804}, {1111111111, 14050471}, {1234567890, 89005924},
                {2000000000, 69279037}, {20000000000L, 65353130}};
        for (long[] v : vectors) {
            String expected = String.format("%08d", v[1]);
            assertEquals(expected, Totp.code(RFC_KEY, Totp.step(Instant.ofEpochSecond(v[0])), 8), "T = " + v[0]);
        }
        // Six digits, as authenticator apps show them: the last six of the same value.
        assertEquals("287082", Totp.code(RFC_KEY, Instant.ofEpochSecond(59)));
    }

    @Test
    void aCodeOfTheStepBeforeOrAfterIsAcceptedAndNothingFurther() {
        Instant now = Instant.ofEpochSecond(1_111_111_111);
        long step = Totp.step(now);
        for (long s = step - 1; s <= step + 1; s++) {
            assertEquals(OptionalLong.of(s), Totp.match(RFC_KEY, Totp.code(RFC_KEY, s, 6), now));
        }
        assertTrue(Totp.match(RFC_KEY, Totp.code(RFC_KEY, step - 2, 6), now).isEmpty(), "two steps old");
        assertTrue(Totp.match(RFC_KEY, Totp.code(RFC_KEY, step + 2, 6), now).isEmpty(), "two steps ahead");
        assertEquals(OptionalLong.of(step), Totp.match(RFC_KEY, " " + Totp.code(RFC_KEY, step, 6).substring(0, 3) + " "
                + Totp.code(RFC_KEY, step, 6).substring(3), now), "spaces as apps group the digits are ignored");
        for (String bad : new String[] {"", "12345", "1234567", "abcdef", "12345x"}) {
            assertTrue(Totp.match(RFC_KEY, bad, now).isEmpty(), bad);
        }
    }

    @Test
    void theEnrolmentUriCarriesTheSecretInBase32AndTeleportsParameters() {
        String uri = Totp.uri("dev cluster", "bob", RFC_KEY);
        assertEquals("otpauth://totp/dev%20cluster:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=dev%20cluster"
                + "&algorithm=SHA1&digits=6&period=30", uri);
    }

    @Test
    void base32IsRfc4648() {
        String[][] vectors = {{"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"},
                {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI"}};
        for (String[] v : vectors) {
            assertEquals(v[1], Base32.encode(v[0].getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals(v[0].getBytes(StandardCharsets.US_ASCII), Base32.decode(v[1].toLowerCase() + "===="));
        }
        byte[] secret = Totp.newSecret();
        assertArrayEquals(secret, Base32.decode(Base32.encode(secret)));
        assertThrows(IllegalArgumentException.class, () -> Base32.decode("MZ1W"));
    }
}
