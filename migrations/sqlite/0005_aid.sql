-- Mutual aid: ads (offers and requests of help) by domain, profiles, conversations between
-- members, blocks, reports, the moderators' actions (audit log), suspensions, saved searches.

create table aid_setting (
    territory_id bigint primary key references territory (id) on delete cascade,
    moderation text not null,
    updated_at bigint not null
);

create table aid_domain (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    code text not null,
    name text not null,
    created_at bigint not null
);
create unique index aid_domain_territory_id_code_key on aid_domain (territory_id, code);

create table ad (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    author_id bigint not null references app_user (id) on delete cascade,
    business_id bigint references business (id) on delete set null,
    kind text not null,
    domain text not null,
    title text not null,
    description text not null,
    commune_id bigint references commune (id) on delete set null,
    place text,
    latitude real not null,
    longitude real not null,
    starts_on text,
    ends_on text,
    is_urgent boolean not null default false,
    status text not null,
    state text not null,
    search_text text not null,
    expires_at bigint not null,
    reminded_at bigint,
    created_at bigint not null,
    updated_at bigint not null
);
create index ad_territory_id_state_domain_latitude_idx on ad (territory_id, state, domain, latitude, longitude);
create index ad_state_domain_latitude_idx on ad (state, domain, latitude, longitude);
create index ad_territory_id_state_created_at_idx on ad (territory_id, state, created_at);
create index ad_author_id_created_at_idx on ad (author_id, created_at);
create index ad_expires_at_idx on ad (expires_at);

create table aid_profile (
    user_id bigint primary key references app_user (id) on delete cascade,
    presentation text not null default '',
    skills text not null default '',
    commune_id bigint references commune (id) on delete set null,
    is_hidden boolean not null default false,
    updated_at bigint not null
);

create table conversation (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    ad_id bigint references ad (id) on delete set null,
    starter_id bigint not null references app_user (id) on delete cascade,
    created_at bigint not null,
    last_message_at bigint not null
);
create unique index conversation_ad_id_starter_id_key on conversation (ad_id, starter_id);

create table conversation_member (
    conversation_id bigint not null references conversation (id) on delete cascade,
    user_id bigint not null references app_user (id) on delete cascade,
    last_read_id bigint not null default 0,
    notified_at bigint,
    has_pending_notice boolean not null default false,
    primary key (conversation_id, user_id)
);
create index conversation_member_user_id_idx on conversation_member (user_id);
create index conversation_member_has_pending_notice_idx on conversation_member (has_pending_notice);

create table message (
    id integer primary key,
    conversation_id bigint not null references conversation (id) on delete cascade,
    author_id bigint not null references app_user (id) on delete cascade,
    body text not null,
    is_hidden boolean not null default false,
    created_at bigint not null
);
create index message_conversation_id_id_idx on message (conversation_id, id);

create table member_block (
    blocker_id bigint not null references app_user (id) on delete cascade,
    blocked_id bigint not null references app_user (id) on delete cascade,
    created_at bigint not null,
    primary key (blocker_id, blocked_id)
);
create index member_block_blocked_id_idx on member_block (blocked_id);

create table report (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    reporter_id bigint references app_user (id) on delete set null,
    target_kind text not null,
    target_id bigint not null,
    target_user_id bigint references app_user (id) on delete cascade,
    reason text not null,
    status text not null,
    decided_by bigint references app_user (id) on delete set null,
    decided_at bigint,
    created_at bigint not null
);
create index report_territory_id_status_idx on report (territory_id, status, id);
create index report_target_user_id_idx on report (target_user_id);

create table moderation_action (
    id integer primary key,
    territory_id bigint not null references territory (id) on delete cascade,
    moderator_id bigint references app_user (id) on delete set null,
    action text not null,
    target_kind text not null,
    target_id bigint not null,
    report_id bigint references report (id) on delete set null,
    reason text not null,
    created_at bigint not null
);
create index moderation_action_territory_id_id_idx on moderation_action (territory_id, id);

create table aid_suspension (
    territory_id bigint not null references territory (id) on delete cascade,
    user_id bigint not null references app_user (id) on delete cascade,
    reason text not null,
    created_at bigint not null,
    primary key (territory_id, user_id)
);
create index aid_suspension_user_id_idx on aid_suspension (user_id);

create table saved_search (
    id integer primary key,
    user_id bigint not null references app_user (id) on delete cascade,
    territory_id bigint not null references territory (id) on delete cascade,
    query text not null,
    last_sent_at bigint not null,
    created_at bigint not null
);
create index saved_search_user_id_idx on saved_search (user_id);
create index saved_search_last_sent_at_idx on saved_search (last_sent_at);
