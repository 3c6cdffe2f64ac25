-- Dedup keys expire: an event whose time is older than the dedup window is rejected as too_late,
-- and an event's time is at most max-future-skew after its first acceptance, so a key accepted
-- before now - window - skew can never meet a retry that would be accepted. KeyExpiry deletes those
-- in small batches. accepted_at grows with insertion order, which is what BRIN indexes are for: tiny,
-- and nearly free to maintain on the hot insert path.
create index event_key_accepted_brin on event_key using brin (accepted_at);
