-- Herald's schema. Migrations are append-only: change the schema in a new V<n>__ file.

-- Signing keys. A project has one current key (expire_time null) and, during a rotation's
-- overlap, older keys that still sign until their expire_time. Keys are stored only as
-- AES-256-GCM ciphertext under the master key, which never enters the database.
create table signing_secrets (
    id             uuid        primary key,
    project_id     text        not null,
    key_nonce      bytea       not null,
    key_ciphertext bytea       not null,
    create_time    timestamptz not null,
    expire_time    timestamptz
);

create unique index signing_secrets_one_current on signing_secrets (project_id)
    where expire_time is null;
create index signing_secrets_by_project on signing_secrets (project_id, create_time desc);

create table webhooks (
    id          uuid        primary key,
    project_id  text        not null,
    -- null for a project-level webhook
    bot_id      text,
    url         text        not null,
    triggers    text[]      not null,
    active      boolean     not null,
    -- why Herald itself deactivated the webhook (410 Gone, too many failed deliveries)
    disabled_reason text,
    -- deliveries in a row that ended FAILED; a success resets it
    consecutive_failed_deliveries integer not null default 0,
    create_time timestamptz not null,
    update_time timestamptz not null,
    -- soft delete: the delivery history keeps pointing here
    delete_time timestamptz
);

-- ListWebhooks: a project's live webhooks, oldest first.
create index webhooks_by_project on webhooks (project_id, create_time, id)
    where delete_time is null;

-- Fan-out: the live webhooks that may match one bot's event.
create index webhooks_for_fan_out on webhooks (project_id, bot_id)
    where delete_time is null and active;

create table events (
    id             uuid        primary key,
    project_id     text        not null,
    -- the caller's idempotency key, or the id Herald made when none was given
    event_id       text        not null,
    bot_id         text        not null,
    trigger        text        not null,
    bot_metadata   text,
    -- null when the bot had no previous state
    old_state      text,
    new_state      text        not null,
    event_type     text        not null,
    event_sub_type text,
    created_at     timestamptz not null,
    create_time    timestamptz not null,
    constraint events_event_id_unique unique (project_id, event_id)
);

create table deliveries (
    id                uuid        primary key,
    event_id          uuid        not null references events (id),
    webhook_id        uuid        not null references webhooks (id),
    project_id        text        not null,
    bot_id            text        not null,
    trigger           text        not null,
    idempotency_key   uuid        not null unique,
    url               text        not null,
    -- the exact body sent, identical on every attempt
    payload           text        not null,
    status            text        not null
        constraint deliveries_status_known check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempt_count     integer     not null default 0,
    -- attempts made before the current round; a manual retry starts a new round
    round_start       integer     not null default 0,
    -- PENDING only: when the next attempt is due, or, while a worker holds it, when its lease ends
    next_attempt_time timestamptz,
    -- set while a worker holds the delivery; its attempt is recorded only under the same token
    lease_token       uuid,
    failure_reason    text,
    create_time       timestamptz not null,
    last_attempt_time timestamptz,
    succeeded_time    timestamptz,
    constraint deliveries_pending_is_scheduled
        check ((status = 'PENDING') = (next_attempt_time is not null))
);

-- The dispatcher's claim: due pending deliveries, earliest first. Small, since only PENDING rows
-- are in it.
create index deliveries_due on deliveries (next_attempt_time) where status = 'PENDING';

-- ListDeliveries: newest first, within a project, a bot or a webhook.
create index deliveries_by_project on deliveries (project_id, create_time desc, id desc);
create index deliveries_by_bot on deliveries (project_id, bot_id, create_time desc, id desc);
create index deliveries_by_webhook on deliveries (webhook_id, create_time desc, id desc);
create index deliveries_by_event on deliveries (event_id);

create table delivery_attempts (
    delivery_id          uuid        not null references deliveries (id),
    attempt_number       integer     not null,
    url                  text        not null,
    start_time           timestamptz not null,
    duration_ms          bigint      not null,
    -- 0 when no response arrived
    response_status_code integer     not null,
    response_body        text        not null,
    error                text        not null,
    succeeded            boolean     not null,
    primary key (delivery_id, attempt_number)
);
