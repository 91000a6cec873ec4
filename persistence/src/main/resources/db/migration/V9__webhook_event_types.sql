-- A webhook's event-type filter: empty receives every event type. Fan-out reads it with the
-- candidate webhooks and decides in the domain, so the ingest statement is unchanged.
alter table webhooks add column event_types text[] not null default '{}';
