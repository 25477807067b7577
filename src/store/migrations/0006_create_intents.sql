-- The intent of a batch of creates (SPEC §4.7, issue 13): one row per batch, committed before its
-- requests go out, instead of one pending replica row per create that its outcome then rewrites;
-- a confirmed replica row is written once. Deleted with the batch's outcomes. A run killed before
-- then leaves it, and the next sync turns it into pending replica rows (store/intents.ts).
CREATE TABLE create_intents (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs (id),
  site_id    INTEGER NOT NULL REFERENCES sites (id),
  record_ids TEXT NOT NULL                   -- JSON array of the record ids about to be created
) STRICT;
