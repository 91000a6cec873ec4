-- An endpoint that keeps failing is paused instead of being sent every delivery in turn: its
-- deliveries wait parked at 'infinity', outside the due range claims read, and one at a time is
-- let go as a probe at next_probe_time. The first success lets them all go at once.
alter table webhooks
    -- since when its endpoint has failed every attempt; null while it answers
    add column unreachable_since timestamptz,
    -- while unreachable, when the next probe goes; once back, while its parked deliveries are
    -- still being let go, when another server takes over if the one letting them go stopped
    add column next_probe_time timestamptz;

-- The probes and backlogs due: a few rows at most, whatever the number of webhooks.
create index webhooks_probes on webhooks (next_probe_time)
    where next_probe_time is not null;

-- A paused webhook's waiting deliveries, oldest first: the probe is its first, and its return
-- lets them all go. Ordered lines' parked deliveries are here too; unordered rows only while
-- their webhook is paused, so the queue's busy rows never enter it.
create index delivery_queue_parked on delivery_queue (webhook_id, delivery_create_time)
    where next_attempt_time = 'infinity';
