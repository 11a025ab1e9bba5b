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
 * Finds credentials. The stand-in serves those put in its {@link #STORE} (the global store) and {@link #FOLDER_STORES}
 * (a folder's, by the folder's full name), nearest folder first, then global, and records what was tracked in {@link
 * #TRACKED}; these fields do not exist in the real plugin and the plugin code never uses them.
 */
public abstract class CredentialsProvider extends Descriptor<CredentialsProvider> implements Describable<CredentialsProvider>, ExtensionPoint {

    public static final PermissionGroup GROUP = new PermissionGroup("com.cloudbees.plugins.credentials.CredentialsProvider");
    public static final Permission USE_ITEM = new Permission(GROUP, "UseItem", Item.CONFIGURE);

    /** Test-only: the credentials the stand-in knows. */
    public static final List<Credentials> STORE = new CopyOnWriteArrayList<>();
    /** Test-only: folder stores, by folder full name. */
    public static final java.util.Map<String, List<Credentials>> FOLDER_STORES = new java.util.concurrent.ConcurrentHashMap<>();
    /** Test-only: what {@link #track} was called with, as "run-id credentials-id". */
    public static final List<String> TRACKED = new CopyOnWriteArrayList<>();

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run) {
        return findCredentialById(id, type, run, new ArrayList<DomainRequirement>());
    }

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run,
                                                                  List<DomainRequirement> domainRequirements) {
        for (CredentialsStore store : lookupStores(run.getParent())) {
            for (Credentials c : store.getCredentials(com.cloudbees.plugins.credentials.domains.Domain.global())) {
                if (type.isInstance(c) && type.cast(c).getId().equals(id)) {
                    return type.cast(c);
                }
            }
        }
        return null;
    }

    /** The stores visible from {@code object}: its folders' (nearest first), then the global store. */
    public static Iterable<CredentialsStore> lookupStores(hudson.model.ModelObject object) {
        List<CredentialsStore> stores = new ArrayList<>();
        if (object instanceof Item item) {
            String name = item.getFullName();
            for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
                String folder = name.substring(0, slash);
                if (FOLDER_STORES.containsKey(folder)) {
                    stores.add(new StubStore(() -> folder, FOLDER_STORES.get(folder)));
                }
            }
        }
        stores.add(new StubStore(jenkins.model.Jenkins.get(), STORE));
        return stores;
    }

    /** A stand-in store over a list. */
    private static final class StubStore extends CredentialsStore {
        private final hudson.model.ModelObject context;
        private final List<Credentials> credentials;

        StubStore(hudson.model.ModelObject context, List<Credentials> credentials) {
            this.context = context;
            this.credentials = credentials;
        }

        @Override
        public hudson.model.ModelObject getContext() {
            return context;
        }

        @Override
        public List<Credentials> getCredentials(com.cloudbees.plugins.credentials.domains.Domain domain) {
            return credentials;
        }
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
