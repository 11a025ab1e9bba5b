package io.jenkins.plugins.teleport.auth.join;

import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.store.Tx;
import java.time.Instant;

/** One way for a bot to prove who it is when it joins. Each method is its own class; adding one touches no other. */
public interface JoinMethod {

    /** The {@code join_method} this class handles. */
    Token.JoinMethod method();

    /**
     * Checks the join's proof inside the join's transaction and returns the name of the bot it proves, consuming
     * what must be single-use. Throws {@link JoinFailure} with the reason for the audit log.
     */
    String authenticate(Tx tx, JoinRequest request, Instant now);

    /** A refused join; the reason goes to the audit log, never to the caller, and never contains a secret. */
    final class JoinFailure extends RuntimeException {
        public JoinFailure(String reason) {
            super(reason);
        }
    }
}
