package io.jenkins.plugins.teleport.client.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When a block's web identity token is fetched again: before it expires, again after a failure, never after the block. */
class WebIdentityRefreshTest {

    static final Instant T0 = Instant.parse("2030-01-01T10:00:00Z");

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Records what is scheduled; the test runs it. */
    static final class ManualScheduler implements WebIdentityRefresh.Scheduler {
        record Task(Runnable task, Duration delay, CompletableFuture<Void> future) {}

        final List<Task> tasks = new ArrayList<>();

        @Override
        public Future<?> schedule(Runnable task, Duration delay) {
            Task t = new Task(task, delay, new CompletableFuture<>());
            tasks.add(t);
            return t.future();
        }

        Task last() {
            return tasks.get(tasks.size() - 1);
        }

        void runLast() {
            Task t = last();
            if (!t.future().isCancelled()) {
                t.future().complete(null);
                t.task().run();
            }
        }
    }

    static AwsWebIdentity.Grant grant(Instant fetchedAt, Duration life, int n) {
        return new AwsWebIdentity.Grant("prod-deploy", "arn:aws:iam::123456789012:role/prod-deploy", "bot@r", "jti-" + n, fetchedAt,
                fetchedAt.plus(life));
    }

    @Test
    void aTokenIsFetchedAgainAtEightyPercentOfItsLifeButNotWhenItLastsAsLongAsTheCertificates() {
        Instant validBefore = T0.plus(Duration.ofHours(2));
        assertEquals(Optional.of(T0.plus(Duration.ofMinutes(48))), grant(T0, Duration.ofHours(1), 1).refreshAt(validBefore));
        assertEquals(Optional.empty(), grant(T0, Duration.ofHours(2), 1).refreshAt(validBefore), "it cannot last longer");
    }

    @Test
    void aLongBlockGetsANewTokenBeforeEachExpiresAndAFailedFetchIsTriedAgain() {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger fetches = new AtomicInteger();
        boolean[] fail = {false};
        List<String> log = new ArrayList<>();
        Instant validBefore = T0.plus(Duration.ofMinutes(150));
        WebIdentityRefresh refresh = WebIdentityRefresh.start(Optional.of(grant(T0, Duration.ofHours(1), 0)), validBefore, () -> {
            if (fail[0]) {
                throw new java.io.IOException("the agent is offline");
            }
            int n = fetches.incrementAndGet();
            Instant exp = clock.instant().plus(Duration.ofHours(1));
            return grant(clock.instant(), Duration.between(clock.instant(), exp.isBefore(validBefore) ? exp : validBefore), n);
        }, scheduler, clock, log::add);
        assertEquals(Duration.ofMinutes(48), scheduler.last().delay());

        clock.now = T0.plus(Duration.ofMinutes(48));
        scheduler.runLast();
        assertEquals("jti-1", refresh.current().orElseThrow().tokenId());
        assertEquals(Duration.ofMinutes(48), scheduler.last().delay(), "the next one, before the new token expires");

        clock.now = clock.now.plus(Duration.ofMinutes(48));
        fail[0] = true;
        scheduler.runLast();
        assertEquals(AwsWebIdentity.RETRY_AFTER_FAILURE, scheduler.last().delay());
        assertTrue(log.get(log.size() - 1).contains("the agent is offline"), log.toString());
        assertTrue(log.get(log.size() - 1).contains("the current one is valid until"), log.toString());

        clock.now = clock.now.plus(AwsWebIdentity.RETRY_AFTER_FAILURE);
        fail[0] = false;
        scheduler.runLast();
        AwsWebIdentity.Grant last = refresh.current().orElseThrow();
        assertEquals("jti-2", last.tokenId());
        assertEquals(validBefore, last.expires(), "the server caps it at the certificates' end");
        int scheduled = scheduler.tasks.size();
        assertFalse(refresh.scheduled(), "a token that lasts as long as the certificates is not refreshed");
        assertEquals(scheduled, scheduler.tasks.size());
    }

    @Test
    void afterTheBlockEndsNothingIsFetchedOrScheduled() {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler();
        AtomicInteger fetches = new AtomicInteger();
        WebIdentityRefresh refresh = WebIdentityRefresh.start(Optional.of(grant(T0, Duration.ofHours(1), 0)), T0.plus(Duration.ofHours(2)),
                () -> grant(clock.instant(), Duration.ofHours(1), fetches.incrementAndGet()), scheduler, clock, line -> { });
        assertTrue(refresh.scheduled());
        refresh.close();
        assertTrue(scheduler.last().future().isCancelled());
        scheduler.last().task().run(); // a task that started just as the block ended
        assertEquals(0, fetches.get());
        assertEquals(1, scheduler.tasks.size());
        assertFalse(refresh.scheduled());
    }

    @Test
    void withNoKnownTokenAfterARestartOneIsFetchedRightAway() {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler();
        WebIdentityRefresh refresh = WebIdentityRefresh.start(Optional.empty(), T0.plus(Duration.ofHours(2)),
                () -> grant(clock.instant(), Duration.ofHours(1), 1), scheduler, clock, line -> { });
        assertEquals(Duration.ZERO, scheduler.last().delay());
        scheduler.runLast();
        assertEquals("jti-1", refresh.current().orElseThrow().tokenId());
    }

    @Test
    void retriesStopWhenTheCertificatesEnd() {
        ManualClock clock = new ManualClock();
        ManualScheduler scheduler = new ManualScheduler();
        List<String> log = new ArrayList<>();
        WebIdentityRefresh refresh = WebIdentityRefresh.start(Optional.empty(), T0.plusSeconds(20), () -> {
            throw new java.io.IOException("unreachable");
        }, scheduler, clock, log::add);
        scheduler.runLast();
        assertFalse(refresh.scheduled());
        assertTrue(log.get(0).contains("not tried again"), log.toString());
    }
}
