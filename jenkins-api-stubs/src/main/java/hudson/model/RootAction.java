package hudson.model;

import hudson.ExtensionPoint;

/** An action added to Jenkins itself (its URL is {@code <root>/<urlName>}); an {@code @Extension} registers it. */
public interface RootAction extends Action, ExtensionPoint {

    default boolean isPrimaryAction() {
        return false;
    }
}
