package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.Credentials;

/** Credentials with an ID. */
public interface IdCredentials extends Credentials {
    String getId();
}
