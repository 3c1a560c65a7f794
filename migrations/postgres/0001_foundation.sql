-- Foundation: territories and communes, accounts and roles, tokens, sessions, the email outbox,
-- rate limits and job leases. Timestamps are Unix seconds set from Rust.

create table territory (
    id bigint generated always as identity primary key,
    slug text not null,
    name text not null,
    time_zone text not null,
    label_name text,
    label_tag text,
    created_at bigint not null
);
create unique index territory_slug_key on territory (slug);

create table commune (
    id bigint generated always as identity primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    insee_code text not null,
    postcode text not null,
    name text not null,
    latitude double precision not null,
    longitude double precision not null
);
create unique index commune_territory_id_insee_code_key on commune (territory_id, insee_code);

create table app_user (
    id bigint generated always as identity primary key,
    email text not null,
    display_name text not null,
    password_hash text not null,
    is_admin boolean not null default false,
    locale text not null default 'fr',
    email_confirmed_at bigint,
    session_version bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index app_user_email_key on app_user (email);

create table membership (
    id bigint generated always as identity primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    territory_id bigint not null references territory (id) on delete cascade,
    role text not null,
    created_at bigint not null
);
create unique index membership_user_id_territory_id_role_key on membership (user_id, territory_id, role);
create index membership_territory_id_role_idx on membership (territory_id, role);

create table email_token (
    id bigint generated always as identity primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    purpose text not null,
    token_hash text not null,
    new_email text,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null
);
create unique index email_token_token_hash_key on email_token (token_hash);
create index email_token_user_id_idx on email_token (user_id);
create index email_token_expires_at_idx on email_token (expires_at);

create table api_token (
    id bigint generated always as identity primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    name text not null,
    token_hash text not null,
    created_at bigint not null,
    last_used_at bigint
);
create unique index api_token_token_hash_key on api_token (token_hash);
create index api_token_user_id_idx on api_token (user_id);

create table outbox (
    id bigint generated always as identity primary key,
    to_address text not null,
    subject text not null,
    body_text text not null,
    attachments text,
    status text not null,
    attempts bigint not null default 0,
    next_attempt_at bigint not null,
    locked_until bigint,
    lock_token text,
    last_error text,
    created_at bigint not null,
    sent_at bigint
);
create index outbox_status_next_attempt_at_idx on outbox (status, next_attempt_at);
create index outbox_lock_token_idx on outbox (lock_token);
create index outbox_to_address_idx on outbox (to_address);
create index outbox_created_at_idx on outbox (created_at);

create table web_session (
    id text primary key,
    data text not null,
    expires_at bigint not null
);
create index web_session_expires_at_idx on web_session (expires_at);

create table rate_limit (
    key text primary key,
    window_start bigint not null,
    hits bigint not null
);
create index rate_limit_window_start_idx on rate_limit (window_start);

create table job_lease (
    name text primary key,
    holder text not null,
    locked_until bigint not null
);
