-- Counters shared by every auth server on the store, incremented inside transactions:
--   revocations:      bumped by every change to what is revoked (a release, a lock created or removed), so a
--                     server knows when its revocation lists are out of date;
--   revocation_lists: the number of the next KRL/CRL built (the KRL's version and the CRL's cRLNumber), so those
--                     increase across servers.
CREATE TABLE counters (
    name  VARCHAR(64) PRIMARY KEY,
    value BIGINT      NOT NULL
);
INSERT INTO counters (name, value) VALUES ('revocations', 0);
INSERT INTO counters (name, value) VALUES ('revocation_lists', 0);
