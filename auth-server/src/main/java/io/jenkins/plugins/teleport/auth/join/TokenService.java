package io.jenkins.plugins.teleport.auth.join;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Messages.CreateToken;
import io.jenkins.plugins.teleport.api.Messages.TokenCreated;
import io.jenkins.plugins.teleport.api.Metadata;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.rbac.Access;
import io.jenkins.plugins.teleport.auth.rbac.RoleSet.Verb;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Join tokens: made here with a random secret that is shown once; stored under the secret's hash. */
public final class TokenService {

    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final Duration MAX_TTL = Duration.ofDays(30);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;

    public TokenService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    public TokenCreated create(ClientIdentity caller, CreateToken ask) {
        if (ask.botName() == null || ask.botName().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "name the bot the token is for (bot_name)");
        }
        Duration ttl = ask.ttl().orElse(DEFAULT_TTL);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "ttl must be between 1s and " + MAX_TTL.toDays() + " days");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String value = HexFormat.of().formatHex(secret);
        String name = HexFormat.of().formatHex(TokenJoin.sha256(value));
        Instant expires = clock.instant().plus(ttl);
        return store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "token", Verb.CREATE);
            if (tx.get(Bot.class, ask.botName()).isEmpty()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "bot '" + ask.botName() + "' does not exist: create it first (bots add)");
            }
            tx.create(new Token(null, null, new Metadata(name, "", Map.of(), Optional.of(expires), 0),
                    new Token.Spec(Token.JoinMethod.TOKEN, ask.botName(), ask.reusable())));
            // The token's name is the SHA-256 of its secret: it identifies the token without revealing it.
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("token", name);
            fields.put("bot", ask.botName());
            fields.put("join_method", Token.JoinMethod.TOKEN.name().toLowerCase());
            fields.put("reusable", ask.reusable());
            fields.put("expires", expires.toString());
            audit.record(tx, AuditEventType.JOIN_TOKEN_CREATE, caller.name(), Optional.empty(), fields);
            return new TokenCreated(value, name, ask.botName(), expires, ask.reusable());
        });
    }

    /** The tokens (their hashes, bots, expiry; never secrets). */
    public List<Token> list(ClientIdentity caller) {
        return store.read(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "token", Verb.LIST);
            return tx.list(Token.class);
        });
    }

    public void delete(ClientIdentity caller, String name) {
        store.write(tx -> {
            Access.require(Access.rolesOf(tx, caller), caller, "token", Verb.DELETE);
            Token token = tx.get(Token.class, name).orElseThrow(() ->
                    new ApiException(ErrorCode.NOT_FOUND, "token '" + name + "' does not exist (tokens ls lists them)"));
            tx.delete(Token.class, name);
            audit.record(tx, AuditEventType.JOIN_TOKEN_DELETE, caller.name(), Optional.empty(),
                    Map.of("token", name, "bot", token.spec().botName()));
            return null;
        });
    }
}
