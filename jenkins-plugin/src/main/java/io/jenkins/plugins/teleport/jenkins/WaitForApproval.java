package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.teleport.api.AccessRequest;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Messages.CreateAccessRequest;
import io.jenkins.plugins.teleport.client.TeleportException;
import io.jenkins.plugins.teleport.client.approval.Approval;
import io.jenkins.plugins.teleport.client.approval.RequestNotice;
import io.jenkins.plugins.teleport.client.scope.Progress;
import io.jenkins.plugins.teleport.client.scope.RequestId;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * {@code withTeleportAccessRequest(roles: [...], reason: ..., waitForApproval: '30m')}: the block's bot asks for the
 * roles itself, says who may review and how (build log and page, {@link TeleportRequestWaitAction}), and waits without
 * holding a thread: a check (one GET of the request) is scheduled on {@link Timer} every {@link #checkEvery}, as the
 * {@code sleep} step schedules its end, and nothing runs in between. Its state is the request's ID and the deadline,
 * saved with the build's program, so a controller that restarts resumes waiting for the same request
 * ({@link #resume}) and never creates a second. APPROVED hands over to the block's opening; DENIED fails with the
 * reviewer and reason; the deadline cancels the request and fails; a stop (abort) cancels it.
 */
final class WaitForApproval implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How often the request is checked while waiting (tests shorten it). */
    static volatile Duration checkEvery = Duration.ofSeconds(5);

    /** Checks run here, scheduled by the Timer (whose few threads must not wait on a slow server). */
    private static final ExecutorService CHECKS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "teleport-approval-check");
        t.setDaemon(true);
        return t;
    });

    /** What the waiting block asks of its step execution. */
    interface Host {
        StepContext context();

        /** The request is APPROVED: open the block with it. */
        void approved(String requestId);
    }

    private final ArrayList<String> roles;
    private final String reason;
    private final String waitFor;
    private volatile String requestId = "";
    private volatile long deadlineMillis;
    private volatile String line = "";
    private volatile boolean creating;
    private volatile boolean done;
    private transient volatile ScheduledFuture<?> next;
    private transient volatile boolean unreachable;
    private transient volatile boolean halted;

    WaitForApproval(List<String> roles, String reason, String waitFor) {
        this.roles = new ArrayList<>(roles);
        this.reason = reason;
        this.waitFor = waitFor;
    }

    /** The wait's length, checked before anything is called. */
    static Duration parseWait(String waitFor) throws AbortException {
        try {
            Duration d = GoDuration.parse(waitFor);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("it must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new AbortException("withTeleportAccessRequest's waitForApproval '" + waitFor + "' is not a duration such as 30m: "
                    + e.getMessage());
        }
    }

    String requestId() {
        return requestId;
    }

    /** True from the request's creation until it is resolved, failed or stopped. */
    boolean waiting() {
        return !done && (creating || !requestId.isEmpty());
    }

    /** Creates the request as the bot (on a background thread of the step), tells how to review it, starts checking. */
    void begin(Host host, BlockParameters parameters, Clock clock) throws Exception {
        StepContext context = host.context();
        Run<?, ?> run = context.get(Run.class);
        TaskListener listener = context.get(TaskListener.class);
        Progress progress = BuildContext.progress(listener);
        Duration limit = parseWait(waitFor);
        TeleportServer server = TeleportGlobalConfiguration.get().server(parameters.server());
        BotCredentialsLookup.Found bot = BotCredentialsLookup.forBuild(server, parameters.credentialsId().orElse(server.getCredentialsId()), run);
        String botName = bot.credentials().getBotName();
        AccessRequest created;
        creating = true;
        context.saveState();
        try {
            // The request may be reviewed only while the build waits: its pending window is the wait (capped by the server).
            created = BotClients.forBuild(server, bot, run, clock).createAccessRequest(new CreateAccessRequest(botName, roles, reason,
                    Optional.empty(), Optional.of(limit), Optional.empty(), null, null));
        } catch (TeleportException e) {
            creating = false;
            throw new AbortException("The access request for bot '" + botName + "' could not be created: " + e.getMessage());
        }
        boolean stoppedMeanwhile;
        synchronized (this) {
            requestId = created.id();
            deadlineMillis = clock.millis() + limit.toMillis();
            line = Approval.line(created);
            creating = false;
            stoppedMeanwhile = done; // aborted while the request was being created: it is withdrawn at once
        }
        if (stoppedMeanwhile) { // on another thread: a stop interrupts this one, and its calls with it
            CHECKS.execute(() -> cancel(host, parameters, "the build was aborted while its access request was being created", clock));
            return;
        }
        context.saveState(); // the ID is saved before anything else happens: a restart waits for this one
        for (String l : RequestNotice.lines(created, URI.create(server.getUrl()))) {
            progress.line(l);
        }
        progress.line("waiting up to " + waitFor + " for the approval: " + line);
        run.addAction(new TeleportRequestWaitAction(requestId, server.getName(), botName, created.spec().roles(),
                created.spec().requestReason(), RequestNotice.reviewers(created), RequestNotice.reviewCommand(requestId),
                RequestNotice.webLink(URI.create(server.getUrl()), requestId), line));
        run.save();
        schedule(host, parameters, clock, Duration.ZERO);
    }

    /** After a controller restart: wait again for the same request, or say that its creation was cut short. */
    void resume(Host host, BlockParameters parameters, Clock clock) {
        if (requestId.isEmpty()) {
            done = true;
            host.context().onFailure(new AbortException("Jenkins restarted while withTeleportAccessRequest was creating its access "
                    + "request; if one was created it expires unused (tctl requests ls shows it): run the build again"));
            return;
        }
        try {
            BuildContext.progress(host.context().get(TaskListener.class)).line("Jenkins restarted: still waiting for access request "
                    + requestId + " (" + line + ")");
        } catch (IOException | InterruptedException e) {
            // the log is not essential to the wait
        }
        schedule(host, parameters, clock, Duration.ZERO);
    }

    /** The build was aborted: no more checks, and a request still waiting is cancelled (audited on the server). */
    void stop(Host host, BlockParameters parameters, Throwable cause) {
        boolean wasWaiting;
        synchronized (this) {
            wasWaiting = !done && !requestId.isEmpty();
            done = true;
        }
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
        if (wasWaiting) {
            CHECKS.execute(() -> cancel(host, parameters, "the build was aborted while waiting for the approval ("
                    + String.valueOf(cause.getMessage()).strip() + ")", Clock.systemUTC()));
        }
    }

    /** Test hook: what a controller's JVM going away does to this object (the restored copy carries on). */
    void halt() {
        halted = true;
        ScheduledFuture<?> pending = next;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private void schedule(Host host, BlockParameters parameters, Clock clock, Duration delay) {
        if (done || halted) {
            return;
        }
        try {
            next = Timer.get().schedule(() -> CHECKS.execute(() -> check(host, parameters, clock)), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // Jenkins is stopping: the saved state resumes the wait after the restart
        }
    }

    /** One check: read the request, show a change, act on a resolution or the deadline, else check again later. */
    private void check(Host host, BlockParameters parameters, Clock clock) {
        if (done || halted) {
            return;
        }
        StepContext context = host.context();
        try {
            Run<?, ?> run = context.get(Run.class);
            Progress progress = BuildContext.progress(context.get(TaskListener.class));
            AccessRequest request;
            try {
                request = client(parameters, run, clock).accessRequest(new RequestId(requestId));
                if (unreachable) {
                    progress.line("the auth server answers again");
                    unreachable = false;
                }
            } catch (TeleportException.UnreachableException e) {
                if (!unreachable) {
                    progress.line("still waiting for access request " + requestId + ", but " + e.getMessage());
                    unreachable = true;
                }
                request = null;
            }
            if (halted) {
                return;
            }
            if (request != null) {
                changed(run, progress, Approval.line(request), clock);
                Approval now = Approval.of(request);
                if (now instanceof Approval.Approved) {
                    if (finish()) {
                        progress.line("access request " + requestId + " is approved: entering the block");
                        host.approved(requestId);
                    }
                    return;
                }
                if (now instanceof Approval.Denied d) {
                    fail(context, d.message(requestId));
                    return;
                }
                if (now instanceof Approval.Ended e) {
                    fail(context, e.message(requestId));
                    return;
                }
            }
            long left = deadlineMillis - clock.millis();
            if (left <= 0) {
                if (finish()) {
                    cancel(host, parameters, "not approved within " + waitFor + " (withTeleportAccessRequest waitForApproval)", clock);
                    context.onFailure(new AbortException(new Approval.TimedOut(Instant.ofEpochMilli(deadlineMillis), line).message(requestId)
                            + "; the request is cancelled"));
                }
                return;
            }
            schedule(host, parameters, clock, Duration.ofMillis(Math.min(left, checkEvery.toMillis())));
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (finish()) {
                context.onFailure(e);
            }
        }
    }

    private void changed(Run<?, ?> run, Progress progress, String now, Clock clock) throws IOException {
        if (now.equals(line)) {
            return;
        }
        line = now;
        progress.line("access request " + requestId + ": " + now);
        for (TeleportRequestWaitAction action : run.getActions(TeleportRequestWaitAction.class)) {
            if (action.getRequestId().equals(requestId)) {
                action.changed(now, clock.instant().toString());
            }
        }
        run.save();
    }

    private void fail(StepContext context, String message) {
        if (finish()) {
            context.onFailure(new AbortException(message));
        }
    }

    /** Ends the wait once: false when it has ended already (resolved, stopped). */
    private synchronized boolean finish() {
        if (done) {
            return false;
        }
        done = true;
        return true;
    }

    private void cancel(Host host, BlockParameters parameters, String why, Clock clock) {
        try {
            StepContext context = host.context();
            Run<?, ?> run = context.get(Run.class);
            Progress progress = BuildContext.progress(context.get(TaskListener.class));
            try {
                AccessRequest cancelled = client(parameters, run, clock).cancel(new RequestId(requestId), why);
                changed(run, progress, Approval.line(cancelled), clock);
                progress.line("access request " + requestId + " cancelled: " + why);
            } catch (TeleportException | AbortException e) {
                progress.line("access request " + requestId + " could not be cancelled (" + e.getMessage() + "): cancel it with "
                        + "tctl requests cancel " + requestId);
            }
        } catch (IOException | InterruptedException e) {
            // no build to report to any more; the request expires at the end of its pending window
        }
    }

    private static io.jenkins.plugins.teleport.client.AuthClient client(BlockParameters parameters, Run<?, ?> run, Clock clock)
            throws AbortException {
        TeleportServer server = TeleportGlobalConfiguration.get().server(parameters.server());
        return BotClients.forBuild(server, BotCredentialsLookup.find(server, parameters.credentialsId().orElse(server.getCredentialsId()), run),
                run, clock);
    }
}
