package io.jenkins.plugins.teleport.auth.join;

import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The {@code token} join method: the bot presents a secret made by {@code tctl tokens add}. The store keeps only
 * the secret's SHA-256 (the token's name), so a copy of the store yields no usable token.
 */
public final class TokenJoin implements JoinMethod {

    @Override
    public Token.JoinMethod method() {
        return Token.JoinMethod.TOKEN;
    }

    @Override
    public Proof verify(Store store, JoinRequest request, Instant now) {
        byte[] presented = sha256(request.token());
        Optional<Token> found = store.read(tx -> tx.get(Token.class, HexFormat.of().formatHex(presented)));
        // Compared in constant time, so the comparison itself leaks nothing about the stored hash.
        if (found.isEmpty() || !MessageDigest.isEqual(presented, HexFormat.of().parseHex(found.get().name()))) {
            throw new JoinFailure("unknown token");
        }
        Token token = found.get();
        if (token.spec().joinMethod() != Token.JoinMethod.TOKEN) {
            throw new JoinFailure("token is for join method " + token.spec().joinMethod().wire());
        }
        if (token.metadata().expires().filter(t -> !now.isBefore(t)).isPresent()) {
            throw new JoinFailure("token expired at " + token.metadata().expires().get());
        }
        if (!request.botName().isEmpty() && !request.botName().equals(token.spec().botName())) {
            throw new JoinFailure("token is for bot '" + token.spec().botName() + "', not '" + request.botName() + "'");
        }
        return new Proof(token.spec().botName(), Optional.empty(), (tx, at) -> {
            // Single-use: the delete is the consumption. Of two racing joins only one deletes the row. A reusable
            // token must still exist (it may have been removed since it was read).
            boolean gone = token.spec().reusable() ? tx.get(Token.class, token.name()).isEmpty()
                    : !tx.delete(Token.class, token.name());
            if (gone) {
                throw new JoinFailure(token.spec().reusable() ? "unknown token" : "token already used");
            }
        });
    }

    /** The SHA-256 of a token secret: the token's name in the store. */
    public static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
