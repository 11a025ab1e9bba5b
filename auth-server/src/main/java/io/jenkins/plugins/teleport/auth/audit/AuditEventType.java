package io.jenkins.plugins.teleport.auth.audit;

/** The audit events the server writes, with Teleport's event names and codes. */
public enum AuditEventType {
    ACCESS_REQUEST_CREATE("access_request.create", "T5000I"),
    ACCESS_REQUEST_UPDATE("access_request.update", "T5001I"),
    ACCESS_REQUEST_REVIEW("access_request.review", "T5002I"),
    ACCESS_REQUEST_DELETE("access_request.delete", "T5003I"),
    BOT_JOIN("bot.join", "TJ001I"),
    JOIN_FAILED("join.failed", "TJ001E"),
    CERT_CREATE("cert.create", "TC000I"),
    CERT_RELEASE("cert.release", "TC002I"),
    LOCK_CREATED("lock.created", "TLK00I"),
    LOCK_DELETED("lock.deleted", "TLK01I");

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
