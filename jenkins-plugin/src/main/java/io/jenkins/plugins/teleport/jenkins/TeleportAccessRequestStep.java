package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.console.ConsoleLogFilter;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.jenkinsci.plugins.workflow.steps.BodyExecutionCallback;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * {@code withTeleportAccessRequest(requestId) { ... }}: inside the block, short-lived SSH and X.509 certificates
 * bound to the approved access request, as files on the agent and variables pointing at them; afterwards the files
 * are deleted and the certificates revoked, however the block ended.
 */
public class TeleportAccessRequestStep extends Step {

    private final String requestId;
    private String ttl = "";
    private String server = "";
    private String credentialsId = "";
    private List<String> roles = List.of();
    private String reason = "";
    private String waitForApproval = DEFAULT_WAIT;

    /** How long a block that creates its request waits for the approval by default. */
    static final String DEFAULT_WAIT = "30m";
    private String awsIntegration = "";

    @DataBoundConstructor
    public TeleportAccessRequestStep(String requestId) {
        this.requestId = AccessRequestForm.clean(requestId);
    }

    /**
     * The request's ID; null for a block that asks for {@code roles} instead, so that the Snippet Generator's line
     * leaves it out (structs' {@code DescribableModel.uninstantiate2} drops a constructor parameter whose getter gives
     * null, and keeps an empty one as {@code requestId: ''}).
     */
    public String getRequestId() {
        return requestId.isEmpty() ? null : requestId;
    }

    public String getTtl() {
        return ttl;
    }

    /** Certificate lifetime, e.g. {@code 30m}; default: the server's default. */
    @DataBoundSetter
    public void setTtl(String ttl) {
        this.ttl = AccessRequestForm.clean(ttl);
    }

    public String getServer() {
        return server;
    }

    /** Which configured auth server; default: the only one. */
    @DataBoundSetter
    public void setServer(String server) {
        this.server = AccessRequestForm.clean(server);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    /** Which Teleport bot credentials; default: the server's. */
    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = AccessRequestForm.clean(credentialsId);
    }

    public List<String> getRoles() {
        return roles;
    }

    /** Instead of a request ID: the roles the bot asks for itself, then waits for ({@link WaitForApproval}). */
    @DataBoundSetter
    public void setRoles(List<String> roles) {
        this.roles = AccessRequestForm.roles(roles);
    }

    public String getReason() {
        return reason;
    }

    /** With roles: why (a change ID), as the request's reason. */
    @DataBoundSetter
    public void setReason(String reason) {
        this.reason = AccessRequestForm.clean(reason);
    }

    public String getWaitForApproval() {
        return waitForApproval;
    }

    /** With roles: how long to wait for the approval, e.g. {@code 30m}; then the request is cancelled. */
    @DataBoundSetter
    public void setWaitForApproval(String waitForApproval) {
        this.waitForApproval = AccessRequestForm.clean(waitForApproval).isEmpty() ? DEFAULT_WAIT : AccessRequestForm.clean(waitForApproval);
    }

    public String getAwsIntegration() {
        return awsIntegration;
    }

    /** An aws-oidc integration: its web identity token in the identity directory, and the AWS variables naming it. */
    @DataBoundSetter
    public void setAwsIntegration(String awsIntegration) {
        this.awsIntegration = AccessRequestForm.clean(awsIntegration);
    }

    @Override
    public StepExecution start(StepContext context) throws AbortException {
        if (requestId.isEmpty() == roles.isEmpty()) {
            throw new AbortException("withTeleportAccessRequest needs exactly one of requestId (an approved request) and roles "
                    + "(ask for them and wait for the approval), e.g. withTeleportAccessRequest(roles: ['deploy'], reason: 'CHG-1234')");
        }
        WaitForApproval approval = null;
        if (!roles.isEmpty()) {
            WaitForApproval.parseWait(waitForApproval);
            approval = new WaitForApproval(roles, reason, waitForApproval);
        }
        return new Execution(new BlockParameters(requestId, server, credentialsId, ttl, awsIntegration), approval, context);
    }

    /**
     * The running block. Its work runs in the background (never on the Pipeline's thread); it keeps identifiers only,
     * so it survives a controller restart and still cleans up. What the opening has made so far ({@link #reached}) is
     * saved with it, so a block stopped, or a controller that restarted, while certificates were being issued still
     * deletes the files and releases.
     */
    static final class Execution extends GeneralNonBlockingStepExecution implements WaitForApproval.Host {
        private static final long serialVersionUID = 1L;
        private static final ExecutorService AFTER_STOP = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "teleport-cleanup-after-stop");
            t.setDaemon(true);
            return t;
        });

        private final BlockParameters parameters;
        /** The wait for a request the block creates itself; null when the block was given an approved request's ID. */
        private final WaitForApproval approval;
        private transient volatile org.springframework.security.core.Authentication authentication;
        /** What exists to clean up: set as the opening goes, kept until the block's end has cleaned it up. */
        private volatile ScopeHandle reached;
        private volatile boolean opening;
        private volatile boolean closed;
        private transient volatile boolean stopped;
        private transient volatile Run<?, ?> run;
        private transient volatile TaskListener listener;
        private transient volatile FilePath workspace;

        Execution(BlockParameters parameters, WaitForApproval approval, StepContext context) {
            super(context);
            this.parameters = parameters;
            this.approval = approval;
        }

        @Override
        public boolean start() {
            if (approval != null) {
                authentication = jenkins.model.Jenkins.getAuthentication2();
                run(() -> approval.begin(this, parameters, Clock.systemUTC()));
                return false;
            }
            opening = true;
            run(this::open);
            return false;
        }

        @Override
        public StepContext context() {
            return getContext();
        }

        /** The request the block created is approved: open the block as if it had been given its ID. */
        @Override
        public void approved(String requestId) {
            try (hudson.security.ACLContext ignored = hudson.security.ACL.as2(authentication != null ? authentication
                    : jenkins.model.Jenkins.getAuthentication2())) {
                opening = true;
                run(this::open);
            }
        }

        /** The block's parameters, with the request it created once there is one. */
        private BlockParameters block() {
            return approval == null ? parameters : parameters.withRequestId(approval.requestId());
        }

        private void open() throws Exception {
            StepContext context = getContext();
            run = context.get(Run.class);
            listener = context.get(TaskListener.class);
            workspace = context.get(FilePath.class);
            OpenScope.Opened opened;
            try {
                opened = OpenScope.open(block(), run, workspace, listener, Clock.systemUTC(), new OpenScope.Observer() {
                    @Override
                    public void reached(ScopeHandle partial) {
                        reached = partial;
                    }

                    @Override
                    public boolean stopped() {
                        return stopped;
                    }
                });
            } catch (Exception e) {
                opening = false;
                cleanUp(e);
                throw e;
            }
            opening = false;
            if (stopped) {
                cleanUp(null);
                return;
            }
            PrivateKeyMaskingFilter filter = opened.filter();
            context.newBodyInvoker()
                    .withContexts(EnvironmentExpander.merge(context.get(EnvironmentExpander.class), new Expander(opened.handle().environment())),
                            BodyInvoker.mergeConsoleLogFilters(context.get(ConsoleLogFilter.class), filter))
                    .withCallback(new Cleanup(filter))
                    .start();
        }

        /** Cleans up what the opening or the block made, once; errors go onto {@code failure} (or the log). */
        private void cleanUp(Exception failure) {
            ScopeHandle h;
            synchronized (this) {
                h = closed ? null : reached;
                closed = true;
            }
            if (h == null) {
                return;
            }
            try {
                CloseScope.close(h, run, workspace(), listener, Clock.systemUTC());
            } catch (IOException | InterruptedException | RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else if (listener != null) {
                    listener.getLogger().println("[teleport] cleanup failed: " + e.getMessage());
                }
            }
        }

        private FilePath workspace() {
            if (workspace == null) {
                return null;
            }
            try {
                return getContext().get(FilePath.class);
            } catch (IOException agentGone) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return workspace;
            }
        }

        /**
         * Stopped (aborted) at any time: the opening gives up at its next phase and cleans up what it made; if the
         * block was already open, its end is done here, as tail calls no longer run after a stop.
         */
        @Override
        public void stop(Throwable cause) throws Exception {
            if (approval != null && approval.waiting()) {
                approval.stop(this, parameters, cause);
            }
            stopped = true;
            if (!opening && reached != null && !closed && (run == null || listener == null)) {
                // Stopped after a restart, during the body: read the context while the step is still running.
                run = getContext().get(Run.class);
                listener = getContext().get(TaskListener.class);
                workspace = workspaceOrNull(getContext());
            }
            super.stop(cause);
            if (!opening && reached != null && !closed) {
                AFTER_STOP.submit(() -> cleanUp(null));
            }
        }

        /**
         * After a restart in the middle of the opening (or of the end), the work that was running is gone: clean up
         * from what was saved, then fail the block (the real GeneralNonBlockingStepExecution would only fail it).
         */
        @Override
        public void onResume() {
            if (approval != null && approval.waiting()) {
                authentication = jenkins.model.Jenkins.getAuthentication2();
                approval.resume(this, parameters, Clock.systemUTC());
                return;
            }
            if (!opening && (reached == null || closed)) {
                super.onResume();
                return;
            }
            if (opening) {
                run(() -> {
                    StepContext context = getContext();
                    run = context.get(Run.class);
                    listener = context.get(TaskListener.class);
                    workspace = context.get(FilePath.class);
                    opening = false;
                    cleanUp(null);
                    context.onFailure(new AbortException("Jenkins restarted while withTeleportAccessRequest was getting its "
                            + "certificates; what was issued is released and the files deleted: run the build again"));
                });
                return;
            }
            // The body runs on: its AWS token's refreshes lived in memory, so they start again (a fetch right away).
            AwsWebIdentities.keepFresh(reached, java.util.Optional.empty(), new FromContext(getContext(), reached.bundleDir()),
                    Clock.systemUTC());
            super.onResume();
        }

        /**
         * Deletes the files and releases the request when the body ends: success, failure or abort, in the background
         * (as GeneralNonBlockingStepExecution's TailCall, which cannot replace the body's failure: this one masks it).
         */
        private final class Cleanup extends BodyExecutionCallback {
            private static final long serialVersionUID = 1L;
            private final PrivateKeyMaskingFilter filter;

            Cleanup(PrivateKeyMaskingFilter filter) {
                this.filter = filter;
            }

            @Override
            public void onSuccess(StepContext context, Object result) {
                run(() -> {
                    try {
                        finished(context);
                    } catch (Exception x) {
                        context.onFailure(masked(x, filter));
                        return;
                    }
                    context.onSuccess(result);
                });
            }

            @Override
            public void onFailure(StepContext context, Throwable t) {
                run(() -> {
                    Throwable shown = masked(t, filter);
                    try {
                        finished(context);
                    } catch (Exception x) {
                        shown.addSuppressed(x);
                    }
                    context.onFailure(shown);
                });
            }

            private void finished(StepContext context) throws Exception {
                run = context.get(Run.class);
                listener = context.get(TaskListener.class);
                workspace = workspaceOrNull(context);
                ScopeHandle h;
                synchronized (Execution.this) {
                    h = closed ? null : reached;
                    closed = true;
                }
                if (h != null) {
                    CloseScope.close(h, run, workspace, listener, Clock.systemUTC());
                }
            }
        }

        /**
         * Masks the body's failure as the log is masked (a key in an error message must not reach the build page or the
         * log outside the block), as credentials-binding does since SECURITY-3499: the message, its causes and its
         * suppressed failures. A failure with nothing to mask is kept as it is; otherwise each throwable that holds a
         * key line, or leads to one, is replaced by an {@link AbortException} naming its class, with its stack trace.
         */
        static Throwable masked(Throwable t, PrivateKeyMaskingFilter filter) {
            if (t instanceof FlowInterruptedException) {
                return t;
            }
            return masked(t, filter, new java.util.IdentityHashMap<>());
        }

        private static Throwable masked(Throwable t, PrivateKeyMaskingFilter filter, Map<Throwable, Throwable> seen) {
            Throwable known = seen.putIfAbsent(t, t);
            if (known != null) {
                return known; // a cause cycle: already being looked at above
            }
            String message = t.getMessage() == null ? null : filter.mask(t.getMessage());
            Throwable cause = t.getCause() == null ? null : masked(t.getCause(), filter, seen);
            Throwable[] suppressed = t.getSuppressed();
            boolean same = java.util.Objects.equals(message, t.getMessage()) && cause == t.getCause();
            Throwable[] maskedSuppressed = new Throwable[suppressed.length];
            for (int i = 0; i < suppressed.length; i++) {
                maskedSuppressed[i] = masked(suppressed[i], filter, seen);
                same &= maskedSuppressed[i] == suppressed[i];
            }
            if (same) {
                return t;
            }
            AbortException replacement = new AbortException(t.getClass().getName() + (message == null ? "" : ": " + message));
            replacement.setStackTrace(t.getStackTrace());
            if (cause != null) {
                replacement.initCause(cause);
            }
            for (Throwable s : maskedSuppressed) {
                replacement.addSuppressed(s);
            }
            seen.put(t, replacement);
            return replacement;
        }

        private static FilePath workspaceOrNull(StepContext context) throws InterruptedException {
            try {
                return context.get(FilePath.class);
            } catch (IOException agentGone) {
                return null;
            }
        }
    }

    /** A running block's identity directory and log, read from its step context when needed (after a restart). */
    static final class FromContext implements AwsWebIdentities.Block {
        private final StepContext context;
        private final String bundleDir;

        FromContext(StepContext context, String bundleDir) {
            this.context = context;
            this.bundleDir = bundleDir;
        }

        @Override
        public FilePath identityDir() throws IOException, InterruptedException {
            FilePath workspace = context.get(FilePath.class);
            if (workspace == null || workspace.getChannel() == null) {
                throw new IOException("the agent of this block is not connected");
            }
            return new FilePath(workspace.getChannel(), bundleDir);
        }

        @Override
        public TaskListener listener() throws IOException, InterruptedException {
            return context.get(TaskListener.class);
        }
    }

    /** Adds the block's variables: paths and identifiers only, none of them secret. */
    static final class Expander extends EnvironmentExpander {
        private static final long serialVersionUID = 1L;
        private final Map<String, String> variables;

        Expander(Map<String, String> variables) {
            this.variables = new TreeMap<>(variables);
        }

        @Override
        public void expand(EnvVars env) {
            env.putAll(variables);
        }
    }

    /**
     * The step's name, context and form ({@link AccessRequestForm}: the freestyle wrapper's form, and the fields of a
     * request the block asks for itself).
     */
    @Extension
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "withTeleportAccessRequest";
        }

        @Override
        public String getDisplayName() {
            return "Use request-scoped Teleport credentials";
        }

        @Override
        public boolean takesImplicitBlockArgument() {
            return true;
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            // FilePath is checked with a clear message instead, so that a missing node { } says how to fix it.
            return Set.of(Run.class, TaskListener.class);
        }

        /**
         * The step from its form (the Snippet Generator's, through workflow-cps' {@code Snippetizer}): the roles arrive
         * as the text of one box, and are handed to Stapler as the list of names it binds to {@link #setRoles}, so the
         * binding never depends on how Stapler would turn one text into a list.
         */
        @Override
        public Step newInstance(StaplerRequest2 req, JSONObject formData) throws FormException {
            if (formData.get("roles") instanceof String text) {
                JSONArray names = new JSONArray();
                names.addAll(AccessRequestForm.roles(List.of(text)));
                JSONObject form = new JSONObject();
                form.putAll(formData);
                form.put("roles", names);
                return super.newInstance(req, form);
            }
            return super.newInstance(req, formData);
        }

        public FormValidation doCheckRequestId(@QueryParameter String value, @QueryParameter String roles) {
            return AccessRequestForm.checkRequestIdOrRoles(value, roles);
        }

        public FormValidation doCheckRoles(@QueryParameter String value, @QueryParameter String requestId) {
            return AccessRequestForm.checkRoles(value, requestId);
        }

        public FormValidation doCheckWaitForApproval(@QueryParameter String value) {
            return AccessRequestForm.checkWaitForApproval(value);
        }

        public FormValidation doCheckTtl(@QueryParameter String value) {
            return AccessRequestForm.checkTtl(value);
        }

        public FormValidation doCheckAwsIntegration(@QueryParameter String value) {
            return AccessRequestForm.checkAwsIntegration(value);
        }

        public ListBoxModel doFillServerItems() {
            return AccessRequestForm.serverItems();
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return AccessRequestForm.credentialsIdItems(item, credentialsId);
        }
    }
}
