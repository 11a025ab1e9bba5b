package jenkins.model;

import hudson.ExtensionList;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.security.ACL;
import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import java.io.File;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The Jenkins singleton: descriptors, permissions and the root URL. */
public class Jenkins implements AccessControlled, hudson.model.ModelObject {

    public static final PermissionGroup PERMISSIONS = new PermissionGroup("hudson.model.Hudson");
    public static final Permission ADMINISTER = new Permission(PERMISSIONS, "Administer", null);

    private static final Jenkins INSTANCE = new Jenkins();

    protected Jenkins() {
    }

    public static Jenkins get() throws IllegalStateException {
        return INSTANCE;
    }

    /** Who is acting: from Spring Security's context; the stand-in treats "nobody set" as SYSTEM (as background work runs). */
    public static Authentication getAuthentication2() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null ? a : ACL.SYSTEM2;
    }

    /** The configured root URL; the stand-in reads the system property {@code jenkins.rootUrl} (null when unset). */
    public String getRootUrl() throws IllegalStateException {
        return System.getProperty("jenkins.rootUrl");
    }

    /** JENKINS_HOME; the stand-in reads the system property {@code jenkins.home} (default: a temp directory). */
    public File getRootDir() {
        return new File(System.getProperty("jenkins.home", System.getProperty("java.io.tmpdir") + "/jenkins-stub-home"));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    public Descriptor getDescriptor(Class<? extends Describable> type) {
        for (Descriptor d : ExtensionList.lookup(Descriptor.class)) {
            if (d.clazz == type) {
                return d;
            }
        }
        return null;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    public Descriptor getDescriptorOrDie(Class<? extends Describable> type) {
        for (Descriptor d : ExtensionList.lookup(Descriptor.class)) {
            if (d.clazz == type) {
                return d;
            }
        }
        throw new AssertionError(type + " has no descriptor: is it annotated @Extension?");
    }

    @Override
    public String getDisplayName() {
        return "Jenkins";
    }

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
