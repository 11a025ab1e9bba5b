package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the web sign-in tables must guarantee; run against SQLite and PostgreSQL by the subclasses. */
abstract class WebAccountsContract {

    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

    Store store;

    abstract Store open();

    /** A second store object on the same data, as a second auth server would have. */
    abstract Store openAgain();

    @BeforeEach
    void setUp() {
        store = open();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private <T> T write(Store.Work<T> work) {
        return store.write(work);
    }

    @Test
    void aCredentialIsStoredReplacedAndForgotten() {
        write(tx -> {
            tx.webAccounts().putCredential(new WebAccounts.Credential("bob", "$argon2id$one", "sealed:one", 10));
            return null;
        });
        assertEquals(Optional.of(new WebAccounts.Credential("bob", "$argon2id$one", "sealed:one", 10)),
                store.read(tx -> tx.webAccounts().credential("bob")));
        write(tx -> {
            tx.webAccounts().putCredential(new WebAccounts.Credential("bob", "$argon2id$two", "sealed:two", 0));
            return null;
        });
        assertEquals("$argon2id$two", store.read(tx -> tx.webAccounts().credential("bob")).orElseThrow().passwordHash());
        write(tx -> {
            tx.webAccounts().forgetUser("bob");
            return null;
        });
        assertTrue(store.read(tx -> tx.webAccounts().credential("bob")).isEmpty());
    }

    @Test
    void ofTwoServersRacingWithOneTotpStepExactlyOneWins() throws Exception {
        write(tx -> {
            tx.webAccounts().putCredential(new WebAccounts.Credential("bob", "h", "s", 100));
            return null;
        });
        boolean same = store.write(tx -> tx.webAccounts().advanceTotpStep("bob", 100));
        boolean earlier = store.write(tx -> tx.webAccounts().advanceTotpStep("bob", 99));
        assertFalse(same, "the step already used");
        assertFalse(earlier, "an earlier step");
        try (Store other = openAgain()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Callable<Boolean>> racers = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    Store s = i % 2 == 0 ? store : other;
                    racers.add(() -> s.write(tx -> tx.webAccounts().advanceTotpStep("bob", 101)));
                }
                int won = 0;
                for (Future<Boolean> f : pool.invokeAll(racers)) {
                    won += f.get() ? 1 : 0;
                }
                assertEquals(1, won);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aNewInviteReplacesTheUsersEarlierOnes() {
        write(tx -> {
            tx.webAccounts().putInvite(new WebAccounts.Invite("a".repeat(64), "bob", false, "s1", NOW, NOW.plusSeconds(3600)));
            tx.webAccounts().putInvite(new WebAccounts.Invite("c".repeat(64), "carol", false, "s3", NOW, NOW.plusSeconds(3600)));
            tx.webAccounts().putInvite(new WebAccounts.Invite("b".repeat(64), "bob", true, "s2", NOW, NOW.plusSeconds(7200)));
            return null;
        });
        assertTrue(store.read(tx -> tx.webAccounts().invite("a".repeat(64))).isEmpty());
        WebAccounts.Invite reset = store.read(tx -> tx.webAccounts().invite("b".repeat(64))).orElseThrow();
        assertTrue(reset.reset());
        assertEquals(NOW.plusSeconds(7200), reset.expires());
        assertTrue(store.read(tx -> tx.webAccounts().invite("c".repeat(64))).isPresent(), "other people's invites stay");
    }

    @Test
    void aSessionMadeOnOneServerIsKnownToAnotherAndEndsForBoth() {
        write(tx -> {
            tx.webAccounts().createSession(new WebAccounts.Session("d".repeat(64), "bob", NOW, NOW.plusSeconds(43200)));
            tx.webAccounts().createSession(new WebAccounts.Session("e".repeat(64), "bob", NOW, NOW.plusSeconds(43200)));
            tx.webAccounts().createSession(new WebAccounts.Session("f".repeat(64), "carol", NOW, NOW.plusSeconds(60)));
            return null;
        });
        try (Store other = openAgain()) {
            assertEquals("bob", other.read(tx -> tx.webAccounts().session("d".repeat(64))).orElseThrow().user());
            int ended = other.write(tx -> tx.webAccounts().deleteSessions("bob"));
            assertEquals(2, ended);
        }
        assertTrue(store.read(tx -> tx.webAccounts().session("e".repeat(64))).isEmpty());
        write(tx -> {
            tx.webAccounts().deleteExpired(NOW.plusSeconds(60), NOW);
            return null;
        });
        assertTrue(store.read(tx -> tx.webAccounts().session("f".repeat(64))).isEmpty(), "expired sessions are swept");
    }

    @Test
    void failedSignInsAreCountedPerSubjectWithinTheirWindow() {
        write(tx -> {
            WebAccounts web = tx.webAccounts();
            for (int i = 0; i < 3; i++) {
                web.recordLoginFailure("user:bob", NOW.plus(i, ChronoUnit.MINUTES));
            }
            web.recordLoginFailure("addr:127.0.0.1", NOW);
            return null;
        });
        assertEquals(List.of(NOW.plus(1, ChronoUnit.MINUTES), NOW.plus(2, ChronoUnit.MINUTES)),
                store.read(tx -> tx.webAccounts().loginFailures("user:bob", NOW.plus(1, ChronoUnit.MINUTES))));
        write(tx -> {
            tx.webAccounts().clearLoginFailures("user:bob");
            return null;
        });
        assertEquals(List.of(), store.read(tx -> tx.webAccounts().loginFailures("user:bob", NOW.minusSeconds(1))));
        assertEquals(1, store.read(tx -> tx.webAccounts().loginFailures("addr:127.0.0.1", NOW.minusSeconds(1))).size());
        write(tx -> {
            tx.webAccounts().deleteExpired(NOW, NOW.plusSeconds(1));
            return null;
        });
        assertEquals(List.of(), store.read(tx -> tx.webAccounts().loginFailures("addr:127.0.0.1", NOW.minusSeconds(1))));
    }
}
