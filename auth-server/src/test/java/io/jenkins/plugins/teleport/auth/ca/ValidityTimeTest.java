package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;

/**
 * A certificate's validity bounds are encoded as BouncyCastle's {@code Time(Date)} encodes them (UTCTime for 1950 -
 * 2049, GeneralizedTime otherwise), byte for byte, without its date parsing.
 */
class ValidityTimeTest {

    @Test
    void encodesEachBoundAsBouncyCastleWould() throws Exception {
        for (Instant at : List.of(Instant.parse("2026-12-02T02:30:05Z"), Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("1950-01-01T00:00:00Z"), Instant.parse("2049-12-31T23:59:59Z"), Instant.parse("2050-01-01T00:00:00Z"),
                Instant.parse("1949-12-31T23:59:59Z"), Instant.parse("2036-02-29T12:00:00Z"))) {
            assertArrayEquals(new Time(Date.from(at)).getEncoded(), CertificateAuthority.time(at).getEncoded(), at.toString());
        }
    }
}
