-- What the caller said a request-bound certificate is for (its usage: build_url, job, ...), as JSON, so that what is
-- derived from the certificate later (an OIDC token's build_url claim) names the same build.
ALTER TABLE certificates ADD COLUMN usage_json TEXT;

-- Jenkins ID tokens (jti) already used to join, until they expire: a token joins once.
CREATE TABLE used_token_ids (
    issuer     VARCHAR(512) NOT NULL,
    jti        VARCHAR(256) NOT NULL,
    expires_at BIGINT       NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX used_token_ids_by_expiry ON used_token_ids (expires_at);
