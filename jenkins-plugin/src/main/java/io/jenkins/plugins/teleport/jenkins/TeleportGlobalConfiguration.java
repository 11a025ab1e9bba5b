package io.jenkins.plugins.teleport.jenkins;

import hudson.AbortException;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jenkins.model.GlobalConfiguration;
import jenkins.model.GlobalConfigurationCategory;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/** The auth servers Jenkins knows, under Manage Jenkins, Security ({@code teleportAccessRequest} in Configuration as Code). */
@Extension
@Symbol("teleportAccessRequest")
public class TeleportGlobalConfiguration extends GlobalConfiguration {

    private List<TeleportServer> servers = new ArrayList<>();
    /** The key builds' ID tokens are signed with (join method jenkins); made on first use, never by a form or JCasC. */
    private IdTokenKeys idTokenKeys;

    public TeleportGlobalConfiguration() {
        load();
    }

    public static TeleportGlobalConfiguration get() {
        return ExtensionList.lookupSingleton(TeleportGlobalConfiguration.class);
    }

    @Override
    public GlobalConfigurationCategory getCategory() {
        return GlobalConfigurationCategory.get(GlobalConfigurationCategory.Security.class);
    }

    @Override
    public String getDisplayName() {
        return "Teleport access requests";
    }

    public List<TeleportServer> getServers() {
        return servers;
    }

    @DataBoundSetter
    public void setServers(List<TeleportServer> servers) {
        this.servers = servers == null ? new ArrayList<>() : new ArrayList<>(servers);
        save();
    }

    /**
     * Saves the submitted page. Jenkins binds only the keys the form submits, and a list emptied on the page is not
     * submitted at all: clear first, so that removing the last server removes it.
     */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        servers = new ArrayList<>();
        req.bindJSON(this, json);
        save();
        return true;
    }

    /** The ID token signing keys, made (and saved) the first time they are needed. */
    synchronized IdTokenKeys idTokenKeys() {
        if (idTokenKeys == null) {
            idTokenKeys = IdTokenKeys.create();
            save();
        }
        return idTokenKeys;
    }

    /** The issuer of builds' ID tokens, or what to set for there to be one (shown on the configuration page). */
    public String getIdTokenIssuer() {
        try {
            return TeleportOidcIssuer.issuer();
        } catch (io.jenkins.plugins.teleport.client.TeleportException e) {
            return "(set the Jenkins URL under Manage Jenkins, System)";
        }
    }

    /** The ID of the key that signs builds' ID tokens now (shown on the configuration page). */
    public String getIdTokenKeyId() {
        return idTokenKeys().signer().keyId();
    }

    /**
     * Replaces the ID token signing key (for example after the controller's secrets may have leaked); the previous one
     * stays in the JWKS for {@link IdTokenKeys#PREVIOUS_KEY_KEPT}. Also from the script console:
     * {@code io.jenkins.plugins.teleport.jenkins.TeleportGlobalConfiguration.get().rotateIdTokenKey()}.
     */
    public synchronized String rotateIdTokenKey() {
        idTokenKeys = idTokenKeys().rotated(java.time.Instant.now());
        save();
        return idTokenKeys.signer().keyId();
    }

    /** The button on the configuration page: rotates the ID token signing key (administrators only, POST). */
    @POST
    public FormValidation doRotateIdTokenKey() {
        jenkins.model.Jenkins.get().checkPermission(jenkins.model.Jenkins.ADMINISTER);
        String old = getIdTokenKeyId();
        String now = rotateIdTokenKey();
        return FormValidation.ok("Builds' ID tokens are now signed with key " + now + "; key " + old + " stays published for "
                + IdTokenKeys.PREVIOUS_KEY_KEPT.toMinutes() + " minutes");
    }

    /** The server a step names, or the only one when it names none; an error that names the fix otherwise. */
    TeleportServer server(Optional<String> name) throws AbortException {
        List<String> names = servers.stream().map(TeleportServer::getName).toList();
        if (servers.isEmpty()) {
            throw new AbortException("No Teleport auth server is configured: add one under Manage Jenkins, Security, "
                    + "Teleport access requests");
        }
        if (name.isEmpty()) {
            if (servers.size() > 1) {
                throw new AbortException("Several Teleport auth servers are configured (" + String.join(", ", names)
                        + "): choose one with server: 'NAME'");
            }
            return servers.get(0);
        }
        return servers.stream().filter(s -> s.getName().equals(name.get())).findFirst().orElseThrow(() ->
                new AbortException("No Teleport auth server named '" + name.get() + "' is configured; configured: "
                        + String.join(", ", names)));
    }
}
