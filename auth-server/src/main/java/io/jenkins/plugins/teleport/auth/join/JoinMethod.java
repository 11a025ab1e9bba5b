package io.jenkins.plugins.teleport.auth.join;

import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.time.Instant;
import java.util.Optional;

/** One way for a bot to prove who it is when it joins. Each method is its own class; adding one touches no other. */
public interface JoinMethod {

    /** The {@code join_method} this class handles. */
    Token.JoinMethod method();

    /**
     * Checks the join's proof, outside the join's transaction (it may read the store and fetch keys over the
     * network), and says which bot it proves. Throws {@link JoinFailure} with the reason for the audit log.
     */
    Proof verify(Store store, JoinRequest request, Instant now);

    /**
     * What a verified join proves: the bot, the Jenkins build it joined for (jenkins joins), and what must be consumed
     * inside the join's transaction (a single-use token, an ID token's jti); {@code consume} throws
     * {@link JoinFailure} when another join got there first.
     */
    record Proof(String bot, Optional<ClientIdentity.Jenkins> jenkins, Consumption consume) {}

    /** The single-use part of a join, done in the join's transaction. */
    @FunctionalInterface
    interface Consumption {
        void apply(Tx tx, Instant now);
    }

    /**
     * A refused join; the reason goes to the audit log and never contains a secret. It is told to the caller only
     * when {@code toldToCaller}: a secret token's refusals all look alike (so they reveal nothing about which tokens
     * exist), while an ID token's (expired, wrong audience) help the operator and reveal nothing.
     */
    final class JoinFailure extends RuntimeException {
        private final boolean toldToCaller;

        public JoinFailure(String reason) {
            this(reason, false);
        }

        public JoinFailure(String reason, boolean toldToCaller) {
            super(reason);
            this.toldToCaller = toldToCaller;
        }

        public boolean toldToCaller() {
            return toldToCaller;
        }
    }
}
