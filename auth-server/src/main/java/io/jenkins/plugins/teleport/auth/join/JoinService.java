package io.jenkins.plugins.teleport.auth.join;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.Bot;
import io.jenkins.plugins.teleport.api.ErrorCode;
import io.jenkins.plugins.teleport.api.Lock;
import io.jenkins.plugins.teleport.api.Messages.JoinRequest;
import io.jenkins.plugins.teleport.api.Messages.SignedCertificate;
import io.jenkins.plugins.teleport.api.Token;
import io.jenkins.plugins.teleport.auth.audit.AuditEventType;
import io.jenkins.plugins.teleport.auth.audit.AuditLog;
import io.jenkins.plugins.teleport.auth.ca.CertificateAuthority;
import io.jenkins.plugins.teleport.auth.ca.ClientIdentity;
import io.jenkins.plugins.teleport.auth.ca.Pem;
import io.jenkins.plugins.teleport.auth.ca.UserCertificates;
import io.jenkins.plugins.teleport.auth.locks.LockRules;
import io.jenkins.plugins.teleport.auth.store.Store;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A bot joins: it proves itself with a join method and gets a short-lived identity (an X.509 client certificate
 * for a public key it made). The identity cannot be renewed; the bot joins again. Every join, and every refused
 * one with its reason, is audited.
 */
public final class JoinService {

    private final Store store;
    private final CertificateAuthority ca;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration identityTtl;
    private final Map<Token.JoinMethod, JoinMethod> methods;

    public JoinService(Store store, CertificateAuthority ca, AuditLog audit, Clock clock, Duration identityTtl,
                       List<JoinMethod> methods) {
        this.store = store;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
        this.identityTtl = identityTtl;
        this.methods = methods.stream().collect(Collectors.toMap(JoinMethod::method, Function.identity()));
    }

    public SignedCertificate join(JoinRequest request, String remoteAddress) {
        PublicKey key = Pem.clientPublicKey(request.publicKey(), "public_key");
        if (request.idToken().length() > JenkinsJoin.MAX_TOKEN_CHARS) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "id_token is longer than " + JenkinsJoin.MAX_TOKEN_CHARS
                    + " characters: send the build's ID token as the controller signed it");
        }
        JoinMethod method = methods.get(request.joinMethod());
        if (method == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "join method '" + request.joinMethod().wire() + "' is not enabled");
        }
        try {
            JoinMethod.Proof proof = method.verify(store, request, clock.instant());
            return store.write(tx -> {
                Instant now = clock.instant();
                proof.consume().apply(tx, now);
                String botName = proof.bot();
                if (tx.get(Bot.class, botName).isEmpty()) {
                    throw new JoinMethod.JoinFailure("bot '" + botName + "' does not exist");
                }
                ClientIdentity bot = proof.jenkins().map(build -> ClientIdentity.jenkinsBot(botName, build))
                        .orElse(ClientIdentity.bot(botName));
                if (LockRules.find(tx.list(Lock.class), LockRules.Subject.of(bot, List.of(), List.of()), now).isPresent()) {
                    throw new JoinMethod.JoinFailure("bot '" + botName + "' is locked");
                }
                X509Certificate cert = UserCertificates.record(tx, ca.issueClient(key, bot, identityTtl, now), bot, clock);
                String serial = cert.getSerialNumber().toString(16);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("bot", botName);
                fields.put("join_method", request.joinMethod().wire());
                fields.put("serial", serial);
                fields.put("expires", cert.getNotAfter().toInstant().toString());
                fields.put("remote_addr", remoteAddress);
                proof.jenkins().ifPresent(build -> {
                    fields.put("jenkins_job", build.job());
                    fields.put("jenkins_branch", build.branch());
                });
                audit.record(tx, AuditEventType.BOT_JOIN, botName, Optional.empty(), fields);
                return UserCertificates.signed(ca, cert);
            });
        } catch (JoinMethod.JoinFailure failure) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("reason", failure.getMessage());
            fields.put("bot", request.botName());
            fields.put("join_method", request.joinMethod().wire());
            fields.put("remote_addr", remoteAddress);
            store.write(tx -> {
                audit.record(tx, AuditEventType.JOIN_FAILED, request.botName().isEmpty() ? "-" : request.botName(),
                        Optional.empty(), fields);
                return null;
            });
            throw new ApiException(ErrorCode.ACCESS_DENIED, failure.toldToCaller() ? "join refused: " + failure.getMessage()
                    : "join refused: the token is unknown, expired, already used, or not for this bot (the auth server's "
                    + "audit log has the reason); ask an administrator for a new one");
        }
    }
}
