package com.cloudbees.plugins.credentials;

import hudson.model.Descriptor;

/** Descriptor of a credentials type. */
public abstract class CredentialsDescriptor extends Descriptor<Credentials> {
    protected CredentialsDescriptor() {
        super();
    }
}
