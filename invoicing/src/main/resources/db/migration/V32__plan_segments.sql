-- A plan change during a period: the part of each snapshot's usage in each later plan segment, as rating sends it
-- (RatedUsageV1.segments) and stores it (usage_aggregate.segments): {"<segment start>": {"q": "<quantity>", "n": <events>}}.
-- Null when the plan did not change in the period. PhasedCharges prices each segment by its own plan version.
alter table usage_snapshot add column segments jsonb;
