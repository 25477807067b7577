-- A run row says what was planned beside what was done (issue 12): a dry, refused or drift run
-- did nothing, and its created … failed stay 0.
ALTER TABLE runs ADD COLUMN planned_create INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN planned_update INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN planned_delete INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN planned_skip INTEGER NOT NULL DEFAULT 0;
