package io.jenkins.plugins.teleport.auth.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.AuditEvent;
import io.jenkins.plugins.teleport.api.Json;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.api.Threshold;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.AuthServer;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every store must guarantee; run against SQLite and PostgreSQL by the subclasses. */
abstract class StoreContract {

    static final CaKeyEncryption KEYS = CaKeyEncryption.of(new byte[32], List.of());

    Store store;

    /** A fresh, migrated store. */
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

    @Test
    void createdResourcesStartAtRevisionOneAndNamesAreUnique() {
        Role created = store.write(tx -> tx.create(Role.of("deploy", null)));
        assertEquals(1, created.metadata().revision());
        ApiException again = assertThrows(ApiException.class, () -> store.write(tx -> tx.create(Role.of("deploy", null))));
        assertEquals(ErrorCode.ALREADY_EXISTS, again.code());
        assertEquals(Optional.of(created), store.read(tx -> tx.get(Role.class, "deploy")));
    }

    @Test
    void compareAndSwapLetsExactlyOneOfTwoConcurrentWritersWin() throws Exception {
        User v1 = store.write(tx -> tx.create(User.of("alice", List.of())));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> outcomes = new ArrayList<>();
        for (String role : List.of("a", "b")) {
            Callable<String> writer = () -> {
                go.await();
                try {
                    store.write(tx -> tx.update(new User(null, null, v1.metadata(), new User.Spec(List.of(role)))));
                    return "won";
                } catch (ApiException e) {
                    return e.code().code();
                }
            };
            outcomes.add(pool.submit(writer));
        }
        go.countDown();
        List<String> results = new ArrayList<>();
        for (Future<String> f : outcomes) {
            results.add(f.get());
        }
        pool.shutdown();
        assertEquals(1, results.stream().filter("won"::equals).count(), results.toString());
        assertEquals(1, results.stream().filter("revision_conflict"::equals).count(), results.toString());
        assertEquals(2, store.read(tx -> tx.get(User.class, "alice")).orElseThrow().metadata().revision());
    }

    @Test
    void readsSeeEveryChangeAtOnceThoughUnchangedRowsAreDecodedOnce() {
        User v1 = store.write(tx -> tx.create(User.of("carol", List.of("dev"))));
        assertEquals(v1, store.read(tx -> tx.get(User.class, "carol")).orElseThrow());
        store.write(tx -> tx.update(new User(null, null, v1.metadata(), new User.Spec(List.of("ops")))));
        assertEquals(List.of("ops"), store.read(tx -> tx.get(User.class, "carol")).orElseThrow().spec().roles());
        // Deleted and created again: revision 1 again, other roles; the read is the new row, not the remembered one.
        store.write(tx -> tx.delete(User.class, "carol"));
        store.write(tx -> tx.create(User.of("carol", List.of("audit"))));
        User again = store.read(tx -> tx.get(User.class, "carol")).orElseThrow();
        assertEquals(1, again.metadata().revision());
        assertEquals(List.of("audit"), again.spec().roles());
        assertEquals(List.of(again), store.read(tx -> tx.list(User.class)));
    }

    @Test
    void aFailedTransactionLeavesNoTrace() {
        assertThrows(IllegalStateException.class, () -> store.write(tx -> {
            tx.create(Role.of("half", null));
            tx.append(event("e1", Instant.now(), "r1"));
            throw new IllegalStateException("boom");
        }));
        assertEquals(Optional.empty(), store.read(tx -> tx.get(Role.class, "half")));
        assertEquals(List.of(), store.read(tx -> tx.events(Optional.empty(), Optional.empty(), Optional.empty(), 10)));
    }

    @Test
    void updatingAMissingResourceIsNotFound() {
        Role ghost = Role.of("ghost", null).withMetadata(Metadata.named("ghost").withRevision(3));
        ApiException e = assertThrows(ApiException.class, () -> store.write(tx -> tx.update(ghost)));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    @Test
    void readRecentSeesEveryWriteMadeThroughThisStore() {
        store.write(tx -> tx.create(Role.of("deploy", null)));
        Function<String, Optional<Role>> recent = name -> store.readRecent(tx -> tx.get(Role.class, name));
        assertEquals(1, recent.apply("deploy").orElseThrow().metadata().revision());
        assertEquals(Optional.empty(), recent.apply("audit"));
        store.write(tx -> tx.create(Role.of("audit", null)));
        assertTrue(recent.apply("audit").isPresent(), "made after it was read as absent");
        Role deploy = store.read(tx -> tx.get(Role.class, "deploy")).orElseThrow();
        store.write(tx -> tx.update(deploy));
        assertEquals(2, recent.apply("deploy").orElseThrow().metadata().revision());
        assertEquals(List.of(2L), store.readRecent(tx -> tx.getAll(Role.class, List.of("deploy", "gone", "deploy")))
                .stream().map(r -> r.metadata().revision()).toList());
        store.write(tx -> tx.delete(Role.class, "deploy"));
        assertEquals(Optional.empty(), recent.apply("deploy"));
        assertEquals(List.of(), store.readRecent(tx -> tx.getAll(Role.class, List.of("deploy"))));
    }

    @Test
    void updateIfUnchangedSwapsOnlyTheRevisionItFollows() {
        User v1 = store.write(tx -> tx.create(User.of("alice", List.of())));
        Tx.Encoded<User> next = Tx.Encoded.update(new User(null, null, v1.metadata(), new User.Spec(List.of("dev"))));
        assertEquals(true, store.write(tx -> tx.updateIfUnchanged(next)));
        assertEquals(2, store.read(tx -> tx.get(User.class, "alice")).orElseThrow().metadata().revision());
        // The same swap again follows revision 1, which is gone: nothing changes, no exception.
        Tx.Encoded<User> stale = Tx.Encoded.update(new User(null, null, v1.metadata(), new User.Spec(List.of("ops"))));
        assertEquals(false, store.write(tx -> tx.updateIfUnchanged(stale)));
        assertEquals(List.of("dev"), store.read(tx -> tx.get(User.class, "alice")).orElseThrow().spec().roles());
        Role ghost = Role.of("ghost", null);
        assertEquals(false, store.write(tx -> tx.updateIfUnchanged(Tx.Encoded.update(ghost))));
        assertEquals(Optional.empty(), store.read(tx -> tx.get(Role.class, "ghost")));
    }

    @Test
    void updateIfUnchangedSwapsOnlyWhileWhatItWasDecidedByIsStoredAsRead() {
        Role.Spec ssh = new Role.Spec(null, new Role.Conditions(List.of("deploy"), null, null, null), null);
        Role.Spec root = new Role.Spec(null, new Role.Conditions(List.of("root"), null, null, null), null);
        store.write(tx -> tx.create(Role.of("deploy", ssh)));
        User alice = store.write(tx -> tx.create(User.of("alice", List.of())));
        Role deploy = store.read(tx -> tx.get(Role.class, "deploy")).orElseThrow();
        List<Tx.AsRead> decidedBy = store.read(tx -> List.of(tx.asRead(deploy), Tx.AsRead.absent(Role.class, "audit")));
        // Swaps alice's next revision only if deploy is stored as read and audit still is not.
        Function<User, Boolean> swap = user -> store.write(tx -> tx.updateIfUnchanged(
                Tx.Encoded.update(new User(null, null, user.metadata(), new User.Spec(List.of("dev")))), decidedBy));
        Supplier<User> stored = () -> store.read(tx -> tx.get(User.class, "alice")).orElseThrow();

        assertEquals(true, swap.apply(alice), "nothing it was decided by changed");
        store.write(tx -> tx.update(Role.of("deploy", root).withMetadata(deploy.metadata())));
        assertEquals(false, swap.apply(stored.get()), "the role was changed");
        // Deleted and made again at revision 1, as read but with other content: the revision alone would not tell.
        store.write(tx -> tx.delete(Role.class, "deploy"));
        store.write(tx -> tx.create(Role.of("deploy", root)));
        assertEquals(1, store.read(tx -> tx.get(Role.class, "deploy")).orElseThrow().metadata().revision());
        assertEquals(false, swap.apply(stored.get()), "the role was made again with other content");
        store.write(tx -> tx.delete(Role.class, "deploy"));
        store.write(tx -> tx.create(Role.of("deploy", ssh)));
        assertEquals(true, swap.apply(stored.get()), "made again exactly as read");
        store.write(tx -> tx.delete(Role.class, "deploy"));
        assertEquals(false, swap.apply(stored.get()), "a role read as present is gone");
        store.write(tx -> tx.create(Role.of("deploy", ssh)));
        assertEquals(true, swap.apply(stored.get()), "made again exactly as read, once more");
        store.write(tx -> tx.create(Role.of("audit", null)));
        User before = stored.get();
        assertEquals(false, swap.apply(before), "a role read as absent now exists");
        assertEquals(before, stored.get(), "a refused swap changes nothing");
    }

    @Test
    void updateIfUnchangedThenRecordWritesTheCertificatesAndTheEventOnlyWithTheSwap() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        store.write(tx -> tx.create(Role.of("deploy", null)));
        User alice = store.write(tx -> tx.create(User.of("alice", List.of())));
        Role deploy = store.read(tx -> tx.get(Role.class, "deploy")).orElseThrow();
        List<Tx.AsRead> decidedBy = store.read(tx -> List.of(tx.asRead(deploy)));
        Function<String, List<IssuedCertificate>> pair = serial -> List.of(
                new IssuedCertificate(IssuedCertificate.Kind.SSH, serial, "bot", Optional.of("r1"), now, now.plusSeconds(60),
                        Optional.empty(), Map.of("build_url", "https://ci/1/")),
                cert(IssuedCertificate.Kind.TLS, serial, now.plusSeconds(60), Optional.empty()));
        BiFunction<User, String, Optional<List<Lock>>> issue = (user, serial) -> store.write(tx -> tx.updateIfUnchangedThenRecord(
                Tx.Encoded.update(new User(null, null, user.metadata(), new User.Spec(List.of("dev")))), decidedBy,
                pair.apply(serial), Tx.Encoded.event(event("e-" + serial, now, "r1"))));
        Supplier<User> stored = () -> store.read(tx -> tx.get(User.class, "alice")).orElseThrow();
        Supplier<List<String>> events = () -> store.read(tx -> tx.events(Optional.of("r1"), Optional.empty(), Optional.empty(), 10))
                .stream().map(AuditEvent::uid).toList();

        assertEquals(Optional.of(List.of()), issue.apply(alice, "10"), "swapped, and no lock is stored");
        assertEquals(2, stored.get().metadata().revision());
        assertEquals(Map.of("build_url", "https://ci/1/"),
                store.read(tx -> tx.certificate(IssuedCertificate.Kind.SSH, "10")).orElseThrow().usage());
        assertTrue(store.read(tx -> tx.certificate(IssuedCertificate.Kind.TLS, "10")).isPresent());
        assertEquals(List.of("e-10"), events.get());

        Lock lock = store.write(tx -> tx.create(new Lock(null, null, Metadata.named("l1"), new Lock.Spec(
                new Lock.Target("r1", null, null, null), "incident", Optional.empty(), "test"))));
        assertEquals(Optional.of(List.of(lock)), issue.apply(stored.get(), "13"), "swapped; the lock stored is read with it");
        store.write(tx -> tx.delete(Lock.class, "l1"));
        assertEquals(Optional.empty(), issue.apply(alice, "11"), "alice is no longer at the revision read");
        store.write(tx -> tx.update(Role.of("deploy", new Role.Spec(null, new Role.Conditions(List.of("root"), null, null, null), null))
                .withMetadata(deploy.metadata())));
        assertEquals(Optional.empty(), issue.apply(stored.get(), "12"), "the role it was decided by changed");
        for (String serial : List.of("11", "12")) {
            assertEquals(Optional.empty(), store.read(tx -> tx.certificate(IssuedCertificate.Kind.SSH, serial)), "a refused swap records nothing");
            assertEquals(Optional.empty(), store.read(tx -> tx.certificate(IssuedCertificate.Kind.TLS, serial)));
        }
        assertEquals(List.of("e-10", "e-13"), events.get(), "a refused swap appends no event");
        assertEquals(3, stored.get().metadata().revision());
    }

    @Test
    void getAllReadsTheStoredOnesOfTheNamesInTheirOrder() {
        store.write(tx -> {
            tx.create(Role.of("deploy", null));
            tx.create(Role.of("audit", null));
            tx.create(User.of("deploy", List.of()));
            return null;
        });
        List<Role> found = store.read(tx -> tx.getAll(Role.class, List.of("audit", "missing", "deploy", "audit")));
        assertEquals(List.of("audit", "deploy"), found.stream().map(Role::name).toList());
        assertEquals(List.of(), store.read(tx -> tx.getAll(Role.class, List.of())));
        // More names than one statement takes: read in several, still in order.
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            many.add("r" + i);
        }
        many.add("deploy");
        assertEquals(List.of("deploy"), store.read(tx -> tx.getAll(Role.class, many)).stream().map(Role::name).toList());
    }

    @Test
    void certificatesRecordedTogetherAreEachStored() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        store.write(tx -> {
            tx.record(List.of(new IssuedCertificate(IssuedCertificate.Kind.SSH, "7", "bot", Optional.of("r"), now,
                            now.plusSeconds(60), Optional.empty(), Map.of("build_url", "https://ci/1/")),
                    cert(IssuedCertificate.Kind.TLS, "7", now.plusSeconds(60), Optional.of(now))));
            return null;
        });
        IssuedCertificate ssh = store.read(tx -> tx.certificate(IssuedCertificate.Kind.SSH, "7")).orElseThrow();
        assertEquals(Optional.empty(), ssh.revokedAt());
        assertEquals(Map.of("build_url", "https://ci/1/"), ssh.usage());
        IssuedCertificate tls = store.read(tx -> tx.certificate(IssuedCertificate.Kind.TLS, "7")).orElseThrow();
        assertEquals(Optional.of(now), tls.revokedAt());
        assertEquals(Map.of(), tls.usage());
    }

    @Test
    void eventsAreReadBackInOrderByRequestAndTimeRange() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        store.write(tx -> {
            tx.append(event("e1", t0, "r1"));
            tx.append(event("e2", t0.plusSeconds(60), "r2"));
            tx.append(event("e3", t0.plusSeconds(120), "r1"));
            return null;
        });
        List<AuditEvent> r1 = store.read(tx -> tx.events(Optional.of("r1"), Optional.empty(), Optional.empty(), 10));
        assertEquals(List.of("e1", "e3"), r1.stream().map(AuditEvent::uid).toList());
        assertTrue(r1.get(0).seq() < r1.get(1).seq());
        assertEquals(Map.of("bot", "jenkins-deploy"), r1.get(0).fields());
        List<AuditEvent> window = store.read(tx -> tx.events(Optional.empty(), Optional.of(t0.plusSeconds(30)),
                Optional.of(t0.plusSeconds(120)), 10));
        assertEquals(List.of("e2"), window.stream().map(AuditEvent::uid).toList());
        assertEquals(2, store.read(tx -> tx.events(Optional.empty(), Optional.empty(), Optional.empty(), 2)).size());
    }

    @Test
    void serversSharingAStoreShareOneCertificateAuthority() throws Exception {
        try (Store second = openAgain()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Future<CertificateAuthority> a = pool.submit(() -> AuthServer.loadOrCreateAuthority(store, "c", Clock.systemUTC(), KEYS));
            Future<CertificateAuthority> b = pool.submit(() -> AuthServer.loadOrCreateAuthority(second, "c", Clock.systemUTC(), KEYS));
            assertEquals(a.get().pin(), b.get().pin());
            pool.shutdown();
            assertEquals(a.get().pin(), AuthServer.loadOrCreateAuthority(store, "c", Clock.systemUTC(), KEYS).pin(), "stable across restarts");
        }
    }

    @Test
    void dataSurvivesReopeningAndMigrationsRunOnce() {
        store.write(tx -> tx.create(Role.of("kept", null)));
        try (Store again = openAgain()) {
            assertTrue(again.read(tx -> tx.get(Role.class, "kept")).isPresent());
        }
    }

    @Test
    void anAuthorityKeyIsReplacedOnlyIfItIsStillTheOneRead() {
        store.write(tx -> tx.insertAuthorityIfAbsent("x", new Tx.StoredAuthority("pub", "old")));
        boolean stale = store.write(tx -> tx.replaceAuthorityKey("x", "not-old", "new"));
        assertFalse(stale);
        boolean current = store.write(tx -> tx.replaceAuthorityKey("x", "old", "new"));
        assertTrue(current);
        assertEquals("new", store.read(tx -> tx.authority("x")).orElseThrow().privateKey());
    }

    @Test
    void liveCertificatesAreCountedByKindWithoutExpiredOrRevokedOnes() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        store.write(tx -> {
            tx.record(cert(IssuedCertificate.Kind.SSH, "1", now.plusSeconds(60), Optional.empty()));
            tx.record(cert(IssuedCertificate.Kind.SSH, "2", now.minusSeconds(1), Optional.empty()));
            tx.record(cert(IssuedCertificate.Kind.TLS, "a", now.plusSeconds(60), Optional.empty()));
            tx.record(cert(IssuedCertificate.Kind.TLS, "b", now.plusSeconds(60), Optional.of(now)));
            tx.record(cert(IssuedCertificate.Kind.TLS, "c", now.plusSeconds(60), Optional.empty()));
            return null;
        });
        assertEquals(Map.of(IssuedCertificate.Kind.SSH, 1L, IssuedCertificate.Kind.TLS, 2L),
                store.read(tx -> tx.liveCertificateCounts(now)));
    }

    @Test
    void pendingRequestsAreThoseStoredPendingWhoseWindowIsOpen() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        store.write(tx -> {
            tx.create(request("open", RequestState.PENDING, now.plusSeconds(3600)));
            tx.create(request("lapsed", RequestState.PENDING, now.minusSeconds(1)));
            tx.create(request("approved", RequestState.APPROVED, now.plusSeconds(3600)));
            return null;
        });
        assertEquals(1L, (long) store.read(tx -> tx.pendingAccessRequests(now)));
    }

    @Test
    void aReadAfterAnUpdateSeesTheUpdatedRequestAsAFreshDecodeWould() throws Exception {
        AccessRequest v1 = store.write(tx -> tx.create(request("issued", RequestState.APPROVED, Instant.parse("2026-01-01T12:00:00Z"))));
        AccessRequest assumed = v1.withSpec(v1.spec().assumedAt(Instant.parse("2026-01-01T11:00:00Z"), Map.of("build_url", "u")));
        AccessRequest v2 = store.write(tx -> tx.update(assumed));
        AccessRequest read = store.read(tx -> tx.get(AccessRequest.class, "issued")).orElseThrow();
        assertEquals(2, read.metadata().revision());
        assertEquals(v2, read);
        assertEquals(Json.mapper().readValue(Json.mapper().writeValueAsString(v2), AccessRequest.class), read);
    }

    private static IssuedCertificate cert(IssuedCertificate.Kind kind, String serial, Instant expires, Optional<Instant> revoked) {
        return new IssuedCertificate(kind, serial, "bot", Optional.of("r"), expires.minusSeconds(3600), expires, revoked);
    }

    private static AccessRequest request(String name, RequestState state, Instant expires) {
        Instant created = expires.minusSeconds(7200);
        return new AccessRequest(null, null, Metadata.named(name), new AccessRequest.Spec("bot", "alice", List.of("deploy"),
                state, "", "", created, expires, expires.plusSeconds(3600), Optional.empty(), false,
                List.of(Threshold.DEFAULT), Map.of("deploy", List.of(List.of(0))), List.of(), Map.of(), "", ""), Optional.empty());
    }

    static AuditEvent event(String uid, Instant time, String requestId) {
        return new AuditEvent(0, uid, "access_request.create", "T5000I", time, "alice", Optional.of(requestId),
                Map.of("bot", "jenkins-deploy"));
    }

}
