package io.jenkins.plugins.teleport.api;

/**
 * The state of an access request. PENDING, APPROVED, DENIED and CONSUMED (a one-shot request that was
 * released) are stored; EXPIRED is how a request whose pending or access window has passed is shown (it is
 * never written).
 */
public enum RequestState {
    PENDING, APPROVED, DENIED, CONSUMED, EXPIRED
}
