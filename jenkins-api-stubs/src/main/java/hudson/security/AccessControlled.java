package hudson.security;

import jenkins.model.Jenkins;
import org.springframework.security.access.AccessDeniedException;

/** Something with an {@link ACL}. */
public interface AccessControlled {
    ACL getACL();

    default void checkPermission(Permission permission) throws AccessDeniedException {
        if (!hasPermission(permission)) {
            throw new AccessDeniedException(Jenkins.getAuthentication2().getName() + " is missing the " + permission.getId() + " permission");
        }
    }

    default boolean hasPermission(Permission permission) {
        return getACL().hasPermission2(Jenkins.getAuthentication2(), permission);
    }
}
