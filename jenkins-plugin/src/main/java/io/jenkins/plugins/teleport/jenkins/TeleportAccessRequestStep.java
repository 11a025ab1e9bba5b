package io.jenkins.plugins.teleport.jenkins;

import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.console.ConsoleLogFilter;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.ListBoxModel;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.EnvironmentExpander;
import org.jenkinsci.plugins.workflow.steps.GeneralNonBlockingStepExecution;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
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

    @DataBoundConstructor
    public TeleportAccessRequestStep(String requestId) {
        this.requestId = requestId == null ? "" : requestId.trim();
    }

    public String getRequestId() {
        return requestId;
    }

    public String getTtl() {
        return ttl;
    }

    /** Certificate lifetime, e.g. {@code 30m}; default: the server's default. */
    @DataBoundSetter
    public void setTtl(String ttl) {
        this.ttl = ttl == null ? "" : ttl.trim();
    }

    public String getServer() {
        return server;
    }

    /** Which configured auth server; default: the only one. */
    @DataBoundSetter
    public void setServer(String server) {
        this.server = server == null ? "" : server.trim();
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    /** Which Teleport bot credentials; default: the server's. */
    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = credentialsId == null ? "" : credentialsId.trim();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(new AccessRequestScope.Parameters(requestId, server, credentialsId, ttl), context);
    }

    /**
     * The running block. Its work runs in the background (never on the Pipeline's thread); it keeps identifiers only,
     * so it survives a controller restart and still cleans up.
     */
    static final class Execution extends GeneralNonBlockingStepExecution {
        private static final long serialVersionUID = 1L;

        private final AccessRequestScope.Parameters parameters;

        Execution(AccessRequestScope.Parameters parameters, StepContext context) {
            super(context);
            this.parameters = parameters;
        }

        @Override
        public boolean start() {
            run(this::open);
            return false;
        }

        private void open() throws Exception {
            StepContext context = getContext();
            AccessRequestScope.Handle handle = AccessRequestScope.open(parameters, context.get(Run.class),
                    context.get(FilePath.class), context.get(TaskListener.class), Clock.systemUTC());
            context.newBodyInvoker()
                    .withContexts(EnvironmentExpander.merge(context.get(EnvironmentExpander.class), new Expander(handle.environment())),
                            BodyInvoker.mergeConsoleLogFilters(context.get(ConsoleLogFilter.class), new PrivateKeyMaskingFilter()))
                    .withCallback(new Cleanup(handle))
                    .start();
        }

        /** Deletes the files and releases the request when the body ends: success, failure or abort. */
        private final class Cleanup extends TailCall {
            private static final long serialVersionUID = 1L;
            private final AccessRequestScope.Handle handle;

            Cleanup(AccessRequestScope.Handle handle) {
                this.handle = handle;
            }

            @Override
            protected void finished(StepContext context) throws Exception {
                AccessRequestScope.close(handle, context.get(Run.class), workspace(context), context.get(TaskListener.class),
                        Clock.systemUTC());
            }
        }

        /** The workspace, or null when the agent cannot be reached any more (then deletion is skipped, not fatal). */
        private static FilePath workspace(StepContext context) throws InterruptedException {
            try {
                return context.get(FilePath.class);
            } catch (IOException agentGone) {
                return null;
            }
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

    /** The step's name, context and form. */
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

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsLists.bots(item, credentialsId);
        }

        public ListBoxModel doFillServerItems() {
            ListBoxModel items = new ListBoxModel();
            items.add("(the only one configured)", "");
            TeleportGlobalConfiguration.get().getServers().forEach(s -> items.add(s.getName(), s.getName()));
            return items;
        }
    }
}
