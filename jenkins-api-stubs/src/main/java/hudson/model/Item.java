package hudson.model;

import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.security.PermissionGroup;

/** A job, folder or other item. */
public interface Item extends AccessControlled, ModelObject {
    PermissionGroup PERMISSIONS = new PermissionGroup("hudson.model.Item");
    Permission CONFIGURE = new Permission(PERMISSIONS, "Configure", null);
    Permission BUILD = new Permission(PERMISSIONS, "Build", null);
    Permission EXTENDED_READ = new Permission(PERMISSIONS, "ExtendedRead", CONFIGURE);

    String getFullName();

    String getDisplayName();

    String getUrl();
}
