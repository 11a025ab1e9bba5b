package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.impl.BaseStandardCredentials;
import hudson.Extension;
import hudson.util.Secret;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;

/** A Teleport bot: its name and the join token it joins the auth server with (a secret). */
public class TeleportBotCredentials extends BaseStandardCredentials {
    private static final long serialVersionUID = 1L;

    private final String botName;
    private final Secret token;

    @DataBoundConstructor
    public TeleportBotCredentials(CredentialsScope scope, String id, String description, String botName, Secret token) {
        super(scope, id, description);
        this.botName = botName == null ? "" : botName.trim();
        this.token = token;
    }

    public String getBotName() {
        return botName;
    }

    public Secret getToken() {
        return token;
    }

    /** The credentials type in the credentials UI and Configuration as Code ({@code teleportBot}). */
    @Extension
    @Symbol("teleportBot")
    public static final class DescriptorImpl extends BaseStandardCredentialsDescriptor {
        @Override
        public String getDisplayName() {
            return "Teleport bot";
        }
    }
}
