-- A sample of the events behind each day's usage (the first three rated), so an invoice's explanation
-- can point from a day's quantity to real events (GET /v1/events/{id} on ingest). A sampled event may
-- have been retracted since: the event's own record shows its current state.
alter table usage_daily add column sample_event_ids text[] not null default '{}';
