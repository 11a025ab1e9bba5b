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
import hudson.util.FormValidation;
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
    private String awsIntegration = "";

    /** {@code requestId} may name a build parameter, e.g. {@code ${REQUEST_ID}}. */
    @DataBoundConstructor
    public TeleportAccessRequestBuildWrapper(String requestId) {
        this.requestId = AccessRequestForm.clean(requestId);
    }

    public String getRequestId() {
        return requestId;
    }

    public String getTtl() {
        return ttl;
    }

    @DataBoundSetter
    public void setTtl(String ttl) {
        this.ttl = AccessRequestForm.clean(ttl);
    }

    public String getServer() {
        return server;
    }

    @DataBoundSetter
    public void setServer(String server) {
        this.server = AccessRequestForm.clean(server);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = AccessRequestForm.clean(credentialsId);
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
    public void setUp(Context context, Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener,
                      EnvVars initialEnvironment) throws IOException, InterruptedException {
        BlockParameters parameters = new BlockParameters(initialEnvironment.expand(requestId), server, credentialsId,
                initialEnvironment.expand(ttl), initialEnvironment.expand(awsIntegration));
        ScopeHandle[] reached = new ScopeHandle[1];
        OpenScope.Opened opened;
        try {
            opened = OpenScope.open(parameters, build, workspace, listener, Clock.systemUTC(), new OpenScope.Observer() {
                @Override
                public void reached(ScopeHandle partial) {
                    reached[0] = partial;
                }

                @Override
                public boolean stopped() {
                    return false;
                }
            });
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (reached[0] != null) {
                try {
                    CloseScope.close(reached[0], build, workspace, listener, Clock.systemUTC());
                } catch (IOException | RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        PrivateKeyMaskingFilter.keysMade(build, opened.filter());
        opened.handle().environment().forEach(context::env);
        context.setDisposer(new Release(opened.handle()));
    }

    @Override
    public ConsoleLogFilter createLoggerDecorator(Run<?, ?> build) {
        // Made before setUp, so before the keys exist: by shape, and by value once setUp has made the keys.
        return PrivateKeyMaskingFilter.later(build, build.getCharset());
    }

    /** Deletes the files and releases the request when the build ends. */
    static final class Release extends Disposer {
        private static final long serialVersionUID = 1L;
        private final ScopeHandle handle;

        Release(ScopeHandle handle) {
            this.handle = handle;
        }

        @Override
        public void tearDown(Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener)
                throws IOException, InterruptedException {
            try {
                CloseScope.close(handle, build, workspace, listener, Clock.systemUTC());
            } finally {
                PrivateKeyMaskingFilter.keysGone(build);
            }
        }
    }

    /** The wrapper in the freestyle job form: the step's form methods and help ({@link AccessRequestForm}). */
    @Extension
    public static final class DescriptorImpl extends BuildWrapperDescriptor {

        public DescriptorImpl() {
            for (String field : AccessRequestForm.FIELDS) {
                addHelpFileRedirect(field, TeleportAccessRequestStep.class, field);
            }
        }

        @Override
        public boolean isApplicable(AbstractProject<?, ?> item) {
            return true;
        }

        @Override
        public String getDisplayName() {
            return "Use request-scoped Teleport credentials";
        }

        public FormValidation doCheckRequestId(@QueryParameter String value) {
            return AccessRequestForm.checkRequestId(value);
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
