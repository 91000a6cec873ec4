-- What rarely changes but is read for every batch: which webhooks an event goes to, and the keys a
-- project signs with. A server keeps what it read with the generation it read it at, and the
-- statement that relies on it reads the generation in its own snapshot: an ingest batch planned on
-- webhooks of an older generation writes nothing and is planned again on a fresh look; a claim
-- says which generation of signing keys it was made in. Every statement that inserts or deletes
-- such a row, or sets a column that is read, moves its subject's generation on in its own
-- transaction; those a delivery's outcome sets on a webhook (failure counts, pauses, probes) do
-- not.
create table generations (
    subject text primary key,
    generation bigint not null
);

insert into generations (subject, generation) values ('webhooks', 0), ('signing', 0);

create function next_generation() returns trigger
language plpgsql as $$
begin
    update generations set generation = generation + 1 where subject = tg_argv[0];
    return null;
end
$$;

create trigger webhooks_fan_out_changed
    after insert or delete
       or update of project_id, bot_id, triggers, event_types, ordering, active, delete_time
    on webhooks
    for each statement execute function next_generation('webhooks');

create trigger signing_secrets_changed
    after insert or update or delete on signing_secrets
    for each statement execute function next_generation('signing');

create trigger signing_settings_changed
    after insert or update or delete on signing_settings
    for each statement execute function next_generation('signing');
