-- A plan change during a billing period cuts it into segments, each priced by its own plan version (invoicing's
-- PhasedCharges). Ingest stamps each event with its segment's start (AcceptedEventV1.segmentStart) when the plan
-- changed before it in its period; an aggregate of a sum meter keeps the part of its quantity in each such later
-- segment: {"<segment start, ISO-8601>": {"q": "<quantity, exact decimal as text>", "n": <events>}}. Null when the plan
-- did not change (the whole aggregate is the first segment's); the first segment's part is always the rest.
alter table usage_aggregate add column segments jsonb;

-- Adds two such maps key by key (the upsert's delta to the stored parts); exact: quantities stay numeric.
create function add_segments(a jsonb, b jsonb) returns jsonb language sql immutable as $$
    select case when a is null then b when b is null then a else (
        select jsonb_object_agg(k, jsonb_build_object(
                   'q', (coalesce(a -> k ->> 'q', '0')::numeric + coalesce(b -> k ->> 'q', '0')::numeric)::text,
                   'n', coalesce((a -> k ->> 'n')::bigint, 0) + coalesce((b -> k ->> 'n')::bigint, 0)))
        from (select jsonb_object_keys(a) union select jsonb_object_keys(b)) as keys(k)) end
$$;
