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
