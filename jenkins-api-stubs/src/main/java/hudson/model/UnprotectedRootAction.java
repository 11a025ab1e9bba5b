package hudson.model;

import hudson.ExtensionPoint;

/** A {@link RootAction} that requests without Overall/Read may reach (anonymous ones included). */
public interface UnprotectedRootAction extends RootAction, ExtensionPoint {
}
