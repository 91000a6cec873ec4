-- Herald's schema as the migrations leave it, read back from a migrated database by
-- SchemaDocumentTest. Do not edit: change a migration and write this file anew.

create table api_keys (
    id uuid not null,
    project_id text,
    name text not null,
    roles text[] not null,
    token_hash bytea not null,
    token_prefix text not null,
    create_time timestamp with time zone not null,
    revoke_time timestamp with time zone,
    constraint api_keys_pkey PRIMARY KEY (id),
    constraint api_keys_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_keys_by_project ON api_keys USING btree (project_id, create_time, id);

create table attempt_urls (
    id integer not null,
    url text not null,
    constraint attempt_urls_pkey PRIMARY KEY (id),
    constraint attempt_urls_url_key UNIQUE (url)
);

create table deliveries (
    id uuid not null,
    event_id uuid not null,
    webhook_id uuid not null,
    project_id text not null,
    bot_id text not null,
    idempotency_key uuid,
    payload text,
    status text,
    failure_reason text,
    create_time timestamp with time zone not null,
    constraint deliveries_status_known CHECK ((status = ANY (ARRAY['PENDING'::text, 'SUCCEEDED'::text, 'FAILED'::text])))
) partition by range (create_time);
CREATE INDEX deliveries_by_bot ON ONLY deliveries USING btree (project_id, bot_id, create_time);
CREATE INDEX deliveries_by_id ON ONLY deliveries USING btree (id);
CREATE INDEX deliveries_by_project ON ONLY deliveries USING btree (project_id, create_time);
CREATE INDEX deliveries_by_webhook ON ONLY deliveries USING btree (webhook_id, create_time, id);
alter table deliveries alter column id set statistics 10;
alter table deliveries alter column event_id set statistics 10;
alter table deliveries alter column webhook_id set statistics 10;
alter table deliveries alter column project_id set statistics 10;
alter table deliveries alter column bot_id set statistics 10;
alter table deliveries alter column idempotency_key set statistics 0;
alter table deliveries alter column payload set statistics 0;
alter table deliveries alter column status set statistics 10;
alter table deliveries alter column failure_reason set statistics 0;
alter table deliveries alter column create_time set statistics 10;

create table delivery_attempts (
    delivery_id uuid not null,
    attempt_number integer not null,
    url text not null,
    start_time timestamp with time zone not null,
    duration_ms bigint not null,
    response_status_code integer not null,
    response_body text not null,
    error text not null,
    succeeded boolean not null,
    delivery_create_time timestamp with time zone not null,
    url_id integer,
    constraint delivery_attempts_pkey PRIMARY KEY (delivery_id, attempt_number, delivery_create_time)
) partition by range (delivery_create_time);
alter table delivery_attempts alter column delivery_id set statistics 10;
alter table delivery_attempts alter column attempt_number set statistics 10;
alter table delivery_attempts alter column url set statistics 0;
alter table delivery_attempts alter column start_time set statistics 0;
alter table delivery_attempts alter column duration_ms set statistics 0;
alter table delivery_attempts alter column response_status_code set statistics 0;
alter table delivery_attempts alter column response_body set statistics 0;
alter table delivery_attempts alter column error set statistics 0;
alter table delivery_attempts alter column succeeded set statistics 0;
alter table delivery_attempts alter column delivery_create_time set statistics 10;
alter table delivery_attempts alter column url_id set statistics 0;

create table delivery_queue (
    delivery_id uuid not null,
    webhook_id uuid not null,
    next_attempt_time timestamp with time zone not null,
    lease_until timestamp with time zone,
    lease_token uuid,
    bot_id text,
    order_seq bigint,
    delivery_create_time timestamp with time zone not null,
    attempts_made integer not null default 0,
    round_start integer not null default 0,
    event_id uuid,
    constraint delivery_queue_pkey PRIMARY KEY (delivery_id)
) with (fillfactor=50, autovacuum_vacuum_scale_factor=0, autovacuum_vacuum_threshold=10000, autovacuum_vacuum_insert_scale_factor=0, autovacuum_vacuum_insert_threshold=10000, autovacuum_vacuum_cost_delay=0);
CREATE INDEX delivery_queue_due ON delivery_queue USING btree (next_attempt_time);
CREATE INDEX delivery_queue_lines ON delivery_queue USING btree (webhook_id, bot_id, order_seq) WHERE (order_seq IS NOT NULL);
CREATE INDEX delivery_queue_parked ON delivery_queue USING btree (webhook_id, delivery_create_time) WHERE (next_attempt_time = 'infinity'::timestamp with time zone);

create table events (
    id uuid not null,
    project_id text not null,
    event_id text not null,
    bot_id text not null,
    create_time timestamp with time zone not null,
    body text,
    packed_body bytea,
    constraint events_pkey PRIMARY KEY (id, create_time)
) partition by range (create_time);
alter table events alter column id set statistics 10;
alter table events alter column project_id set statistics 10;
alter table events alter column event_id set statistics 10;
alter table events alter column bot_id set statistics 10;
alter table events alter column create_time set statistics 10;
alter table events alter column body set statistics 0;
alter table events alter column packed_body set statistics 0;

create table generations (
    subject text not null,
    generation bigint not null,
    constraint generations_pkey PRIMARY KEY (subject)
);

create table returning_backlogs (
    webhook_id uuid not null,
    return_time timestamp with time zone not null,
    constraint returning_backlogs_pkey PRIMARY KEY (webhook_id)
);

create table signing_secrets (
    id uuid not null,
    project_id text not null,
    key_nonce bytea not null,
    key_ciphertext bytea not null,
    create_time timestamp with time zone not null,
    expire_time timestamp with time zone,
    ed25519_public bytea,
    ed25519_nonce bytea,
    ed25519_ciphertext bytea,
    constraint signing_secrets_ed25519_whole CHECK ((((ed25519_public IS NULL) = (ed25519_ciphertext IS NULL)) AND ((ed25519_nonce IS NULL) = (ed25519_ciphertext IS NULL)))),
    constraint signing_secrets_pkey PRIMARY KEY (id)
);
CREATE INDEX signing_secrets_by_project ON signing_secrets USING btree (project_id, create_time DESC);
CREATE UNIQUE INDEX signing_secrets_one_current ON signing_secrets USING btree (project_id) WHERE (expire_time IS NULL);

create table signing_settings (
    project_id text not null,
    schemes text[] not null,
    update_time timestamp with time zone not null,
    constraint signing_settings_schemes_known CHECK (((cardinality(schemes) > 0) AND (schemes <@ ARRAY['v1'::text, 'v1a'::text]))),
    constraint signing_settings_pkey PRIMARY KEY (project_id)
);

create table webhook_send_slots (
    webhook_id uuid not null,
    next_slot timestamp with time zone not null,
    constraint webhook_send_slots_pkey PRIMARY KEY (webhook_id)
);

create table webhooks (
    id uuid not null,
    project_id text not null,
    bot_id text,
    url text not null,
    triggers text[] not null,
    active boolean not null,
    disabled_reason text,
    consecutive_failed_deliveries integer not null default 0,
    create_time timestamp with time zone not null,
    update_time timestamp with time zone not null,
    delete_time timestamp with time zone,
    event_types text[] not null default '{}'::text[],
    ordering text not null default 'UNORDERED'::text,
    max_requests_per_second integer,
    unreachable_since timestamp with time zone,
    next_probe_time timestamp with time zone,
    constraint webhooks_ordering_known CHECK ((ordering = ANY (ARRAY['UNORDERED'::text, 'PER_BOT'::text]))),
    constraint webhooks_rate_positive CHECK ((max_requests_per_second > 0)),
    constraint webhooks_pkey PRIMARY KEY (id)
);
CREATE INDEX webhooks_by_project ON webhooks USING btree (project_id, create_time, id) WHERE (delete_time IS NULL);
CREATE INDEX webhooks_for_fan_out ON webhooks USING btree (project_id, bot_id) WHERE ((delete_time IS NULL) AND active);
CREATE INDEX webhooks_probes ON webhooks USING btree (next_probe_time) WHERE (next_probe_time IS NOT NULL);
