package com.cloudbees.plugins.credentials.common;

/** Credentials with an ID and a description. */
public interface StandardCredentials extends IdCredentials {
    String getDescription();
}
