package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.resources.ResourceService;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.WebAccounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Signing in with a password and a TOTP code, as Teleport's local users do ({@code checkPassword}, {@code checkOTP}):
 * one answer for every wrong part ("invalid user name, password or authenticator code"), the same work for unknown
 * users (a hash is checked all the same), no code accepted twice. Failed sign-ins are limited per user (Teleport's
 * {@code MaxLoginAttempts}: 5 within {@code AttemptTTL}, 30 min, lock the user out for {@code AccountLockInterval},
 * 30 min) and per address (20 within 30 min, so that one address cannot try many users); limits are checked before
 * any hashing. Every sign-in and every refusal is audited as {@code user.login}, never with the password.
 */
public final class SignIn {

    public static final int MAX_USER_FAILURES = 5;
    public static final int MAX_ADDRESS_FAILURES = 20;
    public static final Duration WINDOW = Duration.ofMinutes(30);
    public static final Duration LOCKOUT = Duration.ofMinutes(30);
    /** The one message for a wrong user name, password or code: it tells an attacker nothing about which was wrong. */
    public static final String INVALID = "invalid user name, password or authenticator code";
    /** Checked for users without a credential, so that they cost what a real check costs. */
    private static final String DUMMY_HASH = PasswordHash.hash("not a password: unknown users are checked against it");

    /** What became of a sign-in. */
    public sealed interface Outcome permits Success, Refused {}

    /** Signed in: the session's token goes into the cookie. */
    public record Success(String user, String sessionToken) implements Outcome {}

    /** Refused, with the message to show; {@code limited} when a rate limit refused it (HTTP 429). */
    public record Refused(String message, boolean limited) implements Outcome {}

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final CaKeyEncryption keys;
    private final WebSessions sessions;

    public SignIn(Store store, AuditLog audit, Clock clock, CaKeyEncryption keys, WebSessions sessions) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.keys = keys;
        this.sessions = sessions;
    }

    public Outcome signIn(String user, String password, String code, String remoteAddress) {
        Instant now = clock.instant();
        String userKey = "user:" + user;
        String addressKey = "addr:" + remoteAddress;
        boolean validName = ResourceService.NAME.matcher(user).matches();
        Optional<String> limit = store.read(tx -> {
            WebAccounts web = tx.webAccounts();
            List<Instant> byAddress = web.loginFailures(addressKey, now.minus(WINDOW));
            if (byAddress.size() >= MAX_ADDRESS_FAILURES) {
                return Optional.of("too many failed sign-ins from " + remoteAddress + ": try again after "
                        + until(byAddress, MAX_ADDRESS_FAILURES));
            }
            List<Instant> byUser = validName ? web.loginFailures(userKey, now.minus(WINDOW)) : List.of();
            if (byUser.size() >= MAX_USER_FAILURES) {
                return Optional.of("too many failed sign-ins for user '" + user + "': try again after "
                        + until(byUser, MAX_USER_FAILURES) + ", or ask an administrator to reset it (tctl users reset " + user + ")");
            }
            return Optional.empty();
        });
        if (limit.isPresent()) {
            refuse(user, remoteAddress, limit.get(), false, false);
            return new Refused(limit.get(), true);
        }

        Optional<WebAccounts.Credential> credential = validName
                ? store.read(tx -> tx.webAccounts().credential(user)) : Optional.empty();
        boolean passwordOk = PasswordHash.matches(password, credential.map(WebAccounts.Credential::passwordHash).orElse(DUMMY_HASH));
        OptionalLong step = credential.isEmpty() ? OptionalLong.empty()
                : Totp.match(Base32.decode(keys.openSecret(Invites.totpPurpose(user), credential.get().totpSecret())), code, now);
        if (credential.isEmpty() || !passwordOk || step.isEmpty()) {
            refuse(user, remoteAddress, credential.isEmpty() ? "no such user or no password set"
                    : !passwordOk ? "wrong password" : "wrong authenticator code", validName, true);
            return new Refused(INVALID, false);
        }

        WebAccounts.Credential stored = credential.get();
        Optional<String> blocked = store.read(tx -> WebSessions.endReason(tx, ClientIdentity.user(user), now));
        if (blocked.isPresent()) {
            refuse(user, remoteAddress, blocked.get(), false, false);
            return new Refused(blocked.get(), false);
        }
        Optional<String> token = store.write(tx -> {
            WebAccounts web = tx.webAccounts();
            if (!web.advanceTotpStep(user, step.getAsLong())) {
                // Teleport's UsedTOTPToken: a code (or an earlier one) already used cannot sign in again.
                return Optional.<String>empty();
            }
            if (!keys.isCurrent(stored.totpSecret())) {
                // Sealed with a previous encryption key: sealed again with the current one while it can be opened.
                String secret = keys.openSecret(Invites.totpPurpose(user), stored.totpSecret());
                web.putCredential(new WebAccounts.Credential(user, stored.passwordHash(),
                        keys.sealSecret(Invites.totpPurpose(user), secret), step.getAsLong()));
            }
            web.clearLoginFailures(userKey);
            web.deleteExpired(now, now.minus(WINDOW));
            String session = sessions.create(tx, user);
            audit.record(tx, AuditEventType.USER_LOGIN, user, Optional.empty(), loginFields(remoteAddress, true, Optional.empty()));
            return Optional.of(session);
        });
        if (token.isEmpty()) {
            refuse(user, remoteAddress, "authenticator code already used", true, true);
            return new Refused(INVALID, false);
        }
        return new Success(user, token.get());
    }

    /** Audits a refusal and records it against the user ({@code countUser}) and the address ({@code countAddress}). */
    private void refuse(String user, String remoteAddress, String why, boolean countUser, boolean countAddress) {
        Instant now = clock.instant();
        store.write(tx -> {
            if (countUser) {
                tx.webAccounts().recordLoginFailure("user:" + user, now);
            }
            if (countAddress) {
                tx.webAccounts().recordLoginFailure("addr:" + remoteAddress, now);
            }
            String named = ResourceService.NAME.matcher(user).matches() ? user : "-";
            audit.record(tx, AuditEventType.USER_LOGIN_FAILURE, named, Optional.empty(),
                    loginFields(remoteAddress, false, Optional.of(why)));
            return null;
        });
    }

    private static Map<String, Object> loginFields(String remoteAddress, boolean success, Optional<String> error) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("method", "local");
        fields.put("success", success);
        fields.put("remote_addr", remoteAddress);
        error.ifPresent(e -> fields.put("error", e));
        return fields;
    }

    /** When the limit ends: {@code LOCKOUT} after the failure that reached it (the {@code max}-th most recent). */
    private static String until(List<Instant> failures, int max) {
        return failures.get(failures.size() - max).plus(LOCKOUT).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
