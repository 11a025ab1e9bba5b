package io.jenkins.plugins.teleport.jenkins;

import hudson.Extension;
import hudson.model.Item;
import hudson.model.Job;
import hudson.model.ParameterDefinition;
import hudson.model.ParameterValue;
import hudson.model.ParametersDefinitionProperty;
import hudson.model.SimpleParameterDefinition;
import hudson.util.ListBoxModel;
import java.util.Optional;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * Build parameter "Teleport access request" ({@code teleportAccessRequest(name: 'REQUEST')} in {@code parameters { }}):
 * "Build with Parameters" offers the bot's APPROVED, unexpired requests, fetched from the auth server as the page
 * renders ({@link ApprovedRequests}); a value given through the CLI or the REST API is checked when the build starts
 * ({@link RequestParameterCheck}). The value is the request ID, for {@code withTeleportAccessRequest(params.REQUEST)}.
 */
public class TeleportAccessRequestParameterDefinition extends SimpleParameterDefinition {
    private static final long serialVersionUID = 1L;

    private String server = "";
    private String credentialsId = "";

    @DataBoundConstructor
    public TeleportAccessRequestParameterDefinition(String name) {
        super(name);
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

    /** Whose requests are listed: the bot of these credentials; default: the server's. */
    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = AccessRequestForm.clean(credentialsId);
    }

    Optional<String> server() {
        return Optional.of(server).filter(s -> !s.isEmpty());
    }

    @Override
    public ParameterValue createValue(StaplerRequest2 req, JSONObject jo) {
        return value(jo.has("value") ? jo.getString("value") : "");
    }

    /**
     * The value from one string: {@code buildWithParameters?NAME=ID} and {@code build JOB -p NAME=ID} (through
     * SimpleParameterDefinition: no value gives the default, two are refused), and a string another job passes
     * ({@code build job: …, parameters: [string(name: 'REQUEST', value: id)]} is converted to this type, so it is checked
     * at the build's start too).
     */
    @Override
    public ParameterValue createValue(String value) {
        return value(value);
    }

    /** A build started without a value (a timer, SCM) has none; it fails at its start, saying how to choose one. */
    @Override
    public ParameterValue getDefaultParameterValue() {
        return value("");
    }

    private TeleportAccessRequestParameterValue value(String requestId) {
        return new TeleportAccessRequestParameterValue(getName(), AccessRequestForm.clean(requestId), getDescription());
    }

    /** The type, its symbol, and the list of approved requests "Build with Parameters" shows. */
    @Extension
    @Symbol("teleportAccessRequest")
    public static final class DescriptorImpl extends ParameterDescriptor {

        @Override
        public String getDisplayName() {
            return "Teleport access request";
        }

        public ListBoxModel doFillServerItems() {
            return AccessRequestForm.serverItems();
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return AccessRequestForm.credentialsIdItems(item, credentialsId);
        }

        /**
         * The choices of parameter {@code name} of {@code job}: its bot's approved, unexpired requests. Only for people
         * who may build the job; a server that cannot be reached gives an empty choice that says so, never an error page.
         */
        @POST
        public ListBoxModel doFillValueItems(@AncestorInPath Job<?, ?> job, @QueryParameter String name) {
            if (job == null || !job.hasPermission(Item.BUILD)) {
                return new ListBoxModel();
            }
            ParametersDefinitionProperty property = job.getProperty(ParametersDefinitionProperty.class);
            ParameterDefinition definition = property == null ? null : property.getParameterDefinition(name);
            if (!(definition instanceof TeleportAccessRequestParameterDefinition teleport)) {
                return new ListBoxModel();
            }
            return ApprovedRequests.choices(teleport, job, java.time.Clock.systemUTC());
        }
    }
}
