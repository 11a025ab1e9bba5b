-- Every certificate the server issues (bot identities, request-bound SSH and X.509 certificates, user
-- identities): what revocation, release and the published KRL and CRL are computed from.
CREATE TABLE certificates (
    kind       VARCHAR(8)   NOT NULL,
    serial     VARCHAR(64)  NOT NULL,
    subject    VARCHAR(253) NOT NULL,
    request_id VARCHAR(64),
    issued_at  BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (kind, serial)
);
CREATE INDEX certificates_by_request ON certificates (request_id);
CREATE INDEX certificates_by_subject ON certificates (subject);
CREATE INDEX certificates_by_revocation ON certificates (revoked_at, expires_at);
