-- People's sign-in to the web pages, kept apart from the user resources (which the API serves) and never in the
-- audit log. Password hashes are Argon2id strings; TOTP secrets are sealed with the CA encryption key.
--   web_credentials:    one row per person who has set a password and enrolled an authenticator; last_totp_step is
--                       the time step of the last code accepted, so no code is accepted twice (as Teleport's
--                       UsedTOTPToken);
--   web_invites:        one-time invite and reset links, by the SHA-256 of their token (the token is shown once);
--   web_sessions:       signed-in browsers, by the SHA-256 of their cookie, shared by every auth server on the store;
--   web_login_failures: failed sign-ins by subject (user:NAME, addr:ADDRESS), for the rate limits.
CREATE TABLE web_credentials (
    username       VARCHAR(253) PRIMARY KEY,
    password_hash  TEXT         NOT NULL,
    totp_secret    TEXT         NOT NULL,
    last_totp_step BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL
);

CREATE TABLE web_invites (
    token_hash  VARCHAR(64)  PRIMARY KEY,
    username    VARCHAR(253) NOT NULL,
    reset       BOOLEAN      NOT NULL,
    totp_secret TEXT         NOT NULL,
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX web_invites_by_user ON web_invites (username);

CREATE TABLE web_sessions (
    id_hash    VARCHAR(64)  PRIMARY KEY,
    username   VARCHAR(253) NOT NULL,
    created_at BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (username);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

CREATE TABLE web_login_failures (
    seq     ${id_column},
    subject VARCHAR(300) NOT NULL,
    time_ms BIGINT       NOT NULL
);
CREATE INDEX web_login_failures_by_subject ON web_login_failures (subject, time_ms);
CREATE INDEX web_login_failures_by_time ON web_login_failures (time_ms);
