-- Catalogue: the products of each business, and the spreadsheets waiting for confirmation.

create table product (
    id bigint generated always as identity primary key,
    business_id bigint not null references business (id) on delete cascade,
    reference text not null,
    reference_key text not null,
    name text not null,
    description text not null default '',
    category text,
    unit text not null,
    price_cents bigint not null,
    vat_rate_bp bigint,
    stock bigint,
    available boolean not null default true,
    sold_by_weight boolean not null default false,
    estimated_weight_g bigint,
    organic boolean not null default false,
    local_label boolean not null default false,
    allergens text not null default '',
    ingredients text not null default '',
    search_text text not null,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index product_business_id_reference_key_key on product (business_id, reference_key);
create index product_business_id_category_name_idx on product (business_id, category, name);
create index product_business_id_name_idx on product (business_id, name);

create table product_photo (
    id bigint generated always as identity primary key,
    product_id bigint not null references product (id) on delete cascade,
    content_type text not null,
    full_bytes bytea not null,
    thumb_bytes bytea not null,
    width bigint not null,
    height bigint not null,
    created_at bigint not null
);
create index product_photo_product_id_idx on product_photo (product_id, id);

create table product_import (
    id bigint generated always as identity primary key,
    business_id bigint not null references business (id) on delete cascade,
    user_id bigint references app_user (id) on delete set null,
    filename text not null,
    content bytea not null,
    created_at bigint not null
);
create index product_import_created_at_idx on product_import (created_at);
