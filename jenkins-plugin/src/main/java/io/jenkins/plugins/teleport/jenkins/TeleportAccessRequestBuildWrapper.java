package io.jenkins.plugins.teleport.jenkins;

import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.console.ConsoleLogFilter;
import hudson.model.AbstractProject;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.BuildWrapperDescriptor;
import hudson.util.ListBoxModel;
import java.io.IOException;
import java.time.Clock;
import jenkins.tasks.SimpleBuildWrapper;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/** The same request scope for freestyle jobs: set up before the build steps, released and deleted after them. */
public class TeleportAccessRequestBuildWrapper extends SimpleBuildWrapper {

    private final String requestId;
    private String ttl = "";
    private String server = "";
    private String credentialsId = "";

    /** {@code requestId} may name a build parameter, e.g. {@code ${REQUEST_ID}}. */
    @DataBoundConstructor
    public TeleportAccessRequestBuildWrapper(String requestId) {
        this.requestId = requestId == null ? "" : requestId.trim();
    }

    public String getRequestId() {
        return requestId;
    }

    public String getTtl() {
        return ttl;
    }

    @DataBoundSetter
    public void setTtl(String ttl) {
        this.ttl = ttl == null ? "" : ttl.trim();
    }

    public String getServer() {
        return server;
    }

    @DataBoundSetter
    public void setServer(String server) {
        this.server = server == null ? "" : server.trim();
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = credentialsId == null ? "" : credentialsId.trim();
    }

    @Override
    public void setUp(Context context, Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener,
                      EnvVars initialEnvironment) throws IOException, InterruptedException {
        AccessRequestScope.Handle handle = AccessRequestScope.open(new AccessRequestScope.Parameters(
                initialEnvironment.expand(requestId), server, credentialsId, initialEnvironment.expand(ttl)), build, workspace,
                listener, Clock.systemUTC());
        handle.environment().forEach(context::env);
        context.setDisposer(new Release(handle));
    }

    @Override
    public ConsoleLogFilter createLoggerDecorator(Run<?, ?> build) {
        return new PrivateKeyMaskingFilter();
    }

    /** Deletes the files and releases the request when the build ends. */
    static final class Release extends Disposer {
        private static final long serialVersionUID = 1L;
        private final AccessRequestScope.Handle handle;

        Release(AccessRequestScope.Handle handle) {
            this.handle = handle;
        }

        @Override
        public void tearDown(Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener)
                throws IOException, InterruptedException {
            AccessRequestScope.close(handle, build, workspace, listener, Clock.systemUTC());
        }
    }

    /** The wrapper in the freestyle job form. */
    @Extension
    public static final class DescriptorImpl extends BuildWrapperDescriptor {

        @Override
        public boolean isApplicable(AbstractProject<?, ?> item) {
            return true;
        }

        @Override
        public String getDisplayName() {
            return "Use request-scoped Teleport credentials";
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsLists.bots(item, credentialsId);
        }
    }
}
