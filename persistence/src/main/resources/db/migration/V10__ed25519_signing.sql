-- Standard Webhooks v1a: each signing key may carry an Ed25519 pair, its private seed encrypted
-- under the master key like the HMAC secret (its own nonce; the ciphertext is bound to the row and
-- to its purpose). Keys made before this migration get a pair when their project next asks for it.
alter table signing_secrets
    add column ed25519_public bytea,
    add column ed25519_nonce bytea,
    add column ed25519_ciphertext bytea,
    add constraint signing_secrets_ed25519_whole check (
        (ed25519_public is null) = (ed25519_ciphertext is null)
        and (ed25519_nonce is null) = (ed25519_ciphertext is null));

-- Which schemes a project's webhook-signature header carries; a project without a row signs v1.
create table signing_settings (
    project_id text primary key,
    schemes text[] not null,
    update_time timestamptz not null,
    constraint signing_settings_schemes_known
        check (cardinality(schemes) > 0 and schemes <@ array['v1', 'v1a']::text[])
);
