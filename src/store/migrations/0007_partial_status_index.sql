-- Events by status, for `history --status`, without the CREATED ones (issue 13): an initial sync
-- writes 400,000 CREATED events, and this index cost it about 0.5 s of CPU at L. `history --status
-- CREATED` walks sync_events_time instead, where nearly every event is one.
DROP INDEX sync_events_status;
CREATE INDEX sync_events_status ON sync_events (status, timestamp) WHERE status <> 'CREATED';
