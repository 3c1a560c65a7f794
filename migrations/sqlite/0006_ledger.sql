-- Local currency: a territory's currency, its double-entry ledger (accounts and immutable
-- transfers), issuance requests, reconversions, payment requests, imported bank statements and
-- the audit log of money operations. Also the treasurers' second factor (TOTP), owned by accounts.
-- Amounts are integer cents; timestamps are Unix seconds set from Rust.

create table currency (
    territory_id bigint primary key references territory (id) on delete cascade,
    name text not null,
    symbol text not null,
    is_enabled boolean not null default true,
    allows_member_payments boolean not null default true,
    reconversion_fee_bp bigint not null default 0,
    created_at bigint not null,
    updated_at bigint not null
);

-- kind: member (owner_id = user), business (owner_id = business), operating, issuance, fees,
-- payout (units of reconversions waiting for their euros to leave the bank); owner_id 0 for the
-- association's own accounts. floor_cents null means no floor (the issuance account).
create table ledger_account (
    id integer primary key,
    territory_id bigint not null references territory (id),
    kind text not null,
    owner_id bigint not null,
    balance_cents bigint not null default 0,
    floor_cents bigint,
    created_at bigint not null,
    check (floor_cents is null or balance_cents >= floor_cents)
);
create unique index ledger_account_territory_id_kind_owner_id_key on ledger_account (territory_id, kind, owner_id);

create table ledger_transfer (
    id integer primary key,
    territory_id bigint not null references territory (id),
    client_id text not null,
    debit_account_id bigint not null references ledger_account (id),
    credit_account_id bigint not null references ledger_account (id),
    amount_cents bigint not null,
    kind text not null,
    memo text not null,
    author_user_id bigint,
    reference text,
    created_at bigint not null,
    check (amount_cents > 0),
    check (debit_account_id <> credit_account_id)
);
create unique index ledger_transfer_client_id_key on ledger_transfer (client_id);
create index ledger_transfer_debit_account_id_idx on ledger_transfer (debit_account_id, id);
create index ledger_transfer_credit_account_id_idx on ledger_transfer (credit_account_id, id);
create index ledger_transfer_territory_id_created_at_idx on ledger_transfer (territory_id, created_at);

create table issuance_request (
    id integer primary key,
    territory_id bigint not null references territory (id),
    user_id bigint not null,
    account_id bigint not null references ledger_account (id),
    amount_cents bigint not null,
    reference text not null,
    status text not null,
    expires_at bigint not null,
    created_at bigint not null,
    issued_at bigint,
    transfer_id bigint references ledger_transfer (id),
    check (amount_cents > 0)
);
create unique index issuance_request_reference_key on issuance_request (reference);
create index issuance_request_territory_id_status_idx on issuance_request (territory_id, status, created_at);
create index issuance_request_user_id_idx on issuance_request (user_id, created_at);

-- Every issuance, by bank transfer (request matched to a statement entry) or at an exchange
-- point (cash or cheque): the euros the audit expects in the guarantee fund.
create table issuance (
    id integer primary key,
    territory_id bigint not null references territory (id),
    source text not null,
    amount_cents bigint not null,
    transfer_id bigint not null references ledger_transfer (id),
    operator_user_id bigint,
    created_at bigint not null,
    check (amount_cents > 0)
);
create unique index issuance_transfer_id_key on issuance (transfer_id);
create index issuance_territory_id_created_at_idx on issuance (territory_id, created_at);

create table reconversion (
    id integer primary key,
    territory_id bigint not null references territory (id),
    business_id bigint not null,
    account_id bigint not null references ledger_account (id),
    requested_by bigint,
    amount_cents bigint not null,
    fee_cents bigint not null,
    payout_cents bigint not null,
    reference text not null,
    status text not null,
    created_at bigint not null,
    settled_at bigint,
    check (amount_cents > 0 and fee_cents >= 0 and payout_cents = amount_cents - fee_cents)
);
create unique index reconversion_reference_key on reconversion (reference);
create index reconversion_territory_id_status_idx on reconversion (territory_id, status, created_at);
create index reconversion_business_id_idx on reconversion (business_id, created_at);

create table payment_request (
    id integer primary key,
    territory_id bigint not null references territory (id),
    token text not null,
    account_id bigint not null references ledger_account (id),
    amount_cents bigint,
    memo text not null default '',
    created_by bigint,
    created_at bigint not null
);
create unique index payment_request_token_key on payment_request (token);
create index payment_request_account_id_idx on payment_request (account_id, created_at);

create table bank_statement (
    id integer primary key,
    territory_id bigint not null references territory (id),
    format text not null,
    statement_ref text not null,
    closing_balance_cents bigint,
    entry_count bigint not null,
    new_entry_count bigint not null,
    imported_by bigint,
    imported_at bigint not null
);
create index bank_statement_territory_id_imported_at_idx on bank_statement (territory_id, imported_at);

-- status: issued, settled (matched automatically or by hand), review (waits for the
-- treasurer), unrelated (marked as not about the currency).
create table bank_entry (
    id integer primary key,
    territory_id bigint not null references territory (id),
    statement_id bigint not null references bank_statement (id),
    entry_key text not null,
    booked_on text not null,
    amount_cents bigint not null,
    is_credit boolean not null,
    counterparty text not null default '',
    remittance text not null default '',
    status text not null,
    issuance_request_id bigint references issuance_request (id),
    reconversion_id bigint references reconversion (id),
    resolved_by bigint,
    resolved_at bigint,
    created_at bigint not null
);
create unique index bank_entry_territory_id_entry_key_key on bank_entry (territory_id, entry_key);
create index bank_entry_territory_id_status_idx on bank_entry (territory_id, status, id);
create index bank_entry_statement_id_idx on bank_entry (statement_id);

create table ledger_event (
    id integer primary key,
    territory_id bigint not null references territory (id),
    actor_user_id bigint,
    action text not null,
    detail text not null,
    created_at bigint not null
);
create index ledger_event_territory_id_id_idx on ledger_event (territory_id, id);

create table user_totp (
    user_id bigint primary key references app_user (id) on delete cascade,
    secret text not null,
    confirmed_at bigint,
    last_step bigint not null default 0,
    created_at bigint not null
);
