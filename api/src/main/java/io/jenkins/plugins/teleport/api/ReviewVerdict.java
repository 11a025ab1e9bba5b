package io.jenkins.plugins.teleport.api;

/** What a reviewer proposes. */
public enum ReviewVerdict {
    APPROVED, DENIED
}
