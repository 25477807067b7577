-- Creates a controller refused (issue 11): remembered, so that a create bound to be refused
-- again is not sent on every run (each write reloads the console's DNS server).
CREATE TABLE refusals (
  site_id    INTEGER NOT NULL REFERENCES sites (id),
  record_id  TEXT NOT NULL REFERENCES dns_records (id) ON DELETE CASCADE,
  code       TEXT NOT NULL,                -- the Error Message `code`, e.g. api.dns.policy.validation.overlap-with-local-dns
  message    TEXT NOT NULL,
  refused_at TEXT NOT NULL,                -- the first refusal
  tried_at   TEXT NOT NULL,                -- the last create sent
  PRIMARY KEY (site_id, record_id)
) STRICT, WITHOUT ROWID;
