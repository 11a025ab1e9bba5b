package io.jenkins.plugins.teleport.auth.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Audit events' unique IDs are version 7 UUIDs: the event's time first, then random bits (AuditLog.timeOrderedUid). */
class AuditUidTest {

    @Test
    void anEventsUidCarriesItsTimeAndIsUniqueAndOrderedByTime() {
        Instant time = Instant.parse("2026-12-01T21:30:00.123Z");
        UUID uid = AuditLog.timeOrderedUid(time);
        assertEquals(7, uid.version());
        assertEquals(2, uid.variant(), "the RFC 9562 variant");
        assertEquals(time.toEpochMilli(), uid.getMostSignificantBits() >>> 16, "its first 48 bits are the time in ms");

        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertTrue(seen.add(AuditLog.timeOrderedUid(time)), "unique within one millisecond");
        }
        String earlier = AuditLog.timeOrderedUid(time).toString();
        String later = AuditLog.timeOrderedUid(time.plusMillis(1)).toString();
        assertTrue(earlier.compareTo(later) < 0, "a later event's uid sorts after: " + earlier + " " + later);
    }
}
