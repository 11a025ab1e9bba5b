package com.cloudbees.plugins.credentials;

import com.cloudbees.plugins.credentials.domains.Domain;
import hudson.model.ModelObject;
import hudson.security.ACL;
import hudson.security.AccessControlled;
import java.util.Collections;
import java.util.List;

/** A place credentials are kept: Jenkins' global store, or a folder's. */
public abstract class CredentialsStore implements AccessControlled {

    protected CredentialsStore() {
    }

    /** What the store belongs to: Jenkins, or a folder. */
    public abstract ModelObject getContext();

    public abstract List<Credentials> getCredentials(Domain domain);

    public List<Domain> getDomains() {
        return Collections.singletonList(Domain.global());
    }

    @Override
    public ACL getACL() {
        return ACL.CURRENT_AUTHORITIES;
    }
}
