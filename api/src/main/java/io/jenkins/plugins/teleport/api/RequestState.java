package io.jenkins.plugins.teleport.api;

/**
 * The state of an access request. PENDING, APPROVED and DENIED are stored; EXPIRED is how a request whose
 * pending or access window has passed is shown (it is never written).
 */
public enum RequestState {
    PENDING, APPROVED, DENIED, EXPIRED;

    public boolean isTerminal() {
        return this == DENIED || this == EXPIRED;
    }
}
