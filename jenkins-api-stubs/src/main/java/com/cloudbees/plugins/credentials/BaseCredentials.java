package com.cloudbees.plugins.credentials;

/** Base of credentials with a scope. */
public abstract class BaseCredentials implements Credentials {
    private static final long serialVersionUID = 1L;
    private final CredentialsScope scope;

    public BaseCredentials() {
        this(CredentialsScope.GLOBAL);
    }

    public BaseCredentials(CredentialsScope scope) {
        this.scope = scope;
    }

    @Override
    public CredentialsScope getScope() {
        return scope;
    }
}
