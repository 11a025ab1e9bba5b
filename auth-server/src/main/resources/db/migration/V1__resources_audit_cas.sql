-- Resources are stored as JSON documents with a revision: every update is compare-and-swap on it.
CREATE TABLE resources (
    kind       VARCHAR(64)  NOT NULL,
    name       VARCHAR(253) NOT NULL,
    revision   BIGINT       NOT NULL,
    body       TEXT         NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Append-only audit log; seq orders events, the indexes serve queries by request and by time.
CREATE TABLE audit_events (
    seq        ${id_column},
    uid        VARCHAR(36)  NOT NULL UNIQUE,
    time_ms    BIGINT       NOT NULL,
    event      VARCHAR(64)  NOT NULL,
    code       VARCHAR(16)  NOT NULL,
    username   VARCHAR(253) NOT NULL,
    request_id VARCHAR(64),
    body       TEXT         NOT NULL
);
CREATE INDEX audit_events_by_request ON audit_events (request_id, seq);
CREATE INDEX audit_events_by_time ON audit_events (time_ms);

-- The cluster's certificate authorities, shared by every auth server on the same store.
CREATE TABLE cert_authorities (
    name       VARCHAR(64) PRIMARY KEY,
    cert_pem   TEXT        NOT NULL,
    key_pem    TEXT        NOT NULL,
    created_at BIGINT      NOT NULL
);
