package io.jenkins.plugins.teleport.auth.audit;

/** The audit events the server writes, with Teleport's event names and codes. */
public enum AuditEventType {
    ACCESS_REQUEST_CREATE("access_request.create", "T5000I"),
    ACCESS_REQUEST_UPDATE("access_request.update", "T5001I"),
    ACCESS_REQUEST_REVIEW("access_request.review", "T5002I"),
    ACCESS_REQUEST_DELETE("access_request.delete", "T5003I");

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
