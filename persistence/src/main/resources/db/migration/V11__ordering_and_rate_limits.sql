-- Delivery controls a subscriber sets on a webhook: ordering per bot, and a rate limit enforced
-- across every server sharing the database.
alter table webhooks
    add column ordering text not null default 'UNORDERED',
    add column max_requests_per_second integer,
    add constraint webhooks_ordering_known check (ordering in ('UNORDERED', 'PER_BOT')),
    add constraint webhooks_rate_positive check (max_requests_per_second > 0);

-- An ordered delivery's place in its bot's line: order_seq, from one sequence so that a delivery
-- acknowledged after another has the higher number whichever server made it. Only the lowest
-- order_seq of a (webhook, bot) line is claimable; the others wait parked at 'infinity', outside
-- the due range the claim reads, until the one before them ends. Unordered rows leave both null,
-- so the queue's hot rows do not grow.
alter table delivery_queue
    add column bot_id text,
    add column order_seq bigint;
create sequence delivery_order_seq;
create index delivery_queue_lines on delivery_queue (webhook_id, bot_id, order_seq)
    where order_seq is not null;

-- The next free send slot of each rate-limited webhook, shared by every server: an attempt takes
-- the slot and moves it on by 1/rate seconds (a generic cell rate algorithm), so attempts are
-- spaced by the limit whichever server makes them.
create table webhook_send_slots (
    webhook_id uuid primary key,
    next_slot timestamptz not null
);
