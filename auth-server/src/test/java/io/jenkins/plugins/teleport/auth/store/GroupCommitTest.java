package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Role;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQLite's writes committed in groups ({@link GroupCommit}): each work all or nothing, whatever its neighbours do. */
class GroupCommitTest {

    @TempDir
    Path dir;

    private JdbcStore store;
    private final ExecutorService callers = Executors.newFixedThreadPool(16);

    @BeforeEach
    void open() {
        store = JdbcStore.sqlite(dir.resolve("auth.db"), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        callers.shutdownNow();
        store.close();
    }

    @Test
    void aFailingWorkIsRolledBackAloneAndTheOthersOfItsBatchCommit() throws Exception {
        // Hold the writer in a first work so that the next fifteen queue up and are committed as one batch.
        CountDownLatch release = new CountDownLatch(1);
        Future<Role> first = holdWriterCreating("first", release);
        Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
        List<Future<Role>> rest = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            String name = "role-" + i;
            boolean fails = i == 7;
            rest.add(callers.submit(() -> store.write(tx -> {
                ranOn.add(Thread.currentThread());
                Role created = tx.create(Role.of(name, null));
                if (fails) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "refused after writing " + name);
                }
                return created;
            })));
        }
        waitForQueued(15);
        release.countDown();

        assertEquals("first", first.get(10, TimeUnit.SECONDS).metadata().name());
        for (int i = 0; i < 15; i++) {
            if (i == 7) {
                Future<Role> failed = rest.get(i);
                Exception e = assertThrows(Exception.class, () -> failed.get(10, TimeUnit.SECONDS));
                assertEquals("refused after writing role-7", e.getCause().getMessage(), "the caller gets its work's own exception");
            } else {
                assertEquals("role-" + i, rest.get(i).get(10, TimeUnit.SECONDS).metadata().name());
            }
        }
        assertEquals(1, ranOn.size(), "the queued works ran on the one writer thread");
        assertEquals(Optional.empty(), store.read(tx -> tx.get(Role.class, "role-7")), "the failed work's write is rolled back");
        assertEquals(15, store.read(tx -> tx.list(Role.class)).size(), "the first work and the fourteen others committed");
    }

    @Test
    void whenABatchFailsToCommitEachOfItsCallersIsToldAndTheNextBatchCommits() throws Exception {
        store.close();
        AtomicInteger commitsBeforeFailure = new AtomicInteger(-1);
        store = JdbcStore.sqlite(dir.resolve("failing.db"), Clock.systemUTC(), c -> failingCommit(c, commitsBeforeFailure));
        // The held work commits alone; the five queued behind it are the next batch, whose commit fails.
        CountDownLatch release = new CountDownLatch(1);
        Future<Role> held = holdWriterCreating("held", release);
        List<Future<Role>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "queued-" + i;
            batch.add(callers.submit(() -> store.write(tx -> tx.create(Role.of(name, null)))));
        }
        waitForQueued(5);
        commitsBeforeFailure.set(1);
        release.countDown();

        assertEquals("held", held.get(10, TimeUnit.SECONDS).name());
        for (Future<Role> work : batch) {
            Exception e = assertThrows(Exception.class, () -> work.get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.UNAVAILABLE, ((ApiException) e.getCause()).code(), "no caller is told its work was stored");
        }
        assertEquals(List.of("held"), roleNames(), "nothing of the failed batch is stored");
        store.write(tx -> tx.create(Role.of("after", null)));
        assertEquals(List.of("after", "held"), roleNames(), "the writer goes on with a fresh connection");
    }

    @Test
    void whileOthersWriteTheWriterWaitsBrieflyForMoreWorksToShareTheirCommit() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        String url = "jdbc:sqlite:" + dir.resolve("gather.db");
        try (GroupCommit writer = new GroupCommit("gather", () -> countingCommits(DriverManager.getConnection(url), commits),
                c -> null, Duration.ofSeconds(5))) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Integer> held = writer.submit(tx -> {
                running.countDown();
                await(release);
                return commits.get();
            });
            assertTrue(running.await(10, TimeUnit.SECONDS));
            // Two works queue behind the held one, so the writer takes them as a batch of two: others are writing.
            List<CompletableFuture<Integer>> works = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                works.add(writer.submit(tx -> commits.get()));
            }
            long start = System.nanoTime();
            release.countDown();
            Thread.sleep(200);
            // Arriving 200 ms later, these still join that batch, which then holds GATHER_TARGET and is committed at once.
            for (int i = 2; i < GroupCommit.GATHER_TARGET; i++) {
                works.add(writer.submit(tx -> commits.get()));
            }
            int heldBatch = held.get(10, TimeUnit.SECONDS);
            Set<Integer> batches = new java.util.HashSet<>();
            for (CompletableFuture<Integer> work : works) {
                batches.add(work.get(10, TimeUnit.SECONDS));
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Set.of(heldBatch + 1), batches, "all " + GroupCommit.GATHER_TARGET + " works ran in the one batch after the held one");
            assertTrue(tookMs < 3_000, "the full batch waited " + tookMs + " ms, as if the 5 s wait had no target");
        }
    }

    @Test
    void aLoneWriteIsCommittedWithoutWaitingForCompany() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("lone.db");
        try (GroupCommit writer = new GroupCommit("lone", () -> DriverManager.getConnection(url), c -> null, Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                writer.write(tx -> null);
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs < 3_000, "three writes one after another took " + tookMs + " ms: each waited for others");
        }
    }

    private List<String> roleNames() {
        return store.read(tx -> tx.list(Role.class)).stream().map(Role::name).toList();
    }

    /** {@code c}, whose commit fails (as a full disk would make it) when {@code before} commits have passed (-1: never). */
    private static Connection failingCommit(Connection c, AtomicInteger before) {
        return beforeEachCommit(c, () -> {
            if (before.get() >= 0 && before.getAndDecrement() == 0) {
                throw new SQLException("disk I/O error (made by the test)");
            }
        });
    }

    /** {@code c}, counting its commits in {@code commits}. */
    private static Connection countingCommits(Connection c, AtomicInteger commits) {
        return beforeEachCommit(c, commits::incrementAndGet);
    }

    private interface CommitHook {
        void run() throws SQLException;
    }

    /** {@code c}, running {@code hook} before each commit (a hook that throws fails the commit). */
    private static Connection beforeEachCommit(Connection c, CommitHook hook) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit")) {
                        hook.run();
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aWriteLaterReturnsAtOnceAndCompletesWithItsCommit() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> holder = store.writeLater(tx -> {
            writerHeld.countDown();
            await(release);
            return null;
        });
        assertTrue(writerHeld.await(10, TimeUnit.SECONDS));
        CompletableFuture<Role> later = store.writeLater(tx -> tx.create(Role.of("later", null)));
        assertFalse(later.isDone(), "the caller's thread does not wait for the writer");
        assertEquals(1, store.queuedWrites());

        release.countDown();
        assertEquals("later", later.get(10, TimeUnit.SECONDS).metadata().name());
        assertTrue(holder.isDone());
        assertEquals(Optional.of("later"), store.read(tx -> tx.get(Role.class, "later")).map(r -> r.metadata().name()),
                "committed by the time its stage completed");
    }

    @Test
    void aWriteRetryingLaterRunsAgainAfterLosingARevisionRaceAndKeepsOtherRefusals() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Role> retried = store.writeRetryingLater(tx -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ApiException(ErrorCode.REVISION_CONFLICT, "lost the race");
            }
            return tx.create(Role.of("retried", null));
        });
        assertEquals("retried", retried.get(10, TimeUnit.SECONDS).metadata().name());
        assertEquals(3, attempts.get(), "two lost races, then the write");

        AtomicInteger refusals = new AtomicInteger();
        CompletableFuture<Role> refused = store.writeRetryingLater(tx -> {
            refusals.incrementAndGet();
            throw new ApiException(ErrorCode.ACCESS_DENIED, "not yours");
        });
        Exception e = assertThrows(Exception.class, () -> refused.get(10, TimeUnit.SECONDS));
        assertEquals(ErrorCode.ACCESS_DENIED, ((ApiException) e.getCause()).code());
        assertEquals(1, refusals.get(), "a refusal is not retried");
    }

    @Test
    void aWriteInsideAWriteIsRefusedRatherThanWaitingForItself() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store.write(tx -> store.write(inner -> inner.create(Role.of("inner", null)))));
        assertTrue(e.getMessage().contains("inside a store write"), e.getMessage());
    }

    @Test
    void afterCloseAWriteFailsAsUnavailableInsteadOfWaiting() {
        store.write(tx -> tx.create(Role.of("before", null)));
        store.close();
        ApiException e = assertThrows(ApiException.class, () -> store.write(tx -> tx.create(Role.of("after", null))));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        store = JdbcStore.sqlite(dir.resolve("auth.db"), Clock.systemUTC());
        assertEquals(List.of("before"), roleNames());
    }

    /**
     * A write of role {@code name} that holds the writer thread until {@code release} opens; returns once the writer
     * runs it, so that writes submitted next queue up behind it as one batch.
     */
    private Future<Role> holdWriterCreating(String name, CountDownLatch release) throws InterruptedException {
        CountDownLatch writerHeld = new CountDownLatch(1);
        Future<Role> held = callers.submit(() -> store.write(tx -> {
            writerHeld.countDown();
            await(release);
            return tx.create(Role.of(name, null));
        }));
        assertTrue(writerHeld.await(10, TimeUnit.SECONDS), "the writer did not start the holding work");
        return held;
    }

    private void waitForQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.queuedWrites() < n) {
            assertTrue(System.nanoTime() < deadline, "the writes did not queue up: " + store.queuedWrites());
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
