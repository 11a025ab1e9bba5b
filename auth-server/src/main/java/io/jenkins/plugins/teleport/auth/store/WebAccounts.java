package io.jenkins.plugins.teleport.auth.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The store's tables for people signing in to the web pages, inside one {@link Tx}: credentials (password hash and
 * sealed TOTP secret), one-time invite and reset links, sessions and failed sign-ins. Kept apart from the user
 * resources, so that no answer of the API and no audit event ever carries them. Tokens are stored by their SHA-256
 * only.
 */
public interface WebAccounts {

    /** A person's sign-in secrets: the Argon2id hash of the password, the sealed TOTP secret, the last step used. */
    record Credential(String user, String passwordHash, String totpSecret, long lastTotpStep) {}

    /** A one-time link for {@code user} to set a password and enrol an authenticator ({@code reset}: after a reset). */
    record Invite(String tokenHash, String user, boolean reset, String totpSecret, Instant created, Instant expires) {}

    /** A signed-in browser. */
    record Session(String idHash, String user, Instant created, Instant expires) {}

    Optional<Credential> credential(String user);

    /** Stores the user's credential, replacing any earlier one. */
    void putCredential(Credential credential);

    /**
     * Records that a TOTP code of time step {@code step} was accepted for {@code user}, if no code of that step or a
     * later one was (one statement, so of two sign-ins racing with one code one wins); false otherwise.
     */
    boolean advanceTotpStep(String user, long step);

    /** Stores an invite, removing the user's other invites (a new link replaces the old ones, as in Teleport). */
    void putInvite(Invite invite);

    Optional<Invite> invite(String tokenHash);

    void deleteInvites(String user);

    void createSession(Session session);

    Optional<Session> session(String idHash);

    void deleteSession(String idHash);

    /** Ends every session of {@code user}; returns how many there were. */
    int deleteSessions(String user);

    void recordLoginFailure(String subject, Instant at);

    /** The times of the failed sign-ins of {@code subject} since {@code since}, oldest first. */
    List<Instant> loginFailures(String subject, Instant since);

    void clearLoginFailures(String subject);

    /** Forgets expired sessions and invites, and failed sign-ins before {@code failuresBefore}. */
    void deleteExpired(Instant now, Instant failuresBefore);

    /** Forgets everything about {@code user}'s sign-in: credential, invites and sessions (the user was deleted). */
    void forgetUser(String user);
}
