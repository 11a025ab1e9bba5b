package io.jenkins.plugins.teleport.client.scope;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.IssueCertificates;
import io.jenkins.plugins.teleport.api.Messages.IssuedCertificates;
import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.api.RequestState;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.AuthServerException;
import io.jenkins.plugins.teleport.client.BotIdentity;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.bundle.BundleContents;
import io.jenkins.plugins.teleport.client.bundle.BundleFiles;
import io.jenkins.plugins.teleport.client.bundle.BundleWriter;
import io.jenkins.plugins.teleport.client.bundle.PreparedBundle;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The request scope's protocol, in one place for every caller (the Jenkins plugin drives the same phases across the
 * controller and an agent): <b>check</b> the request while the <b>keys</b> are made where they will be used,
 * <b>issue</b> without waiting for the check, <b>complete</b> the bundle, run the body, then always <b>delete</b>
 * and <b>release</b> (with the bot's join identity; see {@link Release}), and keep what cannot be released as a
 * <b>pending</b> release ({@link PendingReleases}). {@link #run} and {@link #acquire} do it all in one process.
 */
public final class RequestScope {

    /** How long the request's summary may take once the certificates are issued (it only decorates the result). */
    static final Duration SUMMARY_WAIT = Duration.ofSeconds(5);
    /** How long one scope spends on earlier pending releases of one server before it starts. */
    static final Duration PENDING_BUDGET = Duration.ofSeconds(10);

    private static final ExecutorService CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "teleport-request-check");
        t.setDaemon(true);
        return t;
    });

    /**
     * Everything a one-process scope needs. {@code tokenFile} holds the bot's join token (a secret: read, never
     * printed); a pending release records its path, not its content, to join again.
     */
    public record Options(URI server, String caPin, String bot, Path tokenFile, RequestId requestId, Optional<Duration> ttl,
                          Map<String, String> usage, Path bundleParent, PendingReleases pending, AuthClient.Settings settings,
                          Duration releaseRetryBudget) {
        /** The same options for another request (one the bot created for itself). */
        public Options withRequest(RequestId id) {
            return new Options(server, caPin, bot, tokenFile, id, ttl, usage, bundleParent, pending, settings, releaseRetryBudget);
        }

        @Override
        public String toString() {
            return "Options[server=" + server + ", bot=" + bot + ", request=" + requestId + "]";
        }
    }

    /** What runs inside the scope, with the bundle's files. */
    @FunctionalInterface
    public interface Body<T> {
        T run(BundleFiles files) throws Exception;
    }

    /** Issued certificates, and the request they are for when the bot could read it. */
    public record Assumed(Optional<AccessRequest> request, IssuedCertificates issued) {}

    private final Options options;
    private final Progress progress;
    private final Clock clock;

    public RequestScope(Options options, Progress progress, Clock clock) {
        this.options = options;
        this.progress = progress;
        this.clock = clock;
    }

    // ---- the phases -------------------------------------------------------------------------------------------

    /**
     * Phase <b>check</b>, started in the background: completes with the request if it is APPROVED now, empty if this
     * bot cannot see it (another bot's: the issuance refusal names both bots), or fails with the reason ("… is
     * PENDING: 1 of 2 approvals").
     */
    public static CompletableFuture<Optional<AccessRequest>> startCheck(AuthClient asBot, RequestId id, Progress progress) {
        return CompletableFuture.supplyAsync(() -> check(asBot, id, progress), CHECKS);
    }

    /** The check itself, on the caller's thread. */
    public static Optional<AccessRequest> check(AuthClient asBot, RequestId id, Progress progress) {
        try {
            AccessRequest request = asBot.accessRequest(id);
            AccessRequest.Status status = request.status().orElseThrow();
            if (status.state() != RequestState.APPROVED) {
                throw new AuthServerException.RequestNotUsableException(codeFor(status.state()), "access request "
                        + request.id() + " is " + status.state() + ": " + status.progress());
            }
            progress.line("access request " + request.id() + " is APPROVED (" + status.progress() + "), roles "
                    + String.join(", ", request.spec().roles()) + restriction(request.spec()));
            return Optional.of(request);
        } catch (AuthServerException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /** ", restricted to Jenkins job …, branch …" when the request is restricted to a job or branch; empty otherwise. */
    public static String restriction(AccessRequest.Spec spec) {
        if (spec.jenkinsJob().isEmpty() && spec.jenkinsBranch().isEmpty()) {
            return "";
        }
        return ", restricted to Jenkins job '" + (spec.jenkinsJob().isEmpty() ? "*" : spec.jenkinsJob()) + "'"
                + (spec.jenkinsBranch().isEmpty() ? "" : ", branch '" + spec.jenkinsBranch() + "'");
    }

    /**
     * Phase <b>issue</b>: certifies the public keys without waiting for the check (the server decides anyway); if the
     * server refuses, the check's reason is given when it has one, being the more telling. Issued, the request's
     * summary is taken from the check if it answers in time.
     */
    public static Assumed issue(AuthClient asBot, IssueCertificates ask, CompletableFuture<Optional<AccessRequest>> check,
                                Progress progress) {
        IssuedCertificates issued;
        try {
            issued = asBot.issue(ask);
        } catch (AuthServerException refused) {
            Throwable reason = failureOf(check);
            if (reason instanceof AuthServerException.RequestNotUsableException notUsable) {
                notUsable.addSuppressed(refused);
                throw notUsable;
            }
            throw refused;
        }
        progress.line("certificates issued for access request " + issued.accessRequestId() + ": principals "
                + String.join(", ", issued.principals()) + ", valid until " + issued.validBefore() + " (ssh serial "
                + issued.sshSerial() + ", x509 serial " + issued.tlsSerial() + ")");
        Optional<AccessRequest> request;
        try {
            request = check.get(SUMMARY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request = Optional.empty();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            request = Optional.empty();
        }
        return new Assumed(request, issued);
    }

    /** What completes the bundle for issued certificates. */
    public static BundleContents contents(String clusterName, String bot, IssuedCertificates issued) {
        return new BundleContents(clusterName, issued.accessRequestId(), bot, issued.principals(), issued.sshCertificate(),
                issued.sshCaKeys(), issued.tlsCertificate(), String.join("", issued.tlsCaCertificates()), issued.sshSerial(),
                issued.tlsSerial(), issued.validAfter(), issued.validBefore());
    }

    /** The serials a release revokes, as the server names them. */
    public static List<String> serials(IssuedCertificates issued) {
        return List.of("ssh:" + issued.sshSerial(), "tls:" + issued.tlsSerial());
    }

    private static Throwable failureOf(CompletableFuture<?> check) {
        try {
            check.get(SUMMARY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
        } catch (TimeoutException e) {
            return null;
        }
    }

    private static ErrorCode codeFor(RequestState state) {
        return switch (state) {
            case PENDING -> ErrorCode.REQUEST_PENDING;
            case DENIED -> ErrorCode.REQUEST_DENIED;
            case CONSUMED -> ErrorCode.REQUEST_CONSUMED;
            default -> ErrorCode.REQUEST_EXPIRED;
        };
    }

    /** Joins again from a token file, as a pending release of {@code teleport-ci} records it. */
    public static PendingReleases.Rejoin tokenFileRejoin(AuthClient.Settings settings) {
        return p -> {
            String token;
            try {
                token = Files.readString(Path.of(p.credentials())).strip();
            } catch (IOException | RuntimeException e) {
                throw new TeleportException("the join token file " + p.credentials() + " cannot be read: " + e.getMessage());
            }
            AuthClient client = AuthClient.create(p.server(), p.caPin(), settings);
            return client.as(client.join(p.bot(), token));
        };
    }

    // ---- all of it in one process -----------------------------------------------------------------------------

    /** Acquires, runs {@code body}, and always cleans up. The body's outcome (or exception) is returned (or thrown). */
    public <T> T run(Body<T> body) throws Exception {
        Acquired acquired = acquire();
        Exception failure = null;
        try {
            return body.run(acquired.files());
        } catch (Exception e) {
            failure = e;
            throw e;
        } finally {
            try {
                acquired.close();
            } catch (RuntimeException | IOException cleanup) {
                if (failure != null) {
                    failure.addSuppressed(cleanup);
                } else {
                    throw cleanup;
                }
            }
        }
    }

    /**
     * Everything up to the body. A request that cannot be used fails with the server's reason ("request … is PENDING:
     * 1 of 2 approvals") and leaves no files.
     */
    public Acquired acquire() throws IOException {
        return acquire(join(options.server(), options.caPin(), options.bot(), options.tokenFile(), options.pending(),
                options.settings(), progress));
    }

    /** The bot, joined: the server's answer to the ping, the join identity and the client that calls with it. */
    public record Joined(Ping ping, BotIdentity identity, AuthClient asBot) {}

    /**
     * Retries earlier pending releases, pings (checking the CA pin) and joins with the token file, before any request is
     * named (a bot that creates its own request joins before it has one).
     */
    public static Joined join(URI server, String caPin, String bot, Path tokenFile, PendingReleases pending,
                              AuthClient.Settings settings, Progress progress) throws IOException {
        int left = pending.retry(tokenFileRejoin(settings), PENDING_BUDGET, progress);
        if (left > 0) {
            progress.line(left + " earlier release(s) still pending in " + pending.dir());
        }
        if (!Files.isReadable(tokenFile)) {
            throw new TeleportException("token file " + tokenFile + " is not readable");
        }
        AuthClient client = AuthClient.create(server, caPin, settings);
        Ping ping = client.ping();
        progress.line("auth server " + server + " (cluster " + ping.clusterName() + ", CA pin verified)");
        BotIdentity identity = client.join(bot, Files.readString(tokenFile).strip());
        progress.line("joined as bot '" + bot + "' (identity valid until " + identity.expires() + ")");
        return new Joined(ping, identity, client.as(identity));
    }

    /** Everything up to the body, as {@link #acquire()}, for a bot that has joined already. */
    public Acquired acquire(Joined joined) throws IOException {
        Ping ping = joined.ping();
        BotIdentity identity = joined.identity();
        AuthClient asBot = joined.asBot();

        CompletableFuture<Optional<AccessRequest>> check = startCheck(asBot, options.requestId(), progress);
        PreparedBundle prepared = BundleWriter.prepare(options.bundleParent(), "bot " + options.bot());
        Assumed assumed;
        try {
            assumed = issue(asBot, new IssueCertificates(options.requestId().value(), prepared.sshPublicKey(),
                    prepared.tlsPublicKeyPem(), options.ttl(), options.usage()), check, progress);
        } catch (RuntimeException e) {
            try {
                BundleWriter.delete(prepared.dir());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        IssuedCertificates issued = assumed.issued();
        Acquired acquired = new Acquired(identity, asBot, issued, prepared.dir());
        try {
            BundleFiles files = BundleWriter.complete(prepared, contents(ping.clusterName(), options.bot(), issued));
            progress.line("identity written to " + files.dir());
            acquired.files = files;
            return acquired;
        } catch (IOException | RuntimeException e) {
            try {
                acquired.close(); // complete() removed the directory; what is left to do is the release
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** An acquired scope: closing it deletes the bundle and releases the request, once. */
    public final class Acquired implements AutoCloseable {
        private final BotIdentity identity;
        private final AuthClient asBot;
        private final IssuedCertificates issued;
        private final Path dir;
        private volatile BundleFiles files;
        private final AtomicBoolean closed = new AtomicBoolean();

        Acquired(BotIdentity identity, AuthClient asBot, IssuedCertificates issued, Path dir) {
            this.identity = identity;
            this.asBot = asBot;
            this.issued = issued;
            this.dir = dir;
        }

        public BundleFiles files() {
            return files;
        }

        public IssuedCertificates issued() {
            return issued;
        }

        /** Deletes the bundle, then releases (or records a pending release); errors are collected, never hidden. */
        @Override
        public void close() throws IOException {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            IOException deleteFailure = null;
            try {
                BundleWriter.delete(dir);
                progress.line("identity directory deleted");
            } catch (IOException e) {
                deleteFailure = e;
            }
            PendingReleases.Pending record = new PendingReleases.Pending(options.server(), options.caPin(),
                    issued.accessRequestId(), options.bot(), serials(issued), issued.validBefore(), options.usage(),
                    options.tokenFile().toAbsolutePath().toString(), "");
            Supplier<AuthClient> releaser = () -> identity.validFor(Duration.ofSeconds(30), clock.instant()) ? asBot
                    : tokenFileRejoin(options.settings()).asBot(record);
            Release.Outcome outcome = new Release(options.pending(), clock, Release.Wait.REAL)
                    .release(releaser, record, options.releaseRetryBudget(), progress);
            if (outcome instanceof Release.Kept) {
                progress.line("release still pending: run 'teleport-ci release-pending' (or the next teleport-ci exec) to finish it");
            }
            if (deleteFailure != null) {
                throw deleteFailure;
            }
        }
    }
}
