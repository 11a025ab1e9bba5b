package io.jenkins.plugins.teleport.api;

/**
 * The state of an access request. PENDING, APPROVED, DENIED, CONSUMED (a one-shot request that was released) and
 * CANCELLED (withdrawn by who asked for it, e.g. when the build that waited for it was aborted; Teleport deletes such
 * a request) are stored; EXPIRED is how a request whose pending or access window has passed is shown (it is never
 * written).
 */
public enum RequestState {
    PENDING, APPROVED, DENIED, CONSUMED, CANCELLED, EXPIRED
}
