package com.cloudbees.plugins.credentials;

import hudson.ExtensionPoint;
import hudson.model.Describable;
import java.io.Serializable;

/** Credentials of any kind. */
public interface Credentials extends Describable<Credentials>, Serializable, ExtensionPoint {
    CredentialsScope getScope();

    @Override
    default CredentialsDescriptor getDescriptor() {
        return (CredentialsDescriptor) jenkins.model.Jenkins.get().getDescriptorOrDie(getClass());
    }
}
