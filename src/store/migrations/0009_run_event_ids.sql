-- A run's events found by their ids, not by an index of run ids (issue 13): a run's events have ids
-- above events_after (the last event's id when it started) and, once it has finished, no higher
-- than events_through (the last event's id then; NULL while it runs, and for ever if it was killed).
-- The index by run cost an initial sync at L 400,000 entries, about 0.7 s of CPU. Earlier runs get
-- their bounds from that index before it goes.
ALTER TABLE runs ADD COLUMN events_after INTEGER;
ALTER TABLE runs ADD COLUMN events_through INTEGER;
UPDATE runs SET
  events_after = coalesce((SELECT min(id) FROM sync_events WHERE run_id = runs.id) - 1, 0),
  events_through = CASE WHEN finished_at IS NOT NULL THEN coalesce((SELECT max(id) FROM sync_events WHERE run_id = runs.id), 0) END;
DROP INDEX sync_events_run;
