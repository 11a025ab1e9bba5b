package io.jenkins.plugins.teleport.auth.requests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.auth.store.JdbcStore;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting for a request to change costs a future, not a thread; local changes wake at once, others' within a poll. */
class RequestWatchTest {

    @TempDir
    Path dir;

    Store store;
    RequestWatch watch;

    @BeforeEach
    void start() {
        store = JdbcStore.sqlite(dir.resolve("auth.db"), Clock.systemUTC());
        watch = new RequestWatch(store, Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        watch.close();
        store.close();
    }

    String stored() {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        store.write(tx -> tx.create(new AccessRequest(null, null, Metadata.named(id), new AccessRequest.Spec("bot", "alice",
                List.of("deploy"), RequestState.PENDING, "", "", now, now.plusSeconds(60), now.plusSeconds(60), Optional.empty(),
                false, List.of(), Map.of(), List.of(), Map.of(), "", ""), Optional.empty())));
        return id;
    }

    /** Another server's change: a new revision in the store, without telling this server's watch. */
    void changeElsewhere(String id) {
        store.write(tx -> tx.update(tx.get(AccessRequest.class, id).orElseThrow()));
    }

    @Test
    void aWaiterReturnsAtOnceWhenTheRequestIsAlreadyPastItsRevision() throws Exception {
        String id = stored();
        changeElsewhere(id);
        watch.changed(id, 1, Duration.ofSeconds(30)).get(1, TimeUnit.SECONDS);
    }

    @Test
    void aLocalChangeWakesOnlyTheWaitersOfThatRequest() throws Exception {
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = i % 2 == 0 ? stored() : ids.get(i - 1);
            ids.add(id);
            waits.add(watch.changed(id, 1, Duration.ofSeconds(30)));
        }
        assertEquals(200, watch.waiting());
        changeElsewhere(ids.get(10));
        watch.touched(ids.get(10));
        waits.get(10).get(1, TimeUnit.SECONDS);
        waits.get(11).get(1, TimeUnit.SECONDS);
        assertEquals(2, waits.stream().filter(CompletableFuture::isDone).count(), "exactly the waiters of that request");
        assertEquals(198, watch.waiting());
    }

    @Test
    void aChangeByAnotherServerIsSeenWithinAPoll() throws Exception {
        String id = stored();
        CompletableFuture<Void> wait = watch.changed(id, 1, Duration.ofSeconds(30));
        assertFalse(wait.isDone());
        changeElsewhere(id);
        wait.get(1, TimeUnit.SECONDS);
    }

    @Test
    void aWaitEndsAfterItsTimeWithoutAChange() throws Exception {
        String id = stored();
        long started = System.nanoTime();
        watch.changed(id, 1, Duration.ofMillis(200)).get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(190), "it waited");
        assertEquals(0, watch.waiting());
    }
}
