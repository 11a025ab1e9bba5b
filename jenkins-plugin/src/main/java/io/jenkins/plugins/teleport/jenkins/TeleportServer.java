package io.jenkins.plugins.teleport.jenkins;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Messages.Ping;
import io.jenkins.plugins.teleport.client.AuthClient;
import io.jenkins.plugins.teleport.client.TeleportException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/** One auth server Jenkins talks to: its address, the pin of its CA, and defaults for the steps that use it. */
public class TeleportServer extends AbstractDescribableImpl<TeleportServer> {

    private final String name;
    private final String url;
    private final String caPin;
    private String credentialsId = "";
    private String defaultTtl = "";
    private String maxTtl = "";

    @DataBoundConstructor
    public TeleportServer(String name, String url, String caPin) {
        this.name = name == null ? "" : name.trim();
        this.url = url == null ? "" : url.trim();
        this.caPin = caPin == null ? "" : caPin.trim();
    }

    public String getName() {
        return name;
    }

    public String getUrl() {
        return url;
    }

    public String getCaPin() {
        return caPin;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    /** The bot credentials steps use when they name none. */
    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = credentialsId == null ? "" : credentialsId.trim();
    }

    public String getDefaultTtl() {
        return defaultTtl;
    }

    /** Certificate lifetime when a step names none (e.g. {@code 30m}); empty = the auth server's default. */
    @DataBoundSetter
    public void setDefaultTtl(String defaultTtl) {
        this.defaultTtl = defaultTtl == null ? "" : defaultTtl.trim();
    }

    public String getMaxTtl() {
        return maxTtl;
    }

    /** The longest lifetime a step may ask for (e.g. {@code 2h}); empty = no limit here (the server still caps it). */
    @DataBoundSetter
    public void setMaxTtl(String maxTtl) {
        this.maxTtl = maxTtl == null ? "" : maxTtl.trim();
    }

    /**
     * The lifetime to ask for: the step's, else this server's default, at most {@link #getMaxTtl()}; with neither, the
     * longest lifetime itself (the auth server's own default, 1 h, could exceed it).
     */
    Optional<Duration> ttlFor(String stepTtl) {
        Optional<Duration> asked = Optional.ofNullable(stepTtl).filter(s -> !s.isBlank()).or(() -> Optional.of(defaultTtl)
                .filter(s -> !s.isBlank())).map(GoDuration::parse);
        Optional<Duration> max = Optional.of(maxTtl).filter(s -> !s.isBlank()).map(GoDuration::parse);
        if (max.isPresent() && (asked.isEmpty() || asked.get().compareTo(max.get()) > 0)) {
            return max;
        }
        return asked;
    }

    /** The form of a server entry, with its checks. */
    @Extension
    public static final class DescriptorImpl extends Descriptor<TeleportServer> {

        @Override
        public String getDisplayName() {
            return "Teleport auth server";
        }

        @POST
        public FormValidation doCheckUrl(@QueryParameter String value) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            try {
                URI uri = URI.create(value.trim());
                return "https".equals(uri.getScheme()) && uri.getHost() != null ? FormValidation.ok()
                        : FormValidation.error("Use the https:// address of the auth server, e.g. https://auth.example.com:3025");
            } catch (IllegalArgumentException e) {
                return FormValidation.error("Not an address: " + e.getMessage());
            }
        }

        @POST
        public FormValidation doCheckCaPin(@QueryParameter String value) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return value.trim().matches("sha256:[0-9a-f]{64}") ? FormValidation.ok()
                    : FormValidation.error("The CA pin looks like sha256: and 64 hex digits; the auth server prints it at start");
        }

        @POST
        public FormValidation doCheckDefaultTtl(@QueryParameter String value) {
            return checkDuration(value);
        }

        @POST
        public FormValidation doCheckMaxTtl(@QueryParameter String value) {
            return checkDuration(value);
        }

        private static FormValidation checkDuration(String value) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return AccessRequestForm.checkTtl(value);
        }

        /** Contacts the server: only administrators, and only by POST (so a link cannot make Jenkins call out). */
        @POST
        public FormValidation doTestConnection(@QueryParameter String url, @QueryParameter String caPin) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            try {
                Ping ping = AuthClient.create(URI.create(url.trim()), caPin.trim()).ping();
                return FormValidation.ok("Connected to cluster " + ping.clusterName() + " (auth server " + ping.serverVersion()
                        + "); its CA matches the pin");
            } catch (TeleportException | IllegalArgumentException e) {
                return FormValidation.error(e.getMessage());
            }
        }

        /** Bot credentials to choose from, following the credentials plugin's permission pattern. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsLists.bots(item, credentialsId);
        }
    }
}
