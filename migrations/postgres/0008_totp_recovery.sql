-- One-time recovery codes of the second factor, made when its set-up is confirmed and shown
-- once: only their SHA-256 hashes are kept; used_at is set by the statement that accepts a code.
create table totp_recovery_code (
    id bigint generated always as identity primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    code_hash text not null,
    used_at bigint,
    created_at bigint not null
);
create unique index totp_recovery_code_user_id_code_hash_key on totp_recovery_code (user_id, code_hash);
