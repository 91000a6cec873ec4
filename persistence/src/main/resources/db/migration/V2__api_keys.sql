-- API keys. Only a SHA-256 of each token is kept: tokens carry 256 random bits, so a fast hash
-- is as strong as a slow one and lets every call look its key up by index.
create table api_keys (
    id           uuid        primary key,
    -- null for a global key
    project_id   text,
    name         text        not null,
    roles        text[]      not null,
    token_hash   bytea       not null unique,
    -- the token's first characters, shown in listings
    token_prefix text        not null,
    create_time  timestamptz not null,
    revoke_time  timestamptz
);

create index api_keys_by_project on api_keys (project_id, create_time, id);
