-- What the legacy tool left that only the controllers can settle (issue 17).

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
