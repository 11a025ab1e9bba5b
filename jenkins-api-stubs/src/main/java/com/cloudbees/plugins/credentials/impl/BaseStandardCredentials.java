package com.cloudbees.plugins.credentials.impl;

import com.cloudbees.plugins.credentials.BaseCredentials;
import com.cloudbees.plugins.credentials.CredentialsDescriptor;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import java.util.UUID;

/** Base of standard credentials: scope, ID (a UUID when empty) and description. */
public abstract class BaseStandardCredentials extends BaseCredentials implements StandardCredentials {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String description;

    public BaseStandardCredentials(String id, String description) {
        this(CredentialsScope.GLOBAL, id, description);
    }

    public BaseStandardCredentials(CredentialsScope scope, String id, String description) {
        super(scope);
        this.id = id == null || id.isEmpty() ? UUID.randomUUID().toString() : id;
        this.description = description == null ? "" : description;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getDescription() {
        return description;
    }

    /** Descriptor base of standard credentials. */
    public abstract static class BaseStandardCredentialsDescriptor extends CredentialsDescriptor {
        protected BaseStandardCredentialsDescriptor() {
            super();
        }
    }
}
