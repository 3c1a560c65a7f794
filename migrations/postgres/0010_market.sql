-- The market searches the products on sale of many shops at once, cheapest first or by name:
-- the products of each shop that are on sale, in price order, without reading the others.
create index product_business_id_available_price_cents_idx on product (business_id, available, price_cents);
