package io.jenkins.plugins.teleport.client.cli;

import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.approval.Approval;
import io.jenkins.plugins.teleport.client.approval.ApprovalWait;
import io.jenkins.plugins.teleport.client.approval.RequestNotice;
import io.jenkins.plugins.teleport.client.scope.Release;
import java.util.concurrent.atomic.AtomicReference;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.oidc.AwsWebIdentity;
import io.jenkins.plugins.teleport.client.oidc.WebIdentityRefresh;
import io.jenkins.plugins.teleport.client.scope.PendingReleases;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import io.jenkins.plugins.teleport.client.scope.RequestScope;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code teleport-ci}: runs a command inside an access request's scope, for any CI system. */
@Command(name = "teleport-ci", mixinStandardHelpOptions = true, version = "teleport-ci 0.1.0",
        description = "Run commands with short-lived credentials bound to an approved access request.",
        subcommands = {TeleportCi.Exec.class, TeleportCi.ReleasePending.class})
public final class TeleportCi {

    /** Exit code when teleport-ci itself failed before the command could run (as docker run uses it). */
    public static final int SCOPE_FAILED = 125;
    /** Exit code when the request was not approved within {@code --wait} (as timeout(1) uses it); the request is cancelled. */
    public static final int WAIT_TIMED_OUT = 124;
    /** Exit codes of a command that could not be executed or found (as shells use them). */
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new TeleportCi());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("teleport-ci: " + (e instanceof TeleportException ? "" : e.getClass().getSimpleName() + ": ")
                    + e.getMessage());
            return e instanceof NotGrantedException n ? n.exit : SCOPE_FAILED;
        });
        return cl;
    }

    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Join as the bot, get certificates bound to the approved access request, run COMMAND with "
                    + "environment variables pointing at them, then release them and delete the files, whatever happened.",
                    "The command sees: TELEPORT_IDENTITY_DIR, TELEPORT_IDENTITY_FILE, TELEPORT_SSH_CONFIG, TELEPORT_SSH_KEY, "
                            + "TELEPORT_SSH_CERT, TELEPORT_TLS_KEY, TELEPORT_TLS_CERT, TELEPORT_TLS_CA, TELEPORT_ACCESS_REQUEST_ID, "
                            + "TELEPORT_BOT, TELEPORT_CERT_VALID_BEFORE; with --aws-integration also AWS_WEB_IDENTITY_TOKEN_FILE, "
                            + "AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME (the AWS CLI and SDKs then assume the role by themselves)."},
            footer = {"", "With --request-roles instead of --request, the bot asks for the roles itself, prints the request's ID, who "
                    + "may review it, the tctl command that approves it and its page, and waits (--wait, default 30m) printing each "
                    + "change; once APPROVED the command runs as with --request. A denial, an expiry or the end of the wait stops "
                    + "it; the end of the wait, SIGINT and SIGTERM cancel the request.",
                    "", "Exit code: the command's; 125 if teleport-ci failed before running it (the message says why: a denial names "
                    + "the reviewer and the reason), 124 if the request was not approved within --wait, 126 if the command cannot "
                    + "be executed, 127 if it is not found."})
    static final class Exec implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--server", required = true, defaultValue = "${env:TELEPORT_AUTH_SERVER}", paramLabel = "URL",
                description = "Auth server, e.g. https://auth.example.com:3025 (env TELEPORT_AUTH_SERVER).")
        URI server;

        @Option(names = "--ca-pin", required = true, defaultValue = "${env:TELEPORT_CA_PIN}", paramLabel = "PIN",
                description = "The auth server's CA pin, sha256:… (env TELEPORT_CA_PIN).")
        String caPin;

        @Option(names = "--bot", required = true, description = "The bot to join as.")
        String bot;

        @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "File holding the bot's join token.")
        Path tokenFile;

        @Option(names = "--request", paramLabel = "ID", description = "The approved access request (or --request-roles).")
        String request;

        @Option(names = "--request-roles", split = ",", paramLabel = "ROLE",
                description = "Instead of --request: ask for these roles as the bot, wait for the approval, then run.")
        List<String> requestRoles;

        @Option(names = "--reason", defaultValue = "", description = "With --request-roles: why (a change ID, a ticket).")
        String reason;

        @Option(names = "--wait", defaultValue = "30m", paramLabel = "DURATION",
                description = "With --request-roles: how long to wait for the approval (default: ${DEFAULT-VALUE}); then the request is cancelled.")
        String waitFor;

        @Option(names = "--max-duration", paramLabel = "DURATION",
                description = "With --request-roles: how long the access lasts from its creation (default 1h; capped by the roles).")
        String maxDuration;

        @Option(names = "--ttl", paramLabel = "DURATION", description = "Certificate lifetime, e.g. 30m (default 1h; capped by the request).")
        String ttl;

        @Option(names = "--usage", paramLabel = "KEY=VALUE", description = "Where this runs, for the audit log, e.g. build_url=$BUILD_URL.")
        Map<String, String> usage = new LinkedHashMap<>();

        @Option(names = "--bundle-dir", paramLabel = "DIR", description = "Parent of the identity directory (default: the system temp dir).")
        Path bundleDir;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "Where pending releases are kept (default: ${XDG_STATE_HOME:-~/.local/state}/teleport-ci/pending-releases).")
        Path stateDir;

        @Option(names = "--release-retry", defaultValue = "30s", paramLabel = "DURATION",
                description = "How long to retry a release that cannot reach the server before leaving it pending (default: ${DEFAULT-VALUE}).")
        String releaseRetry;

        @Option(names = "--aws-integration", paramLabel = "NAME",
                description = "An aws-oidc integration whose role the command may assume: its web identity token is written to "
                        + "the identity directory and refreshed before it expires, for as long as the command runs.")
        String awsIntegration;

        @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            Progress progress = line -> {
                err.println("[teleport-ci] " + line);
                err.flush();
            };
            boolean creates = requestRoles != null && !requestRoles.isEmpty();
            if ((request == null) == !creates) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --request ID (an approved access request) "
                        + "or --request-roles ROLE[,ROLE...] (ask for one and wait for its approval)");
            }
            Optional<RequestId> given = creates ? Optional.empty() : Optional.of(RequestId.parse(request, "--request"));
            Optional<Duration> ttlAsked = Optional.ofNullable(ttl).map(t -> parse("--ttl", t));
            Duration retry = parse("--release-retry", releaseRetry);
            Duration waitLimit = parse("--wait", waitFor);
            Optional<Duration> access = Optional.ofNullable(maxDuration).map(d -> parse("--max-duration", d));
            PendingReleases pending = new PendingReleases(stateDir != null ? stateDir : PendingReleases.defaultDir(), Clock.systemUTC());
            RequestScope.Joined joined = RequestScope.join(server, caPin, bot, tokenFile, pending, AuthClient.Settings.DEFAULT, progress);
            RequestId id = given.isPresent() ? given.get()
                    : new CreateAndWait(joined.asBot(), server, Clock.systemUTC(), progress).run(bot, requestRoles, reason, access, waitLimit);
            if (creates && !joined.identity().validFor(Duration.ofMinutes(1), Clock.systemUTC().instant())) {
                joined = RequestScope.join(server, caPin, bot, tokenFile, pending, AuthClient.Settings.DEFAULT, progress);
            }
            RequestScope.Options options = new RequestScope.Options(server, caPin, bot, tokenFile, id, ttlAsked, usage,
                    bundleDir != null ? bundleDir : Path.of(System.getProperty("java.io.tmpdir"), "teleport-ci"),
                    pending, AuthClient.Settings.DEFAULT, retry);
            RequestScope scope = new RequestScope(options, progress, Clock.systemUTC());
            RequestScope.Acquired acquired = scope.acquire(joined);
            Process[] child = new Process[1];
            WebIdentityRefresh[] aws = new WebIdentityRefresh[1];
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "teleport-ci-aws-refresh");
                t.setDaemon(true);
                return t;
            });
            // A runner stopped by SIGTERM/SIGINT still stops the command, releases and deletes.
            Thread onSignal = new Thread(() -> {
                if (child[0] != null) {
                    child[0].destroy();
                }
                try {
                    stopRefreshing(aws[0], timer);
                    acquired.close();
                } catch (IOException | RuntimeException e) {
                    err.println("[teleport-ci] cleanup after a signal failed: " + e.getMessage());
                }
            }, "teleport-ci-cleanup");
            Runtime.getRuntime().addShutdownHook(onSignal);
            try {
                Map<String, String> environment = new LinkedHashMap<>(acquired.files().environment());
                if (awsIntegration != null) {
                    aws[0] = awsWebIdentity(acquired, environment, timer, progress);
                }
                ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
                pb.environment().putAll(environment);
                progress.line("running: " + String.join(" ", command));
                try {
                    child[0] = pb.start();
                } catch (IOException e) {
                    progress.line("cannot run " + command.get(0) + ": " + e.getMessage());
                    return e.getMessage() != null && e.getMessage().contains("error=13") ? NOT_EXECUTABLE : NOT_FOUND;
                }
                int exit = child[0].waitFor();
                progress.line("command exited with " + exit);
                return exit;
            } finally {
                stopRefreshing(aws[0], timer);
                acquired.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is already running or has run
                }
            }
        }

        /** Writes the first token as the request-bound identity, adds the AWS variables, and keeps the token fresh. */
        private WebIdentityRefresh awsWebIdentity(RequestScope.Acquired acquired, Map<String, String> environment,
                                                  ScheduledExecutorService timer, Progress progress) throws IOException {
            Path identityDir = acquired.files().dir();
            Clock clock = Clock.systemUTC();
            WebIdentityRefresh.Fetch fetch = () -> AwsWebIdentity.fetch(server, caPin, identityDir, awsIntegration, clock);
            AwsWebIdentity.Grant first;
            try {
                first = fetch.fetch();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
            progress.line("AWS web identity token for integration " + first.integration() + " written (role " + first.roleArn()
                    + ", session " + first.roleSessionName() + ", valid until " + first.expires() + ")");
            environment.putAll(first.environment(identityDir));
            return WebIdentityRefresh.start(Optional.of(first), acquired.issued().validBefore(), fetch,
                    WebIdentityRefresh.Scheduler.of(timer), clock, progress);
        }

        private static void stopRefreshing(WebIdentityRefresh refresh, ScheduledExecutorService timer) {
            if (refresh != null) {
                refresh.close();
            }
            timer.shutdownNow();
        }

        private Duration parse(String option, String text) {
            try {
                return io.jenkins.plugins.teleport.api.GoDuration.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
            }
        }
    }

    /** teleport-ci stopped before the command because the request was not granted; {@link #exit} says how. */
    static final class NotGrantedException extends TeleportException {
        final int exit;

        NotGrantedException(String message, int exit) {
            super(message);
            this.exit = exit;
        }
    }

    /**
     * {@code --request-roles}: the bot asks for the roles itself, says who may approve and how, and waits with the long
     * poll; the end of the wait, SIGINT and SIGTERM cancel the request (a terminal state, audited on the server).
     */
    static final class CreateAndWait {
        private final AuthClient asBot;
        private final URI server;
        private final Clock clock;
        private final Progress progress;

        CreateAndWait(AuthClient asBot, URI server, Clock clock, Progress progress) {
            this.asBot = asBot;
            this.server = server;
            this.clock = clock;
            this.progress = progress;
        }

        RequestId run(String bot, List<String> roles, String reason, Optional<Duration> access, Duration waitLimit)
                throws InterruptedException {
            // The hook is in place before the request exists, so that a signal at any point after its creation cancels it.
            AtomicReference<RequestId> waitingFor = new AtomicReference<>();
            Thread cancelOnSignal = new Thread(() -> {
                RequestId pending = waitingFor.getAndSet(null);
                if (pending != null) {
                    cancel(pending, "teleport-ci was stopped (SIGINT/SIGTERM) while waiting for the approval");
                }
            }, "teleport-ci-cancel");
            Runtime.getRuntime().addShutdownHook(cancelOnSignal);
            Approval outcome;
            RequestId id;
            try {
                // Reviews are accepted only while this waits: the pending window is the wait (the server caps it).
                AccessRequest created = asBot.createAccessRequest(new CreateAccessRequest(bot, roles, reason, access,
                        Optional.of(waitLimit), Optional.empty(), null, null));
                id = new RequestId(created.id());
                waitingFor.set(id);
                RequestNotice.lines(created, server).forEach(progress::line);
                progress.line("waiting up to " + waitFor(waitLimit) + " for the approval");
                outcome = new ApprovalWait(asBot, clock, Release.Wait.REAL, progress).await(created, clock.instant().plus(waitLimit));
            } finally {
                waitingFor.set(null);
                try {
                    Runtime.getRuntime().removeShutdownHook(cancelOnSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is already running
                }
            }
            if (outcome instanceof Approval.Approved) {
                return id;
            }
            if (outcome instanceof Approval.Denied d) {
                throw new NotGrantedException(d.message(id.value()), SCOPE_FAILED);
            }
            if (outcome instanceof Approval.Ended e) {
                throw new NotGrantedException(e.message(id.value()), SCOPE_FAILED);
            }
            Approval.TimedOut t = (Approval.TimedOut) outcome;
            cancel(id, "not approved within " + waitFor(waitLimit) + " (teleport-ci exec --wait)");
            throw new NotGrantedException(t.message(id.value()) + "; the request is cancelled", WAIT_TIMED_OUT);
        }

        private void cancel(RequestId id, String why) {
            try {
                AccessRequest cancelled = asBot.cancel(id, why);
                progress.line("access request " + id + " cancelled: " + Approval.line(cancelled));
            } catch (TeleportException e) {
                progress.line("access request " + id + " could not be cancelled (" + e.getMessage() + "): cancel it with "
                        + "tctl requests cancel " + id);
            }
        }

        private static String waitFor(Duration d) {
            return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Command(name = "release-pending", mixinStandardHelpOptions = true,
            description = {"Retry the releases that could not reach the auth server (run it from cron, or let the next exec do it).",
                    "Each joins again with the token file its exec used, so keep that file until then; a release is given up "
                            + "only once its certificates have expired."},
            footer = {"", "Exit code: 0 when none is left pending, 1 otherwise."})
    static final class ReleasePending implements Callable<Integer> {
        static final Duration BUDGET_PER_SERVER = Duration.ofSeconds(30);

        @Spec
        CommandSpec spec;

        @Option(names = "--state-dir", paramLabel = "DIR", description = "Where pending releases are kept.")
        Path stateDir;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            PendingReleases pending = new PendingReleases(stateDir != null ? stateDir : PendingReleases.defaultDir(), Clock.systemUTC());
            int left = pending.retry(RequestScope.tokenFileRejoin(AuthClient.Settings.DEFAULT), BUDGET_PER_SERVER,
                    line -> err.println("[teleport-ci] " + line));
            err.println("[teleport-ci] " + (left == 0 ? "no release pending" : left + " release(s) still pending in " + pending.dir()));
            err.flush();
            return left == 0 ? 0 : 1;
        }
    }
}
