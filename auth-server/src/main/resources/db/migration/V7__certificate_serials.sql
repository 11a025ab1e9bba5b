-- The serial numbers of request-bound certificates increase (ca/SerialNumbers): each server takes blocks of them
-- from this counter, so they are unique across servers and the certificates' primary key grows at its end.
INSERT INTO counters (name, value) VALUES ('certificate_serials', 0);
