package jenkins.agents;

import hudson.FilePath;
import org.jenkinsci.remoting.RoleChecker;

/** A file callable the controller sends to an agent. */
public interface ControllerToAgentFileCallable<T> extends FilePath.FileCallable<T> {
    @Override
    default void checkRoles(RoleChecker checker) throws SecurityException {
        // the real one checks Roles.SLAVE; nothing to check in a single JVM
    }
}
