package com.cloudbees.plugins.credentials;

/** Where credentials may be used. */
public enum CredentialsScope {
    SYSTEM, GLOBAL, USER;

    public String getDisplayName() {
        return name();
    }
}
