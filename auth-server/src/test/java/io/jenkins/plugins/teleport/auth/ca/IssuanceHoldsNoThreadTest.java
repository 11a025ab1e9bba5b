package io.jenkins.plugins.teleport.auth.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.Role;
import io.jenkins.plugins.teleport.auth.ServerConfig;
import io.jenkins.plugins.teleport.auth.store.IssuedCertificate;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import io.jenkins.plugins.teleport.auth.testing.BotKeys;
import io.jenkins.plugins.teleport.auth.testing.TestClient;
import io.jenkins.plugins.teleport.auth.testing.TestClient.Response;
import io.jenkins.plugins.teleport.auth.testing.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An issuance waiting for its record to be committed holds no request thread (SQLite's single writer commits it
 * later): with the writer held, three times as many issuances as the server has request threads wait, and the server
 * still answers other calls; once the writer goes on, every issuance is answered with its certificates. What changes
 * while an issuance waits for the writer (a lock) still refuses it: its transaction checks again.
 */
class IssuanceHoldsNoThreadTest {

    private static final int THREADS = 4;
    private static final int ISSUANCES = 3 * THREADS;

    @TempDir
    Path dir;

    private TestCluster cluster;
    private final ExecutorService callers = Executors.newFixedThreadPool(ISSUANCES + 2);

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(ServerConfig.defaults().withClusterName("test").withListenAddr("127.0.0.1:0").withDataDir(dir)
                .withHttp(new ServerConfig.Http(0, THREADS, null, null, null, null, 0, 0)));
        cluster.applyYaml(Files.readString(AssumeRequestTest.WALKTHROUGH));
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
        cluster.close();
    }

    @Test
    void issuancesWaitingForTheCommitLeaveTheRequestThreadsFreeForOtherCalls() throws Exception {
        String id = cluster.approvedDeployRequest(false);
        var identity = cluster.join("jenkins-deploy");
        Store store = cluster.server().store();

        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> holder = holdWriter(store, release, tx -> {});

        List<Future<Response>> issuances = new ArrayList<>();
        for (int i = 0; i < ISSUANCES; i++) {
            TestClient bot = cluster.client(identity);
            BotKeys keys = BotKeys.generate();
            issuances.add(callers.submit(() -> bot.post("/v1/certs", keys.issueBody(id, Map.of()))));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.queuedWrites() < ISSUANCES) {
            for (Future<Response> issuance : issuances) {
                assertFalse(issuance.isDone(), () -> "answered before its record was committed: " + answer(issuance));
            }
            assertTrue(System.nanoTime() < deadline, "the issuances did not reach the store: " + store.queuedWrites() + " queued");
            Thread.sleep(5);
        }

        Future<Response> ping = callers.submit(() -> cluster.admin().get("/v1/ping"));
        assertEquals(200, ping.get(10, TimeUnit.SECONDS).status(),
                ISSUANCES + " issuances wait for the commit and a server of " + THREADS + " request threads still answers");
        Future<Response> read = callers.submit(() -> cluster.user("alice").get("/v1/access-requests/" + id));
        assertEquals("APPROVED", read.get(10, TimeUnit.SECONDS).json().path("spec").path("state").asText());
        assertTrue(issuances.stream().noneMatch(Future::isDone), "no issuance was answered before its record was committed");

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        for (Future<Response> issuance : issuances) {
            Response r = issuance.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.json().path("ssh_certificate").asText().startsWith("ssh-ed25519-cert-v01@openssh.com "), r.toString());
            assertFalse(r.json().path("tls_certificate").asText().isEmpty(), r.toString());
        }
        long recorded = cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items").findValuesAsText("event")
                .stream().filter("cert.create"::equals).count();
        assertEquals(ISSUANCES, recorded, "every answered issuance was recorded");
    }

    @Test
    void aLockMadeAfterTheIssuanceSignedButBeforeItsCommitRefusesIt() throws Exception {
        String id = cluster.approvedDeployRequest(false);
        assertRefusedWhileTheWriterFirstDoes(id, tx -> tx.create(new Lock(null, null, Metadata.named("incident-9"),
                new Lock.Spec(new Lock.Target(id, null, null, null), "incident 9", Optional.empty(), "test"))), "locked", "incident 9");
    }

    @Test
    void aRoleDeletedAfterTheIssuanceSignedButBeforeItsCommitRefusesIt() throws Exception {
        // The request itself is unchanged, so its swap alone would hold: what refuses is that the role it was decided by
        // is no longer stored as read (Tx.updateIfUnchanged with the grant's witnesses).
        assertRefusedWhileTheWriterFirstDoes(cluster.approvedDeployRequest(false), tx -> tx.delete(Role.class, "deploy"),
                "access_denied", "role 'deploy' no longer exists");
    }

    @Test
    void aRoleEditedAfterSigningSoThatTheCertificatesWouldDifferIsDecidedAndSignedAgain() throws Exception {
        // The first decision read the role as the server last read it (RecentRows); the transaction finds it edited, so
        // the issuance is decided and signed once more from what is stored, and only those certificates are recorded.
        String id = cluster.approvedDeployRequest(false);
        Response issued = issueWhileTheWriterFirstDoes(id, tx -> editDeploy(tx, "now with root", List.of("deploy", "root")));
        assertEquals(200, issued.status(), issued.toString());
        assertEquals("[\"deploy\",\"root\"]", issued.json().path("principals").toString(), issued.toString());
        List<IssuedCertificate> recorded = cluster.server().store().read(tx -> tx.certificates(IssuedCertificate.Kind.SSH,
                Tx.CertificateQuery.ofRequest(id), cluster.clock().instant()));
        assertEquals(List.of(issued.json().path("ssh_serial").asText()), recorded.stream().map(IssuedCertificate::serial).toList());
    }

    @Test
    void aRoleEditedAgainWhileTheIssuanceIsSignedAgainRefusesIt() throws Exception {
        // CertificateIssuance.issue signs a second time only once, from what is stored; if that no longer holds when it
        // is written either, the issuance is refused. The writer's order here: the first edit; the issuance's first write
        // (it finds the edit, and the issuance is decided and signed again off the writer); a write queued behind it,
        // which queues the second edit at the head of the next batch, with enough no-ops to fill that batch at once
        // (GroupCommit.GATHER_TARGET), so that the second signing's write comes after it; the second edit then waits,
        // not yet committed, until that write is queued, so the second signing read the first edit only.
        Store store = cluster.server().store();
        assertRefusedWhileTheWriterFirstDoes(cluster.approvedDeployRequest(false), tx -> {
            editDeploy(tx, "now with root", List.of("deploy", "root"));
            store.writeLater(behindTheFirstWrite -> {
                store.writeLater(second -> {
                    editDeploy(second, "now with admin", List.of("deploy", "admin"));
                    awaitQueuedWrite(store);
                    return null;
                });
                for (int i = 1; i < 16; i++) {
                    store.writeLater(noOp -> null);
                }
                return null;
            });
        }, "access_denied", "changed while its certificates were signed");
    }

    /**
     * Waits until a write is queued. Should the second signing's write have joined the batch after all, it runs after
     * this one's edit in the same transaction and meets it just the same; the wait then only ends at its bound.
     */
    private static void awaitQueuedWrite(Store store) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.queuedWrites() == 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
    }

    @Test
    void aRoleEditedAfterSigningWithoutChangingTheCertificatesStillIssues() throws Exception {
        String id = cluster.approvedDeployRequest(false);
        Response issued = issueWhileTheWriterFirstDoes(id, tx -> editDeploy(tx, "described anew", List.of("deploy")));
        assertEquals(200, issued.status(), issued.toString());
        assertEquals("[\"deploy\"]", issued.json().path("principals").toString(), issued.toString());
    }

    /** Replaces role deploy's description and logins, keeping the rest. */
    private static void editDeploy(Tx tx, String description, List<String> logins) {
        Role deploy = tx.get(Role.class, "deploy").orElseThrow();
        Role.Conditions allow = deploy.spec().allow();
        Metadata metadata = new Metadata("deploy", description, Map.of(), Optional.empty(), deploy.metadata().revision());
        tx.update(new Role(null, null, metadata, new Role.Spec(
                deploy.spec().options(), new Role.Conditions(logins, allow.request(), allow.reviewRequests(), allow.rules()),
                deploy.spec().deny())));
    }

    /**
     * One issuance of {@code id}, whose transaction comes just after one that does {@code first}: the issuance has read
     * its grant and signed before {@code first}, and its own transaction must find what {@code first} did.
     */
    private Response issueWhileTheWriterFirstDoes(String id, Consumer<Tx> first) throws Exception {
        TestClient bot = cluster.client(cluster.join("jenkins-deploy"));
        Store store = cluster.server().store();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Object> writer = holdWriter(store, release, first);
        BotKeys keys = BotKeys.generate();
        Future<Response> issuance = callers.submit(() -> bot.post("/v1/certs", keys.issueBody(id, Map.of())));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (store.queuedWrites() < 1) {
            assertTrue(System.nanoTime() < deadline, "the issuance did not reach the store");
            Thread.sleep(5);
        }
        release.countDown();
        writer.get(10, TimeUnit.SECONDS);
        return issuance.get(30, TimeUnit.SECONDS);
    }

    /** {@link #issueWhileTheWriterFirstDoes} is refused with 403 {@code code} and {@code message}, and nothing is stored. */
    private void assertRefusedWhileTheWriterFirstDoes(String id, Consumer<Tx> first, String code, String message) throws Exception {
        AssumeRequestTest.assertRefused(issueWhileTheWriterFirstDoes(id, first), 403, code, message);
        assertEquals(List.of(), cluster.admin().get("/v1/audit/events?request_id=" + id).json().path("items")
                .findValuesAsText("event").stream().filter("cert.create"::equals).toList(), "nothing was recorded");
        assertEquals(0, cluster.server().store().read(tx -> tx.certificates(IssuedCertificate.Kind.TLS,
                Tx.CertificateQuery.ofRequest(id), java.time.Instant.now())).size(), "no certificate of the request was stored");
    }

    /**
     * Holds SQLite's writer in a write of its own until {@code release}, which then does {@code then}; returns once the
     * writer is held, with the write's stage.
     */
    private static CompletableFuture<Object> holdWriter(Store store, CountDownLatch release, Consumer<Tx> then)
            throws InterruptedException {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CompletableFuture<Object> holder = store.writeLater(tx -> {
            writerHeld.countDown();
            await(release);
            then.accept(tx);
            return null;
        });
        assertTrue(writerHeld.await(10, TimeUnit.SECONDS), "the writer is held");
        return holder;
    }

    private static String answer(Future<Response> issuance) {
        try {
            return issuance.get().toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
