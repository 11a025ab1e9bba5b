package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.auth.store.JdbcStore;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import io.jenkins.plugins.teleport.auth.testing.TestClock;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request-bound certificates get increasing serial numbers, taken in blocks from the store's counter, so that two
 * servers on one store never give the same number, and the X.509 serial keeps 64 random bits below the number.
 */
class SerialNumbersTest {

    @TempDir
    Path dir;

    private Store store;

    @BeforeEach
    void setUp() {
        store = JdbcStore.sqlite(dir.resolve("auth.db"), new TestClock());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void twoServersOnOneStoreNeverGiveTheSameNumberAcrossBlocks() {
        SerialNumbers first = new SerialNumbers(store);
        SerialNumbers second = new SerialNumbers(store);
        Set<Long> given = new HashSet<>();
        long lastOfFirst = 0;
        long lastOfSecond = 0;
        int each = (int) (2 * SerialNumbers.BLOCK + 10);
        for (int i = 0; i < each; i++) {
            long a = first.next();
            long b = second.next();
            assertTrue(a > lastOfFirst && b > lastOfSecond, "each server's numbers increase");
            assertTrue(given.add(a) && given.add(b), "a number given twice: " + a + ", " + b);
            lastOfFirst = a;
            lastOfSecond = b;
        }
        assertTrue(given.stream().allMatch(n -> n >= 1));
        // Both took three blocks each (the first at start, then two more), and one more was asked for ahead.
        long taken = store.read(tx -> tx.counter(Tx.Counter.CERTIFICATE_SERIALS));
        assertTrue(taken >= 6 * SerialNumbers.BLOCK && taken <= 8 * SerialNumbers.BLOCK, "counter at " + taken);
    }

    @Test
    void theX509SerialIncreasesWithTheNumberAndKeepsSixtyFourRandomBits() {
        BigInteger low = SerialNumbers.x509(41);
        BigInteger again = SerialNumbers.x509(41);
        BigInteger high = SerialNumbers.x509(42);
        assertEquals(127, low.bitLength(), "positive, of a constant length");
        assertEquals(BigInteger.valueOf(41), low.shiftRight(64).clearBit(126 - 64));
        assertTrue(high.compareTo(low) > 0 && high.compareTo(again) > 0);
        // Equal random halves for the same number would come once in 2^64.
        assertNotEquals(low, again);
    }
}
