-- The work queue moves out of the deliveries table into a narrow table of its own.
--
-- A delivery left the queue by changing status and next_attempt_time, both in the due index, so
-- PostgreSQL could not update it in place: every attempt recorded wrote a new ~500-byte row and
-- an entry into each of the table's six other indexes (a success cost about five times an
-- in-place update). Now a delivery is in the queue while a row for it is in delivery_queue:
-- claims lease those narrow rows, an ended delivery's row is deleted, and the deliveries row is
-- updated in place since no index holds what an attempt changes.
create table delivery_queue (
    delivery_id       uuid        primary key references deliveries (id),
    -- copied from the delivery so that a claim can pass over saturated webhooks' rows
    webhook_id        uuid        not null,
    -- when the next attempt is due
    next_attempt_time timestamptz not null,
    -- set while a worker holds the delivery: its attempt is recorded only under the same token,
    -- and the delivery is claimable again once lease_until has passed (its worker died)
    lease_until       timestamptz,
    lease_token       uuid
)
-- Half-full pages: each row is leased once per attempt, and that new version stays on its page
-- (touching no index) only if the page has room for it.
with (fillfactor = 50);

-- The dispatcher's claim: due deliveries, earliest first.
create index delivery_queue_due on delivery_queue (next_attempt_time);

insert into delivery_queue (delivery_id, webhook_id, next_attempt_time, lease_until, lease_token)
select id, webhook_id, next_attempt_time, lease_until, lease_token
  from deliveries
 where status = 'PENDING';

-- Dropping next_attempt_time drops deliveries_due and deliveries_pending_is_scheduled with it.
alter table deliveries
    drop column next_attempt_time,
    drop column lease_until,
    drop column lease_token;
-- The deliveries row is still rewritten once per attempt (status, attempt count, times), and
-- stays on its page for that only with room left.
alter table deliveries set (fillfactor = 50);
