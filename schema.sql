-- dnssync database schema: the whole current schema, readable on its own.
--
-- The numbered files in src/store/migrations/ build exactly this (a test compares the two);
-- change the schema by adding a migration and updating this file in the same commit.
--
-- Conventions: every timestamp is UTC ISO 8601 text ('2026-11-22T08:11:21.123Z'), so text order
-- is time order. A record's id is the lowercase hex SHA-256 of "{type}:{domain}:{target}", the
-- same formula as the legacy Python tool, so history joins across the migration.

-- A UniFi Network controller (console or UniFi OS Server). The API key is never stored:
-- only its fingerprint, to show when a key was rotated.
CREATE TABLE controllers (
  host            TEXT PRIMARY KEY,          -- URL host, with the port when not the default (legacy key)
  name            TEXT NOT NULL,
  url             TEXT NOT NULL,
  key_fingerprint TEXT,                      -- 'sha256:' + 12 hex digits
  app_version     TEXT,                      -- from GET /v1/info
  last_contact    TEXT                       -- last successful discovery
) STRICT;

-- A site of a controller. A site uuid is only unique within its controller: every console's
-- 'default' site has the same uuid, so sites have their own integer id.
CREATE TABLE sites (
  id                 INTEGER PRIMARY KEY,
  controller_host    TEXT NOT NULL REFERENCES controllers (host) ON UPDATE CASCADE,
  uuid               TEXT NOT NULL,
  internal_reference TEXT,
  name               TEXT,
  first_seen         TEXT NOT NULL,
  last_synced        TEXT,                   -- last successful discovery of its policies
  gone_at            TEXT,                   -- the controller listed its sites without this one
  UNIQUE (controller_host, uuid)
) STRICT;

-- A DNS record by identity. record_raw is the API body of its identity fields
-- (type, domain and the type's target fields), from which create bodies are built.
CREATE TABLE dns_records (
  id          TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  domain      TEXT NOT NULL,
  target      TEXT NOT NULL,
  record_raw  TEXT NOT NULL,
  first_seen  TEXT NOT NULL,
  orphaned_at TEXT,                          -- set when its last origin ended; NULL while it has one
  last_origin_site_id INTEGER REFERENCES sites (id) -- where it was last native, for `orphans`
) STRICT;
CREATE INDEX dns_records_orphaned ON dns_records (orphaned_at) WHERE orphaned_at IS NOT NULL;

-- A site where a record exists natively (not created by dnssync): the record's origin there.
CREATE TABLE record_origins (
  record_id  TEXT NOT NULL REFERENCES dns_records (id),
  site_id    INTEGER NOT NULL REFERENCES sites (id),
  first_seen TEXT NOT NULL,                  -- the oldest origin wins attribute disagreements
  policy_id  TEXT,                           -- the native policy's id at that site
  attributes TEXT NOT NULL,                  -- JSON: enabled, ttlSeconds, ... as found there
  PRIMARY KEY (record_id, site_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX record_origins_site ON record_origins (site_id);

-- A policy that dnssync created at a site. `pending` is the intent written (and committed)
-- before a write request is sent; it is cleared with the outcome, so a run killed in between
-- leaves enough for the next run to tell its own policy from a native one.
CREATE TABLE replicas (
  record_id       TEXT NOT NULL REFERENCES dns_records (id),
  site_id         INTEGER NOT NULL REFERENCES sites (id),
  policy_id       TEXT,                      -- NULL until the create is confirmed (or learnt by discovery)
  created_at      TEXT NOT NULL,
  pending         TEXT CHECK (pending IN ('create', 'update', 'delete')),
  pending_run_id  INTEGER REFERENCES runs (id),
  pending_body    TEXT,                      -- JSON body of the pending create/update
  PRIMARY KEY (site_id, record_id)           -- site first: a run writes site by site
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX replicas_policy ON replicas (site_id, policy_id); -- NULLs (pending creates) are distinct
CREATE INDEX replicas_pending ON replicas (pending_run_id) WHERE pending IS NOT NULL;

-- The intent of a batch of creates (SPEC §4.7): one row per batch, committed before its requests
-- go out, so that a confirmed replica row is written once. Deleted with the batch's outcomes; a
-- run killed before then leaves it, and the next sync turns it into pending replica rows.
CREATE TABLE create_intents (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs (id),
  site_id    INTEGER NOT NULL REFERENCES sites (id),
  record_ids TEXT NOT NULL                   -- JSON array of the record ids about to be created
) STRICT;

-- A create the controller refused, remembered so that a create bound to be refused again is not
-- sent on every run (each write reloads the console's DNS server). It goes when the create
-- succeeds or the record is no longer wanted at the site.
CREATE TABLE refusals (
  site_id    INTEGER NOT NULL REFERENCES sites (id),
  record_id  TEXT NOT NULL REFERENCES dns_records (id) ON DELETE CASCADE,
  code       TEXT NOT NULL,                -- the Error Message `code`, e.g. api.dns.policy.validation.overlap-with-local-dns
  message    TEXT NOT NULL,
  refused_at TEXT NOT NULL,                -- the first refusal
  tried_at   TEXT NOT NULL,                -- the last create sent
  PRIMARY KEY (site_id, record_id)
) STRICT, WITHOUT ROWID;

-- Rows of the legacy file at a site uuid that several consoles share: every console's `default`
-- site has the same uuid, and the tool kept sites by uuid alone, so which console a row was about
-- is not known. The conversion keeps the evidence, once per legacy controller; the first sync that
-- reads that console's site decides there (planner/legacy-evidence.ts) and records what it found.
CREATE TABLE legacy_evidence (
  controller_host  TEXT NOT NULL REFERENCES controllers (host) ON UPDATE CASCADE,
  uuid             TEXT NOT NULL,
  record_id        TEXT NOT NULL REFERENCES dns_records (id) ON DELETE CASCADE,
  first_discovered TEXT,                   -- the tool's first DISCOVERY of the record at that uuid
  created          TEXT NOT NULL,          -- JSON array: the time of every CREATED there, oldest first
  verdict          TEXT NOT NULL CHECK (verdict IN ('replica', 'native', 'undecided')),
  resolved_at      TEXT,                   -- NULL until a sync read this console's site
  found            INTEGER,                -- policies of the record found there then
  PRIMARY KEY (controller_host, uuid, record_id)
) STRICT, WITHOUT ROWID;

-- Identical copies of one record at one site that the legacy tool made (it read only the first 25
-- policies of a site, and created again what it could not see): one is kept as the replica, these
-- are deleted. Remembered until they are gone, so that none is ever taken for a native policy.
CREATE TABLE legacy_duplicates (
  site_id   INTEGER NOT NULL REFERENCES sites (id),
  policy_id TEXT NOT NULL,
  record_id TEXT NOT NULL REFERENCES dns_records (id) ON DELETE CASCADE,
  found_at  TEXT NOT NULL,
  deleting_run_id INTEGER REFERENCES runs (id), -- the intent of its delete (SPEC §4.7), until recorded
  PRIMARY KEY (site_id, policy_id)
) STRICT, WITHOUT ROWID;

-- One row per invocation of sync (dry runs included). outcome is NULL while it runs, or
-- after a crash.
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  mode         TEXT NOT NULL CHECK (mode IN ('sync', 'dry-run')),
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  user         TEXT NOT NULL,
  version      TEXT NOT NULL,
  policy       TEXT NOT NULL,
  outcome      TEXT CHECK (outcome IN ('success', 'partial', 'refused', 'drift', 'failed', 'interrupted')),
  exit_code    INTEGER,
  sites_ok     INTEGER NOT NULL DEFAULT 0,
  sites_failed INTEGER NOT NULL DEFAULT 0,
  created      INTEGER NOT NULL DEFAULT 0,
  updated      INTEGER NOT NULL DEFAULT 0,
  deleted      INTEGER NOT NULL DEFAULT 0,
  skipped      INTEGER NOT NULL DEFAULT 0,
  failed       INTEGER NOT NULL DEFAULT 0,         -- created … failed: what was done (0 when nothing was applied)
  planned_create INTEGER NOT NULL DEFAULT 0,       -- planned_*: what the plan said, applied or not
  planned_update INTEGER NOT NULL DEFAULT 0,
  planned_delete INTEGER NOT NULL DEFAULT 0,
  planned_skip INTEGER NOT NULL DEFAULT 0,
  -- The run's events have ids above events_after (the last event's id when it started) and, once it
  -- has finished, no higher than events_through: `history --run` reads that range (sync_events has
  -- no index by run: 400,000 entries an initial sync at L would pay for).
  events_after INTEGER,
  events_through INTEGER                           -- NULL while the run runs, and for ever if it was killed
) STRICT;
CREATE INDEX runs_started ON runs (started_at);

-- Everything dnssync did or found, newest last. Type, domain and target are copied from the
-- record so that history stays whole after `orphans --prune` removes the record row.
CREATE TABLE sync_events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id    INTEGER REFERENCES runs (id),     -- NULL for events imported from the legacy tool
  record_id TEXT NOT NULL,
  type      TEXT NOT NULL,
  domain    TEXT NOT NULL,
  target    TEXT NOT NULL,
  site_id   INTEGER REFERENCES sites (id),    -- NULL for record-wide events (ORPHANED, RESTORED)
  status    TEXT NOT NULL CHECK (status IN
              ('CREATED', 'UPDATED', 'DELETED', 'SKIPPED', 'FAILED', 'DISCOVERED', 'ORPHANED', 'RESTORED')),
  reason    TEXT,
  timestamp TEXT NOT NULL
) STRICT;
CREATE INDEX sync_events_time ON sync_events (timestamp);
-- Site first: a run writes the events of a site together, so they share index pages. History's
-- record filter looks a domain up site by site.
CREATE INDEX sync_events_site_domain ON sync_events (site_id, domain, timestamp);
-- Without CREATED, which nearly every event is: `history --status CREATED` walks the time index.
CREATE INDEX sync_events_status ON sync_events (status, timestamp) WHERE status <> 'CREATED';

-- At most one row: the sync that holds the database. A row whose process is gone is stale.
CREATE TABLE sync_lock (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  run_id       INTEGER,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
) STRICT;

-- The sites the last sync found in step, each with the fingerprint of what it listed then (issue 13).
-- A run that reads the same fingerprints everywhere, with the same config and dnssync, has nothing to
-- plan: it skips reading the replicas, matching and planning (400,000 policies at L).
-- Row 0 holds the fingerprint of the config and the dnssync that wrote the rows; a writing sync puts
-- it there when it starts and adds the sites' rows at its end, if the run was in step and row 0 is
-- still there. Any change to what a plan is made from deletes every row (the triggers below), whoever
-- writes it: this run, repair, migrate, `orphans --prune`, or someone with the sqlite3 shell.
CREATE TABLE in_step (
  site_id     INTEGER PRIMARY KEY,          -- sites.id; 0 for the config and dnssync row
  fingerprint TEXT NOT NULL,                -- sha256 hex of the listing, or of the config and dnssync
  replicas    INTEGER NOT NULL              -- our replicas at the site then
) STRICT;

CREATE TRIGGER dns_records_insert_out_of_step AFTER INSERT ON dns_records WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER dns_records_update_out_of_step AFTER UPDATE ON dns_records WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER dns_records_delete_out_of_step AFTER DELETE ON dns_records WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER record_origins_insert_out_of_step AFTER INSERT ON record_origins WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER record_origins_update_out_of_step AFTER UPDATE ON record_origins WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER record_origins_delete_out_of_step AFTER DELETE ON record_origins WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER replicas_insert_out_of_step AFTER INSERT ON replicas WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER replicas_update_out_of_step AFTER UPDATE ON replicas WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER replicas_delete_out_of_step AFTER DELETE ON replicas WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER create_intents_insert_out_of_step AFTER INSERT ON create_intents WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER create_intents_update_out_of_step AFTER UPDATE ON create_intents WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER create_intents_delete_out_of_step AFTER DELETE ON create_intents WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER refusals_insert_out_of_step AFTER INSERT ON refusals WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER refusals_update_out_of_step AFTER UPDATE ON refusals WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER refusals_delete_out_of_step AFTER DELETE ON refusals WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_evidence_insert_out_of_step AFTER INSERT ON legacy_evidence WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_evidence_update_out_of_step AFTER UPDATE ON legacy_evidence WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_evidence_delete_out_of_step AFTER DELETE ON legacy_evidence WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_duplicates_insert_out_of_step AFTER INSERT ON legacy_duplicates WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_duplicates_update_out_of_step AFTER UPDATE ON legacy_duplicates WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER legacy_duplicates_delete_out_of_step AFTER DELETE ON legacy_duplicates WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER sites_delete_out_of_step AFTER DELETE ON sites WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;
CREATE TRIGGER sites_rekey_out_of_step AFTER UPDATE OF controller_host, uuid ON sites WHEN EXISTS (SELECT 1 FROM in_step) BEGIN DELETE FROM in_step; END;

-- Applied migrations; checksum is the SHA-256 of the migration file as applied.
CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT;
