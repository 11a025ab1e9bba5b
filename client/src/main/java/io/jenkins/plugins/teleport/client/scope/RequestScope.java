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
import io.jenkins.plugins.teleport.client.Keys;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request scope, in one process: acquire (ping, join, check the request, make keys, issue, write the bundle),
 * run something, then always release and delete, whatever happened to the run. A release that cannot reach the
 * server becomes a pending release, retried within a bounded time and kept on disk if still undone.
 */
public final class RequestScope {

    /** Everything a scope needs. {@code joinToken} is the bot's join token (a secret: never printed). */
    public record Options(URI server, String caPin, String bot, String joinToken, String requestId, Optional<Duration> ttl,
                          Map<String, String> usage, Path bundleParent, PendingReleases pending, AuthClient.Settings settings,
                          Duration releaseRetryBudget) {
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

    private final Options options;
    private final Progress progress;
    private final Clock clock;

    public RequestScope(Options options, Progress progress, Clock clock) {
        this.options = options;
        this.progress = progress;
        this.clock = clock;
    }

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
     * Everything up to the body. Fails before anything is written if the request cannot be used: its reason is the
     * server's ("request … is PENDING: 1 of 2 approvals").
     */
    public Acquired acquire() throws IOException {
        int left = options.pending().retryAll(options.settings(), progress);
        if (left > 0) {
            progress.line(left + " earlier release(s) still pending in " + options.pending().dir());
        }
        AuthClient client = AuthClient.create(options.server(), options.caPin(), options.settings());
        Ping ping = client.ping();
        progress.line("auth server " + options.server() + " (cluster " + ping.clusterName() + ", CA pin verified)");
        BotIdentity identity = client.join(options.bot(), options.joinToken());
        progress.line("joined as bot '" + options.bot() + "' (identity valid until " + identity.expires() + ")");
        AuthClient asBot = client.as(identity);
        checkRequest(asBot, options.requestId(), progress);

        PreparedBundle prepared = BundleWriter.prepare(options.bundleParent(), "bot " + options.bot());
        IssuedCertificates issued;
        try {
            issued = asBot.issue(new IssueCertificates(options.requestId(), prepared.sshPublicKey(), prepared.tlsPublicKeyPem(),
                    options.ttl(), options.usage()));
        } catch (RuntimeException e) {
            try {
                BundleWriter.delete(prepared.dir());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        progress.line("certificates issued for access request " + issued.accessRequestId() + ": principals "
                + String.join(", ", issued.principals()) + ", valid until " + issued.validBefore() + " (ssh serial "
                + issued.sshSerial() + ", x509 serial " + issued.tlsSerial() + ")");
        BotIdentity requestIdentity = new BotIdentity(options.bot(),
                Keys.readPrivateKey(Files.readString(prepared.dir().resolve(BundleFiles.TLS_KEY))),
                Keys.certificates(issued.tlsCertificate()).get(0), Keys.certificates(String.join("", issued.tlsCaCertificates())));
        AuthClient releaser = client.as(requestIdentity);
        try {
            BundleFiles files = BundleWriter.complete(prepared, contents(ping, issued));
            progress.line("identity written to " + files.dir());
            return new Acquired(releaser, requestIdentity, issued, files);
        } catch (IOException | RuntimeException e) {
            // complete() removed the directory; what is left to do is the release.
            try {
                new Acquired(releaser, requestIdentity, issued, null).close();
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Fails unless the request is APPROVED now, with a message that says why ("… is PENDING: 1 of 2 approvals"). A
     * request this bot cannot see (another bot's) passes here: the issuance refusal that follows names both bots.
     */
    public static Optional<AccessRequest> checkRequest(AuthClient asBot, String requestId, Progress progress) {
        try {
            AccessRequest request = asBot.accessRequest(requestId);
            AccessRequest.Status status = request.status().orElseThrow();
            if (status.state() != RequestState.APPROVED) {
                throw new AuthServerException.RequestNotUsableException(codeFor(status.state()), "access request "
                        + request.id() + " is " + status.state() + ": " + status.progress());
            }
            progress.line("access request " + request.id() + " is APPROVED (" + status.progress() + "), roles "
                    + String.join(", ", request.spec().roles()));
            return Optional.of(request);
        } catch (AuthServerException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            return Optional.empty();
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

    private BundleContents contents(Ping ping, IssuedCertificates issued) {
        return new BundleContents(ping.clusterName(), issued.accessRequestId(), options.bot(), issued.principals(),
                issued.sshCertificate(), issued.sshCaKeys(), issued.tlsCertificate(), String.join("", issued.tlsCaCertificates()),
                issued.sshSerial(), issued.tlsSerial(), issued.validAfter(), issued.validBefore());
    }

    /** An acquired scope: closing it releases the request and deletes the bundle, once. */
    public final class Acquired implements AutoCloseable {
        private final AuthClient client;
        private final BotIdentity identity;
        private final IssuedCertificates issued;
        private final BundleFiles files;
        private final AtomicBoolean closed = new AtomicBoolean();

        Acquired(AuthClient client, BotIdentity identity, IssuedCertificates issued, BundleFiles files) {
            this.client = client;
            this.identity = identity;
            this.issued = issued;
            this.files = files;
        }

        public BundleFiles files() {
            return files;
        }

        public IssuedCertificates issued() {
            return issued;
        }

        /** Releases (or records a pending release) and deletes the bundle; errors are collected, never hidden. */
        @Override
        public void close() throws IOException {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            IOException deleteFailure = null;
            if (files != null) {
                try {
                    BundleWriter.delete(files.dir());
                    progress.line("identity directory deleted");
                } catch (IOException e) {
                    deleteFailure = e;
                }
            }
            // An interrupted run must still release: clear the flag for the calls, and set it again after.
            boolean interrupted = Thread.interrupted();
            try {
                release();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (deleteFailure != null) {
                throw deleteFailure;
            }
        }

        private void release() throws IOException {
            try {
                var released = client.release(issued.accessRequestId(), options.usage());
                progress.line("released access request " + released.accessRequestId() + ": revoked "
                        + String.join(", ", released.revokedSerials()) + (released.consumed() ? " (one-shot request consumed)" : ""));
            } catch (TeleportException.UnreachableException | AuthServerException e) {
                if (e instanceof AuthServerException a && !PendingReleases.worthRetrying(a)) {
                    throw a;
                }
                PendingReleases.Pending pending = new PendingReleases.Pending(options.server(), options.caPin(),
                        issued.accessRequestId(), options.bot(), issued.validBefore(), identityPem(), options.usage());
                Path file = options.pending().record(pending);
                progress.line("release could not reach the auth server (" + e.getMessage() + "); recorded in " + file
                        + " and retried until the certificates expire at " + issued.validBefore());
                if (options.pending().retryWithin(pending, options.releaseRetryBudget(), options.settings(), progress)) {
                    java.nio.file.Files.deleteIfExists(file);
                } else {
                    progress.line("release still pending: run 'teleport-ci release-pending' (or the next teleport-ci exec) to finish it");
                }
            }
        }

        private String identityPem() {
            return Keys.privateKeyPem(identity.key()) + Keys.certificatePem(identity.certificate())
                    + String.join("", identity.caCertificates().stream().map(Keys::certificatePem).toList());
        }
    }
}
