-- Drive: pickup points, slot templates and slots, carts, orders and their history.

create table pickup_point (
    id bigint generated always as identity primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    business_id bigint references business (id) on delete cascade,
    name text not null,
    address text not null default '',
    created_at bigint not null
);
create index pickup_point_territory_id_idx on pickup_point (territory_id, business_id);
create index pickup_point_business_id_idx on pickup_point (business_id);

create table order_settings (
    business_id bigint primary key references business (id) on delete cascade,
    is_paused boolean not null default false,
    cutoff_days bigint,
    cutoff_minute bigint not null default 1080,
    lead_minutes bigint not null default 60,
    days_ahead bigint not null default 14,
    payment_methods text not null default 'cash',
    delivery_fee_cents bigint not null default 0,
    delivery_minimum_cents bigint not null default 0,
    delivery_communes text not null default '',
    slots_through text not null default '',
    updated_at bigint not null
);

create table slot_template (
    id bigint generated always as identity primary key,
    business_id bigint not null references business (id) on delete cascade,
    pickup_point_id bigint references pickup_point (id) on delete cascade,
    weekday bigint not null,
    start_minute bigint not null,
    end_minute bigint not null,
    slot_minutes bigint not null,
    capacity bigint not null,
    created_at bigint not null
);
create index slot_template_business_id_idx on slot_template (business_id, weekday);

create table slot_closure (
    id bigint generated always as identity primary key,
    business_id bigint not null references business (id) on delete cascade,
    first_day text not null,
    last_day text not null,
    reason text not null default '',
    created_at bigint not null
);
create index slot_closure_business_id_idx on slot_closure (business_id, last_day);

create table pickup_slot (
    id bigint generated always as identity primary key,
    business_id bigint not null references business (id) on delete cascade,
    pickup_point_id bigint references pickup_point (id) on delete cascade,
    point_key bigint not null,
    starts_at bigint not null,
    ends_at bigint not null,
    capacity bigint not null,
    reserved bigint not null default 0,
    template_id bigint references slot_template (id) on delete set null,
    created_at bigint not null
);
create unique index pickup_slot_business_id_point_key_starts_at_key on pickup_slot (business_id, point_key, starts_at);
create index pickup_slot_business_id_starts_at_idx on pickup_slot (business_id, starts_at);

create table cart_item (
    id bigint generated always as identity primary key,
    owner_key text not null,
    product_id bigint not null references product (id) on delete cascade,
    quantity bigint not null,
    added_at bigint not null
);
create unique index cart_item_owner_key_product_id_key on cart_item (owner_key, product_id);
create index cart_item_added_at_idx on cart_item (added_at);

create table customer_order (
    id bigint generated always as identity primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    business_id bigint not null references business (id) on delete cascade,
    customer_id bigint references app_user (id) on delete set null,
    customer_name text not null,
    customer_key text not null,
    status text not null,
    fulfilment text not null,
    slot_id bigint not null references pickup_slot (id),
    starts_at bigint not null,
    ends_at bigint not null,
    pickup_point_name text not null default '',
    delivery_address text not null default '',
    delivery_commune_id bigint,
    payment text not null,
    subtotal_cents bigint not null,
    delivery_fee_cents bigint not null default 0,
    total_cents bigint not null,
    note text not null default '',
    idempotency_key text,
    created_at bigint not null,
    updated_at bigint not null
);
create unique index customer_order_idempotency_key_key on customer_order (idempotency_key);
create index customer_order_customer_id_idx on customer_order (customer_id, created_at);
create index customer_order_business_id_starts_at_idx on customer_order (business_id, starts_at);
create index customer_order_business_id_created_at_idx on customer_order (business_id, created_at);
create index customer_order_slot_id_idx on customer_order (slot_id);

create table order_line (
    id bigint generated always as identity primary key,
    order_id bigint not null references customer_order (id) on delete cascade,
    product_id bigint references product (id) on delete set null,
    reference text not null,
    name text not null,
    unit text not null,
    quantity bigint not null,
    unit_price_cents bigint not null,
    line_cents bigint not null,
    sold_by_weight boolean not null default false,
    weighed_cents bigint
);
create index order_line_order_id_idx on order_line (order_id);
create index order_line_product_id_idx on order_line (product_id);

create table order_event (
    id bigint generated always as identity primary key,
    order_id bigint not null references customer_order (id) on delete cascade,
    status text not null,
    actor_id bigint references app_user (id) on delete set null,
    reason text not null default '',
    created_at bigint not null
);
create index order_event_order_id_idx on order_event (order_id, id);
