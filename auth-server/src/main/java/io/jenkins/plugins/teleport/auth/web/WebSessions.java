package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.Tx;
import io.jenkins.plugins.teleport.auth.store.WebAccounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Signed-in browsers. A session is a random token in an {@code HttpOnly; Secure; SameSite=Strict} cookie; the store
 * keeps its SHA-256, so that every auth server on the store knows it and a copy of the database opens none. Every
 * request checks the session again: unexpired, its user still existing, and no lock in force on the user; a session
 * that fails is deleted at once, so that it stays ended when the lock is lifted.
 */
public final class WebSessions {

    /** A request's signed-in person: who, the identity the services take, the form token, until when. */
    public record SignedIn(String user, ClientIdentity identity, String csrfToken, Instant expires) {}

    /** What a session cookie is worth now. */
    public sealed interface Check permits Active, Ended, Absent {}

    /** A valid session. */
    public record Active(SignedIn signedIn) implements Check {}

    /** A session that existed and has just ended, and why (shown on the sign-in page). */
    public record Ended(String reason) implements Check {}

    /** No session (no cookie, or one the store does not know). */
    public record Absent() implements Check {}

    private final Store store;
    private final Clock clock;
    private final Duration ttl;

    public WebSessions(Store store, Clock clock, Duration ttl) {
        this.store = store;
        this.clock = clock;
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Starts a session for {@code user} inside the caller's transaction; returns its token (for the cookie only). */
    String create(Tx tx, String user) {
        String token = Secrets.token(Secrets.SESSION_BYTES);
        Instant now = clock.instant();
        tx.webAccounts().createSession(new WebAccounts.Session(Secrets.sha256Hex(token), user, now, now.plus(ttl)));
        return token;
    }

    /** The session of {@code token}, checked now. */
    public Check check(String token) {
        String id = Secrets.sha256Hex(token);
        Instant now = clock.instant();
        Optional<String> ended = Optional.empty();
        Optional<WebAccounts.Session> session = store.read(tx -> tx.webAccounts().session(id));
        if (session.isEmpty()) {
            return new Absent();
        }
        WebAccounts.Session s = session.get();
        ClientIdentity identity = ClientIdentity.user(s.user());
        if (!now.isBefore(s.expires())) {
            ended = Optional.of("your session ended at " + s.expires() + " (sessions last " + ttl.toHours() + " h): sign in again");
        } else {
            ended = store.read(tx -> endReason(tx, identity, now));
        }
        if (ended.isPresent()) {
            store.write(tx -> {
                tx.webAccounts().deleteSession(id);
                return null;
            });
            return new Ended(ended.get());
        }
        return new Active(new SignedIn(s.user(), identity, Secrets.derive("csrf", token), s.expires()));
    }

    /** Why {@code identity} may not act now, if it may not: the user is gone, or a lock in force names it. */
    static Optional<String> endReason(Tx tx, ClientIdentity identity, Instant now) {
        if (tx.get(User.class, identity.name()).isEmpty()) {
            return Optional.of("user '" + identity.name() + "' no longer exists in this cluster");
        }
        return LockRules.find(tx.list(Lock.class), LockRules.Subject.of(identity, List.of(), List.of()), now)
                .map(lock -> "user '" + identity.name() + "' is locked by lock " + lock.name()
                        + (lock.spec().message().isEmpty() ? "" : " (" + lock.spec().message() + ")")
                        + ": an administrator must remove it (tctl locks rm " + lock.name() + ")");
    }

    /** Signs out: the session is deleted. */
    public void end(String token) {
        store.write(tx -> {
            tx.webAccounts().deleteSession(Secrets.sha256Hex(token));
            return null;
        });
    }
}
