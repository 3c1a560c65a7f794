-- What a shop is told by email about its orders. No row: every new and cancelled order, no
-- daily summary.
create table order_notice (
    business_id bigint primary key references business (id) on delete cascade,
    each_order boolean not null default true,
    -- Local time of the day's summary, minutes after midnight; null: no summary.
    summary_minute bigint,
    -- The local day (YYYY-MM-DD) of the last summary sent, so that it goes once a day, from
    -- whichever server instance claims it first.
    summary_sent_on text not null default '',
    updated_at bigint not null
);
create index order_notice_summary_idx on order_notice (summary_minute) where summary_minute is not null;
