package org.jenkinsci.remoting;

import java.util.Collection;

/** Checks the roles a {@link RoleSensitive} declares. */
public abstract class RoleChecker {
    public abstract void check(RoleSensitive subject, Collection<Role> expected) throws SecurityException;
}
