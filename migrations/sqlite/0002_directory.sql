-- Directory: businesses with their categories, owners, claims, revision history, photos, and
-- the files uploaded for import (kept in the database so that any instance can confirm them).

create table category (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    parent_id bigint references category (id) on delete restrict,
    name text not null,
    folded_name text not null,
    created_at bigint not null
);
create unique index category_territory_id_folded_name_key on category (territory_id, folded_name);
create index category_parent_id_idx on category (parent_id);

create table business (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    name text not null,
    kind text not null,
    description text not null default '',
    address text,
    postcode text,
    city text,
    commune_id bigint references commune (id) on delete set null,
    latitude real,
    longitude real,
    phone text,
    email text,
    website text,
    social_links text not null default '[]',
    opening_hours text not null default '',
    click_and_collect boolean not null default false,
    delivery boolean not null default false,
    accepts_local_currency boolean not null default false,
    takes_consignment boolean not null default false,
    status text not null default 'open',
    status_message text,
    status_confirmed_at bigint,
    state text not null,
    state_reason text,
    dedup_key text not null,
    search_text text not null,
    created_at bigint not null,
    updated_at bigint not null,
    published_at bigint
);
create unique index business_territory_id_dedup_key_key on business (territory_id, dedup_key);
create index business_territory_id_state_name_idx on business (territory_id, state, name);
create index business_territory_id_state_status_idx on business (territory_id, state, status);
create index business_commune_id_idx on business (commune_id);

create table business_category (
    business_id bigint not null references business (id) on delete cascade,
    category_id bigint not null references category (id) on delete cascade,
    primary key (business_id, category_id)
);
create index business_category_category_id_idx on business_category (category_id);

create table business_owner (
    business_id bigint not null references business (id) on delete cascade,
    user_id bigint not null references app_user (id) on delete cascade,
    created_at bigint not null,
    primary key (business_id, user_id)
);
create index business_owner_user_id_idx on business_owner (user_id);

create table business_claim (
    id integer primary key,
    business_id bigint not null references business (id) on delete cascade,
    user_id bigint not null references app_user (id) on delete cascade,
    message text not null default '',
    status text not null,
    reason text,
    created_at bigint not null,
    decided_at bigint
);
create unique index business_claim_business_id_user_id_key on business_claim (business_id, user_id);
create index business_claim_status_idx on business_claim (status);

create table business_revision (
    id integer primary key,
    business_id bigint not null references business (id) on delete cascade,
    author_id bigint references app_user (id) on delete set null,
    action text not null,
    changes text not null default '{}',
    reason text,
    created_at bigint not null
);
create index business_revision_business_id_idx on business_revision (business_id, id);

create table business_photo (
    id integer primary key,
    business_id bigint not null references business (id) on delete cascade,
    content_type text not null,
    full_bytes blob not null,
    thumb_bytes blob not null,
    width bigint not null,
    height bigint not null,
    created_at bigint not null
);
create index business_photo_business_id_idx on business_photo (business_id, id);

create table import_batch (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    user_id bigint references app_user (id) on delete set null,
    filename text not null,
    content blob not null,
    created_at bigint not null
);
create index import_batch_created_at_idx on import_batch (created_at);
