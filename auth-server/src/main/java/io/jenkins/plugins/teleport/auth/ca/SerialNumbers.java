package io.jenkins.plugins.teleport.auth.ca;

import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The serial numbers of request-bound certificates, increasing. Each server takes blocks of {@link #BLOCK} numbers
 * from the store's {@code certificate_serials} counter (one write per block; the next block is asked for while the
 * current one still has a quarter left, so an issuance seldom waits for it), so no two certificates of a cluster get
 * the same number, whatever the number of servers on the store.
 *
 * <p>Why increasing: the certificates table's primary key is (kind, serial). With random serials every certificate
 * recorded took a random page of that index, written to SQLite's WAL at each commit and again by the checkpoint; with
 * increasing ones the certificates of a batch land on the same last pages (measured on the writer alone: 145 → 102 µs
 * per issuance with 1,000 stored requests, 182 → 118 µs with 200,000; docs/BENCHMARKS.md, fifth step).
 *
 * <p>The SSH serial is the number itself: OpenSSH signs a 32-byte random nonce first in every certificate, so a
 * predictable serial weakens nothing, and the KRL names certificates by it. The X.509 serial keeps 64 random bits
 * below the number ({@code 2^126 | number << 64 | random}, 127 bits, positive), as the CA/Browser Forum asks of
 * public CAs (at least 64 bits from a CSPRNG) against chosen-prefix collisions, and still increases with the number.
 */
final class SerialNumbers {

    /** Numbers taken from the store at once. */
    static final long BLOCK = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BigInteger TOP_BIT = BigInteger.ONE.shiftLeft(126);

    private final Store store;
    /** The next number to give, and the end (exclusive) of the block it is in. */
    private long next;
    private long end;
    /** The block asked for ahead, once the current one is three quarters used; null until then. */
    private CompletableFuture<Long> ahead;

    /** Takes the first block (a store write), so that the first issuance waits for nothing. */
    SerialNumbers(Store store) {
        this.store = store;
        long last = store.write(SerialNumbers::take);
        this.next = last - BLOCK + 1;
        this.end = last + 1;
    }

    /** The next serial number, at least 1; unique in the cluster. */
    synchronized long next() {
        if (next == end) {
            CompletableFuture<Long> taking = ahead != null ? ahead : store.writeLater(SerialNumbers::take);
            ahead = null; // a block that could not be taken is asked for again by the next call
            long last;
            try {
                last = taking.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            next = last - BLOCK + 1;
            end = last + 1;
        }
        if (ahead == null && end - next <= BLOCK / 4) {
            ahead = store.writeLater(SerialNumbers::take);
        }
        return next++;
    }

    /** The X.509 serial for the number {@code n}: increasing with it, with 64 random bits below. */
    static BigInteger x509(long n) {
        return TOP_BIT.or(BigInteger.valueOf(n).shiftLeft(64)).or(new BigInteger(64, RANDOM));
    }

    /** Takes a block: the last number of it. */
    private static long take(Tx tx) {
        return tx.add(Tx.Counter.CERTIFICATE_SERIALS, BLOCK);
    }
}
