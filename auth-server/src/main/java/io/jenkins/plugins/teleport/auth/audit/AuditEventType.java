package io.jenkins.plugins.teleport.auth.audit;

/** The audit events the server writes, with Teleport's event names and codes. */
public enum AuditEventType {
    ACCESS_REQUEST_CREATE("access_request.create", "T5000I"),
    ACCESS_REQUEST_UPDATE("access_request.update", "T5001I"),
    ACCESS_REQUEST_REVIEW("access_request.review", "T5002I"),
    ACCESS_REQUEST_DELETE("access_request.delete", "T5003I"),
    ROLE_CREATED("role.created", "T9000I"),
    ROLE_DELETED("role.deleted", "T9001I"),
    ROLE_UPDATED("role.updated", "T9002I"),
    USER_CREATE("user.create", "T1002I"),
    USER_UPDATE("user.update", "T1003I"),
    USER_DELETE("user.delete", "T1004I"),
    BOT_CREATE("bot.create", "TB001I"),
    BOT_UPDATE("bot.update", "TB002I"),
    BOT_DELETE("bot.delete", "TB003I"),
    JOIN_TOKEN_CREATE("join_token.create", "TJT00I"),
    /** Not in Teleport, which has no event for it: a join token removed before it expired. */
    JOIN_TOKEN_DELETE("join_token.delete", "TJT01I"),
    BOT_JOIN("bot.join", "TJ001I"),
    JOIN_FAILED("join.failed", "TJ001E"),
    CERT_CREATE("cert.create", "TC000I"),
    CERT_RELEASE("cert.release", "TC002I"),
    /** Not in Teleport (which refuses silently): a request-bound certificate used beyond its own request. */
    REQUEST_IDENTITY_DENIED("request_identity.denied", "TC100W"),
    /** Not in Teleport (which does not audit AWS OIDC tokens): a web identity token issued for a request. */
    OIDC_TOKEN_ISSUE("oidc.token.issue", "TOI00I"),
    /** The OIDC signing key was rotated (Teleport audits CA rotations as cert authority updates). */
    OIDC_KEY_ROTATE("oidc.key.rotate", "TOI01I"),
    /** Automatic review rules (this project's; Teleport's RFD 201 keeps such rules in access monitoring rules). */
    REVIEW_RULE_CREATE("review_rule.create", "TRR01I"),
    REVIEW_RULE_UPDATE("review_rule.update", "TRR02I"),
    REVIEW_RULE_DELETE("review_rule.delete", "TRR03I"),
    INTEGRATION_CREATE("integration.create", "IG001I"),
    INTEGRATION_UPDATE("integration.update", "IG002I"),
    INTEGRATION_DELETE("integration.delete", "IG003I"),
    LOCK_CREATED("lock.created", "TLK00I"),
    LOCK_DELETED("lock.deleted", "TLK01I"),
    /** A person signed in to the web pages with password and authenticator code. */
    USER_LOGIN("user.login", "T1000I"),
    /** A refused sign-in to the web pages (never with the password). */
    USER_LOGIN_FAILURE("user.login", "T1000W"),
    /** A person set their password and enrolled an authenticator through an invite or reset link. */
    USER_PASSWORD_CHANGE("user.password_change", "T1005I"),
    /** An invite or reset link was made for a person ({@code tctl users add}, {@code tctl users reset}). */
    RESET_PASSWORD_TOKEN_CREATE("reset_password_token.create", "T6000I");

    private final String event;
    private final String code;

    AuditEventType(String event, String code) {
        this.event = event;
        this.code = code;
    }

    public String event() {
        return event;
    }

    public String code() {
        return code;
    }
}
