-- API tokens expire a year after they are made (existing ones a year after their creation).
alter table api_token add column expires_at bigint;
update api_token set expires_at = created_at + 31536000;
create index api_token_expires_at_idx on api_token (expires_at);

-- What an order request held, hashed, so that an idempotency key sent again with another
-- content is refused rather than answered with the first order.
alter table customer_order add column request_hash text;
