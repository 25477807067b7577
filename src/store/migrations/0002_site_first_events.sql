-- Cheaper writes for large runs (measured with `npm run bench`, issue 5).
--
-- A run records its events site by site. An index led by the domain put each of a batch's events
-- on a page of its own (the 500 events of a batch: 500 index pages written); led by the site, they
-- land together. History's record filter looks the domain up site by site instead
-- (src/store/history.ts), and the (site, record) and (site, time) lookups read the same index.
DROP INDEX sync_events_domain;
DROP INDEX sync_events_site;
DROP INDEX sync_events_record;
CREATE INDEX sync_events_site_domain ON sync_events (site_id, domain, timestamp);

