package org.jenkinsci.remoting;

/** Something that says which side of a channel may run it. */
public interface RoleSensitive {
    void checkRoles(RoleChecker checker) throws SecurityException;
}
