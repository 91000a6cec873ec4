-- Events, deliveries and their attempts are kept in partitions by creation time, one per UTC day,
-- so that history past the retention goes away by dropping whole days (Retention in Java creates
-- the days ahead and drops the old ones). A partitioned table's primary key must hold its
-- partition key, so ids are unique with their creation time; new ids are UUIDv7 and tell that
-- time, so a read by id still probes one partition's key.
--
-- In place: each existing table, if it holds rows, becomes the first partition, for all time
-- before the next UTC midnight, and goes when that day passes the retention. Nothing is copied;
-- attaching reads each table once to check its rows' times, and builds the new keys' indexes.

alter table events rename to events_legacy;
alter table events_legacy rename constraint events_pkey to events_legacy_pkey;
alter table events_legacy rename constraint events_event_id_unique to events_legacy_event_id_unique;

alter table deliveries rename to deliveries_legacy;
alter table deliveries_legacy rename constraint deliveries_pkey to deliveries_legacy_pkey;
alter table deliveries_legacy
    rename constraint deliveries_idempotency_key_key to deliveries_legacy_idempotency_key_key;
alter index deliveries_by_bot rename to deliveries_legacy_by_bot;
alter index deliveries_by_event rename to deliveries_legacy_by_event;
alter index deliveries_by_project rename to deliveries_legacy_by_project;
alter index deliveries_by_webhook rename to deliveries_legacy_by_webhook;

alter table delivery_attempts rename to delivery_attempts_legacy;
alter table delivery_attempts_legacy
    rename constraint delivery_attempts_pkey to delivery_attempts_legacy_pkey;

create table events (
    id uuid not null,
    project_id text not null,
    event_id text not null,
    bot_id text not null,
    trigger text not null,
    bot_metadata text,
    old_state text,
    new_state text not null,
    event_type text not null,
    event_sub_type text,
    created_at timestamptz not null,
    create_time timestamptz not null,
    constraint events_pkey primary key (id, create_time)
) partition by range (create_time);

-- An event id is unique within a project per partition (Retention adds the index to each day),
-- and the ingest statement looks a day back across partitions.
create table deliveries (
    id uuid not null,
    event_id uuid not null,
    webhook_id uuid not null,
    project_id text not null,
    bot_id text not null,
    trigger text not null,
    idempotency_key uuid not null,
    url text not null,
    payload text not null,
    status text not null,
    attempt_count integer not null default 0,
    round_start integer not null default 0,
    failure_reason text,
    create_time timestamptz not null,
    last_attempt_time timestamptz,
    succeeded_time timestamptz,
    constraint deliveries_status_known check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
    constraint deliveries_pkey primary key (id, create_time)
) partition by range (create_time);
create index deliveries_by_bot on deliveries (project_id, bot_id, create_time desc, id desc);
create index deliveries_by_event on deliveries (event_id);
create index deliveries_by_project on deliveries (project_id, create_time desc, id desc);
create index deliveries_by_webhook on deliveries (webhook_id, create_time desc, id desc);

-- Attempts are kept with their delivery, by its creation time.
create table delivery_attempts (
    delivery_id uuid not null,
    attempt_number integer not null,
    url text not null,
    start_time timestamptz not null,
    duration_ms bigint not null,
    response_status_code integer not null,
    response_body text not null,
    error text not null,
    succeeded boolean not null,
    delivery_create_time timestamptz not null,
    constraint delivery_attempts_pkey primary key (delivery_id, attempt_number, delivery_create_time)
) partition by range (delivery_create_time);

-- The queue names each delivery with its creation time, so a claim reaches it in its partition.
alter table delivery_queue add column delivery_create_time timestamptz;
update delivery_queue q set delivery_create_time = d.create_time
  from deliveries_legacy d
 where d.id = q.delivery_id;
delete from delivery_queue where delivery_create_time is null;
alter table delivery_queue alter column delivery_create_time set not null;

alter table delivery_attempts_legacy add column delivery_create_time timestamptz;
update delivery_attempts_legacy a set delivery_create_time = d.create_time
  from deliveries_legacy d
 where d.id = a.delivery_id;
-- An attempt whose delivery is gone (none should be) is kept, as old as can be.
update delivery_attempts_legacy set delivery_create_time = '-infinity'
 where delivery_create_time is null;
alter table delivery_attempts_legacy alter column delivery_create_time set not null;

-- The old tables become partitions together, or, holding no event, go together: an attempt or a
-- queue row always belongs to an event's delivery.
do $$
declare
  first_day timestamptz := date_trunc('day', now(), 'UTC') + interval '1 day';
  parent text;
  keep boolean := exists (select 1 from events_legacy);
begin
  foreach parent in array array['events', 'deliveries', 'delivery_attempts'] loop
    if keep then
      -- The parent's key, built before attaching: a partition has one primary key, the parent's.
      execute format('alter table %I drop constraint %I', parent || '_legacy', parent || '_legacy_pkey');
      execute format('alter table %I add constraint %I primary key (%s)', parent || '_legacy',
                     parent || '_legacy_pkey',
                     case parent when 'delivery_attempts'
                                 then 'delivery_id, attempt_number, delivery_create_time'
                                 else 'id, create_time' end);
      execute format('alter table %I attach partition %I for values from (minvalue) to (%L)',
                     parent, parent || '_legacy', first_day);
    else
      execute format('drop table %I', parent || '_legacy');
    end if;
  end loop;
end
$$;

-- As V6 and V8 set them on the tables before; Retention gives each new partition the same.
alter table events
    alter column id set statistics 10,
    alter column project_id set statistics 10,
    alter column event_id set statistics 10,
    alter column bot_id set statistics 10,
    alter column trigger set statistics 0,
    alter column bot_metadata set statistics 0,
    alter column old_state set statistics 0,
    alter column new_state set statistics 0,
    alter column event_type set statistics 0,
    alter column event_sub_type set statistics 0,
    alter column created_at set statistics 0,
    alter column create_time set statistics 10;

alter table deliveries
    alter column id set statistics 10,
    alter column event_id set statistics 10,
    alter column webhook_id set statistics 10,
    alter column project_id set statistics 10,
    alter column bot_id set statistics 10,
    alter column trigger set statistics 0,
    alter column idempotency_key set statistics 0,
    alter column url set statistics 0,
    alter column payload set statistics 0,
    alter column status set statistics 10,
    alter column attempt_count set statistics 0,
    alter column round_start set statistics 0,
    alter column failure_reason set statistics 0,
    alter column create_time set statistics 10,
    alter column last_attempt_time set statistics 0,
    alter column succeeded_time set statistics 0;

alter table delivery_attempts
    alter column delivery_id set statistics 10,
    alter column attempt_number set statistics 10,
    alter column url set statistics 0,
    alter column start_time set statistics 0,
    alter column duration_ms set statistics 0,
    alter column response_status_code set statistics 0,
    alter column response_body set statistics 0,
    alter column error set statistics 0,
    alter column succeeded set statistics 0,
    alter column delivery_create_time set statistics 10;
