-- A delivery's row is written as it is made, and off the common path when it ends failed or is
-- put back by hand: a success no longer rewrites it. The row's update was half of its size on disk
-- (the table kept half of every page free so that it stayed on its page) and a write per delivery.
--
-- What changes while a delivery is pending now lives in its queue row: the attempts made and where
-- the current round of retries started. What it did is its attempts. How it ended: queued is
-- pending; a status of 'FAILED' ended failed; anything else succeeded, at its newest succeeded
-- attempt. The status is null as a delivery is made or put back; rows written before keep
-- 'SUCCEEDED', or 'PENDING' while queued. All of this is catalogue work but for the queue's rows.

alter table delivery_queue
    add column attempts_made integer not null default 0,
    add column round_start integer not null default 0;

update delivery_queue q
   set attempts_made = d.attempt_count, round_start = d.round_start
  from deliveries d
 where d.id = q.delivery_id and d.create_time = q.delivery_create_time and d.attempt_count > 0;

alter table deliveries alter column status drop not null;

alter table deliveries
    drop column attempt_count,
    drop column round_start,
    drop column last_attempt_time,
    drop column succeeded_time;

-- Rows no longer grow on their page; Partitions makes new days at the default fill too.
do $$
declare
    day regclass;
begin
    for day in select inhrelid::regclass from pg_inherits where inhparent = 'deliveries'::regclass
    loop
        execute format('alter table %s reset (fillfactor)', day);
    end loop;
end
$$;
