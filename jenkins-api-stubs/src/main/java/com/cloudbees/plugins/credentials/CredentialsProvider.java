package com.cloudbees.plugins.credentials;

import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.domains.DomainRequirement;
import hudson.ExtensionPoint;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.model.Run;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.security.core.Authentication;

/**
 * Finds credentials. The stand-in serves those put in its {@link #STORE} (a test's credentials store) and records
 * what was tracked in {@link #TRACKED}; neither field exists in the real plugin and the plugin code never uses them.
 */
public abstract class CredentialsProvider extends Descriptor<CredentialsProvider> implements Describable<CredentialsProvider>, ExtensionPoint {

    public static final PermissionGroup GROUP = new PermissionGroup("com.cloudbees.plugins.credentials.CredentialsProvider");
    public static final Permission USE_ITEM = new Permission(GROUP, "UseItem", Item.CONFIGURE);

    /** Test-only: the credentials the stand-in knows. */
    public static final List<Credentials> STORE = new CopyOnWriteArrayList<>();
    /** Test-only: what {@link #track} was called with, as "run-id credentials-id". */
    public static final List<String> TRACKED = new CopyOnWriteArrayList<>();

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run) {
        return findCredentialById(id, type, run, new ArrayList<DomainRequirement>());
    }

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run,
                                                                  List<DomainRequirement> domainRequirements) {
        return STORE.stream().filter(type::isInstance).map(type::cast).filter(c -> c.getId().equals(id)).findFirst().orElse(null);
    }

    @SuppressWarnings("rawtypes")
    public static <C extends Credentials> C track(Run build, C credentials) {
        if (credentials instanceof IdCredentials c) {
            TRACKED.add(build.getExternalizableId() + " " + c.getId());
        }
        return credentials;
    }

    public static <C extends Credentials> List<C> lookupCredentialsInItem(Class<C> type, Item item, Authentication authentication) {
        return STORE.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
