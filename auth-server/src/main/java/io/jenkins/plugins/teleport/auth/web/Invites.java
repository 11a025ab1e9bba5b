package io.jenkins.plugins.teleport.auth.web;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.GoDuration;
import io.jenkins.plugins.teleport.api.Messages.CreateInvite;
import io.jenkins.plugins.teleport.api.Messages.Invite;
import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.CaKeyEncryption;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.http.Reply;
import io.jenkins.plugins.teleport.auth.http.Route;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.Store;
import io.jenkins.plugins.teleport.auth.store.WebAccounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * One-time links for people to set a password and enrol a TOTP authenticator, as Teleport's user tokens
 * ({@code CreateResetPasswordToken}, {@code ChangePasswordWithToken}): {@code tctl users add} makes an invite (1 h by
 * default, at most 48 h), {@code tctl users reset} a reset link (8 h, at most 24 h) after removing the password,
 * authenticator and sessions the person had. A new link replaces the person's earlier ones; the store keeps only the
 * SHA-256 of the token and the TOTP secret sealed; using the link consumes it and signs the person in.
 */
public final class Invites {

    public static final Duration INVITE_TTL = Duration.ofHours(1);
    public static final Duration MAX_INVITE_TTL = Duration.ofHours(48);
    public static final Duration RESET_TTL = Duration.ofHours(8);
    public static final Duration MAX_RESET_TTL = Duration.ofHours(24);
    /** What a link that no longer works says (Teleport says only "invalid token"; this also names the fix). */
    public static final String NOT_VALID = "this link is not valid: it was used, replaced by a newer one, or it expired; "
            + "ask an administrator for a new one (tctl users reset NAME)";

    /** An open invite as its page shows it: whose, which kind, the secret to enrol and until when. */
    public record Pending(String user, boolean reset, String totpSecretBase32, String totpUri, Instant expires) {}

    /** What became of using a link. */
    public sealed interface Outcome permits Accepted, Refused {}

    /** Done: the person is signed in with a new session. */
    public record Accepted(String user, String sessionToken) implements Outcome {}

    /** Refused, with the message to show. */
    public record Refused(String message) implements Outcome {}

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final CaKeyEncryption keys;
    private final String issuer;
    private final Supplier<String> baseUrl;
    private final WebSessions sessions;

    /** {@code issuer} names the cluster in authenticator apps; {@code baseUrl} is where people reach this server. */
    public Invites(Store store, AuditLog audit, Clock clock, CaKeyEncryption keys, String issuer, Supplier<String> baseUrl,
                   WebSessions sessions) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.keys = keys;
        this.issuer = issuer;
        this.baseUrl = baseUrl;
        this.sessions = sessions;
    }

    /** The API's {@code POST /v1/users/{name}/invites} (in openapi.yaml; the pages themselves are not API routes). */
    public Route route() {
        return new Route("POST", "/v1/users/{name}/invites", call -> Reply.created(create(call.caller(), call.param("name"),
                call.body().length == 0 ? new CreateInvite(false, Optional.empty()) : call.body(CreateInvite.class))));
    }

    /**
     * Makes a link for {@code user}. Needs rule {@code {resources: [user], verbs: [update]}}; without {@code reset},
     * refused for a person who has already set a password.
     */
    public Invite create(ClientIdentity caller, String user, CreateInvite ask) {
        Duration ttl = ask.ttl().orElse(ask.reset() ? RESET_TTL : INVITE_TTL);
        Duration max = ask.reset() ? MAX_RESET_TTL : MAX_INVITE_TTL;
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(max) > 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ttl must be positive and at most " + GoDuration.format(max)
                    + " for " + (ask.reset() ? "a reset link" : "an invite"));
        }
        String token = Secrets.token(Secrets.INVITE_BYTES);
        byte[] secret = Totp.newSecret();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "user", Verb.UPDATE);
            if (tx.get(User.class, user).isEmpty()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "user '" + user + "' does not exist: create it first (tctl users add)");
            }
            WebAccounts web = tx.webAccounts();
            if (!ask.reset() && web.credential(user).isPresent()) {
                throw new ApiException(ErrorCode.ALREADY_EXISTS, "user '" + user + "' has already set a password: a new "
                        + "link replaces it only as a reset (tctl users reset " + user + ")");
            }
            int ended = 0;
            if (ask.reset()) {
                ended = web.deleteSessions(user);
                web.forgetUser(user);
            }
            web.putInvite(new WebAccounts.Invite(Secrets.sha256Hex(token), user, ask.reset(),
                    keys.sealSecret(totpPurpose(user), Base32.encode(secret)), now, expires));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", user);
            fields.put("reset", ask.reset());
            fields.put("ttl", GoDuration.format(ttl));
            fields.put("expires", expires.toString());
            if (ask.reset()) {
                fields.put("sessions_ended", ended);
            }
            audit.record(tx, AuditEventType.RESET_PASSWORD_TOKEN_CREATE, caller.name(), Optional.empty(), fields);
            return null;
        });
        return new Invite(user, baseUrl.get().replaceAll("/+$", "") + "/web/" + (ask.reset() ? "reset/" : "invite/") + token, expires, ask.reset());
    }

    /** The open invite {@code token} names, if it still works. */
    public Optional<Pending> find(String token) {
        Instant now = clock.instant();
        return store.read(tx -> tx.webAccounts().invite(Secrets.sha256Hex(token))
                .filter(i -> now.isBefore(i.expires()) && tx.get(User.class, i.user()).isPresent()))
                .map(i -> {
                    String secret = keys.openSecret(totpPurpose(i.user()), i.totpSecret());
                    return new Pending(i.user(), i.reset(), secret, Totp.uri(issuer, i.user(), Base32.decode(secret)), i.expires());
                });
    }

    /**
     * Uses the link: the password (twice, Teleport's length rules) and a code of the enrolled authenticator (which
     * proves the app has the secret) are checked, then, in one transaction, the credential is stored, the link
     * consumed, the person's other sessions ended and a new one started.
     */
    public Outcome accept(String token, String password, String confirm, String code, String remoteAddress) {
        Optional<Pending> pending = find(token);
        if (pending.isEmpty()) {
            return new Refused(NOT_VALID);
        }
        Optional<String> weak = PasswordHash.weakness(password);
        if (weak.isPresent()) {
            return new Refused(weak.get());
        }
        if (!Secrets.same(password, confirm)) {
            return new Refused("the two passwords differ: type the same password twice");
        }
        Instant now = clock.instant();
        OptionalLong step = Totp.match(Base32.decode(pending.get().totpSecretBase32()), code, now);
        if (step.isEmpty()) {
            return new Refused("the authenticator code is not right: scan the QR code (or type the key) into the app, "
                    + "check the phone's clock, and enter the code it shows now");
        }
        String hash = PasswordHash.hash(password);
        String tokenHash = Secrets.sha256Hex(token);
        return store.write(tx -> {
            WebAccounts web = tx.webAccounts();
            Optional<WebAccounts.Invite> invite = web.invite(tokenHash).filter(i -> now.isBefore(i.expires()));
            if (invite.isEmpty()) {
                return new Refused(NOT_VALID);
            }
            String user = invite.get().user();
            Optional<String> blocked = WebSessions.endReason(tx, ClientIdentity.user(user), now);
            if (blocked.isPresent()) {
                return new Refused(blocked.get());
            }
            web.putCredential(new WebAccounts.Credential(user, hash, invite.get().totpSecret(), step.getAsLong()));
            web.deleteInvites(user);
            web.deleteSessions(user);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("via", invite.get().reset() ? "reset" : "invite");
            fields.put("mfa", "totp");
            fields.put("remote_addr", remoteAddress);
            audit.record(tx, AuditEventType.USER_PASSWORD_CHANGE, user, Optional.empty(), fields);
            return new Accepted(user, sessions.create(tx, user));
        });
    }

    /** What a person's TOTP secret is sealed for: bound to the user, so a sealed value cannot be moved to another. */
    static String totpPurpose(String user) {
        return "totp secret of user " + user;
    }
}
