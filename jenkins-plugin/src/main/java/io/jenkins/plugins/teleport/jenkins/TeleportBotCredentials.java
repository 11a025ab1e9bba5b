package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.impl.BaseStandardCredentials;
import hudson.Extension;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import java.util.Locale;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * A Teleport bot: its name and how it joins the auth server. With join method {@code token}, a join token (a secret);
 * with {@code jenkins}, no secret at all: the name of the token resource that trusts this controller, and each join
 * proves itself with an ID token Jenkins signs for the build ({@link TeleportOidcIssuer}).
 */
public class TeleportBotCredentials extends BaseStandardCredentials {
    private static final long serialVersionUID = 1L;

    /** How a bot joins. */
    public enum JoinMethod {
        TOKEN, JENKINS;

        /** The name in forms, Configuration as Code and the auth server's API. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static JoinMethod parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            for (JoinMethod m : values()) {
                if (m.wire().equals(v)) {
                    return m;
                }
            }
            if (v.isEmpty()) {
                return TOKEN;
            }
            throw new IllegalArgumentException("joinMethod must be 'token' or 'jenkins', not '" + s + "'");
        }
    }

    private final String botName;
    private final Secret token;
    /** Null in credentials saved before there was a choice: those join with their token. */
    private String joinMethod;
    private String tokenName;

    @DataBoundConstructor
    public TeleportBotCredentials(CredentialsScope scope, String id, String description, String botName, Secret token) {
        super(scope, id, description);
        this.botName = botName == null ? "" : botName.trim();
        this.token = token == null ? Secret.fromString("") : token;
    }

    public String getBotName() {
        return botName;
    }

    /** The join token; empty with join method {@code jenkins}. */
    public Secret getToken() {
        return token;
    }

    public String getJoinMethod() {
        return joinMethod().wire();
    }

    /** {@code token} (the default) or {@code jenkins}. */
    @DataBoundSetter
    public void setJoinMethod(String joinMethod) {
        this.joinMethod = JoinMethod.parse(joinMethod).wire();
    }

    public JoinMethod joinMethod() {
        return JoinMethod.parse(joinMethod);
    }

    /** With join method {@code jenkins}: the name of the auth server's token resource ({@code spec.join_method: jenkins}). */
    public String getTokenName() {
        return tokenName == null ? "" : tokenName;
    }

    @DataBoundSetter
    public void setTokenName(String tokenName) {
        this.tokenName = tokenName == null ? "" : tokenName.trim();
    }

    /** The credentials type in the credentials UI and Configuration as Code ({@code teleportBot}). */
    @Extension
    @Symbol("teleportBot")
    public static final class DescriptorImpl extends BaseStandardCredentialsDescriptor {
        @Override
        public String getDisplayName() {
            return "Teleport bot";
        }

        public ListBoxModel doFillJoinMethodItems() {
            ListBoxModel items = new ListBoxModel();
            items.add("Join token (a secret kept in Jenkins)", JoinMethod.TOKEN.wire());
            items.add("Jenkins ID token (no secret: the auth server trusts this controller)", JoinMethod.JENKINS.wire());
            return items;
        }

        public FormValidation doCheckTokenName(@QueryParameter String value, @QueryParameter String joinMethod) {
            if (isJenkins(joinMethod) && (value == null || value.isBlank())) {
                return FormValidation.error("Name the auth server's token resource that trusts this controller "
                        + "(tctl create -f jenkins-token.yaml; its metadata.name)");
            }
            return FormValidation.ok();
        }

        public FormValidation doCheckToken(@QueryParameter String value, @QueryParameter String joinMethod) {
            boolean empty = value == null || Secret.fromString(value).getPlainText().isEmpty();
            if (!isJenkins(joinMethod) && empty) {
                return FormValidation.error("The join token is required with join method 'token' (tctl tokens add --bot NAME --reusable)");
            }
            if (isJenkins(joinMethod) && !empty) {
                return FormValidation.warning("Join method 'jenkins' needs no secret: this token is not used, remove it");
            }
            return FormValidation.ok();
        }

        private static boolean isJenkins(String joinMethod) {
            try {
                return JoinMethod.parse(joinMethod) == JoinMethod.JENKINS;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }
}
