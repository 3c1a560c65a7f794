//! All of the catalogue's SQL: products and uploaded spreadsheets.

use super::{CleanProduct, Product};
use crate::db::{Arg, Db, Exec, Tx, now};
use crate::error::AppResult;
use crate::{bind_args, on_db, on_exec, on_tx};

const COLUMNS: &str = "id, business_id, reference, name, description, category, unit, price_cents, vat_rate_bp, \
    stock, available, sold_by_weight, estimated_weight_g, organic, local_label, allergens, ingredients";

/// Inserts a product; `None` when the business already has this reference.
pub async fn insert(tx: &mut Tx, business_id: i64, p: &CleanProduct) -> AppResult<Option<i64>> {
    let now = now();
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into product (business_id, reference, reference_key, name, description, category, unit, price_cents,
            vat_rate_bp, stock, available, sold_by_weight, estimated_weight_g, organic, local_label, allergens,
            ingredients, search_text, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)
         on conflict (business_id, reference_key) do nothing returning id")
        .bind(business_id).bind(&p.reference).bind(p.reference.to_lowercase()).bind(&p.name).bind(&p.description)
        .bind(&p.category).bind(p.unit.as_str()).bind(p.price_cents).bind(p.vat_rate_bp).bind(p.stock)
        .bind(p.available).bind(p.sold_by_weight).bind(p.estimated_weight_g).bind(p.organic).bind(p.local_label)
        .bind(p.allergens_text()).bind(&p.ingredients).bind(p.search_text()).bind(now)
        .fetch_optional(&mut **conn).await)?)
}

/// Overwrites a product's fields; fails with a unique violation of
/// `product_business_id_reference_key_key` when the new reference is taken.
pub async fn update(tx: &mut Tx, id: i64, p: &CleanProduct) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "update product set reference = $2, reference_key = $3, name = $4, description = $5, category = $6,
            unit = $7, price_cents = $8, vat_rate_bp = $9, stock = $10, available = $11, sold_by_weight = $12,
            estimated_weight_g = $13, organic = $14, local_label = $15, allergens = $16, ingredients = $17,
            search_text = $18, updated_at = $19
         where id = $1")
        .bind(id).bind(&p.reference).bind(p.reference.to_lowercase()).bind(&p.name).bind(&p.description)
        .bind(&p.category).bind(p.unit.as_str()).bind(p.price_cents).bind(p.vat_rate_bp).bind(p.stock)
        .bind(p.available).bind(p.sold_by_weight).bind(p.estimated_weight_g).bind(p.organic).bind(p.local_label)
        .bind(p.allergens_text()).bind(&p.ingredients).bind(p.search_text()).bind(now())
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One product.
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<Product>> {
    let sql = format!("select {COLUMNS} from product where id = $1");
    Ok(on_exec!(ex.into(), conn => sqlx::query_as::<_, Product>(&sql).bind(id).fetch_optional(conn).await)?)
}

/// The product of a business with this reference (case-insensitive).
pub async fn by_reference(tx: &mut Tx, business_id: i64, reference: &str) -> AppResult<Option<Product>> {
    let sql = format!("select {COLUMNS} from product where business_id = $1 and reference_key = $2");
    Ok(on_tx!(tx, conn => sqlx::query_as::<_, Product>(&sql)
        .bind(business_id).bind(reference.to_lowercase()).fetch_optional(&mut **conn).await)?)
}

/// Deletes a product.
pub async fn delete(db: &Db, id: i64) -> AppResult<()> {
    on_db!(db, pool => sqlx::query("delete from product where id = $1").bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Puts products of a business on or off sale; returns how many changed.
pub async fn set_available(db: &Db, business_id: i64, ids: &[i64], available: bool) -> AppResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    // Integers formatted here, never request text.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "update product set available = $1, updated_at = $2 where business_id = $3 and id in ({list})"
    );
    Ok(
        on_db!(db, pool => sqlx::query(&sql).bind(available).bind(now()).bind(business_id).execute(pool).await.map(|r| r.rows_affected()))?,
    )
}

/// A search in one business's catalogue, or in the market (several businesses' at once): the
/// same words, filters and paging either way.
#[derive(Clone, Debug, Default)]
pub struct ProductSearch {
    /// Words (word prefixes, case and accents ignored).
    pub text: String,
    /// A category, exactly.
    pub category: Option<String>,
    /// Include products not on sale (the back-office).
    pub include_unavailable: bool,
    /// Only what can be ordered now: on sale, and in stock or unlimited.
    pub in_stock_only: bool,
    /// Only organic products.
    pub organic: bool,
    /// Only products carrying the territory's local label.
    pub local_label: bool,
    /// Results skipped.
    pub offset: i64,
    /// Page size.
    pub limit: i64,
}

/// The folded words of a search (at most eight), each to be found as a word prefix.
fn search_words(text: &str) -> Vec<String> {
    crate::directory::fold(text).split(' ').filter(|w| !w.is_empty()).take(8).map(str::to_owned).collect()
}

/// The name of the substring-position function: `instr` on SQLite, `strpos` on PostgreSQL.
fn find_function(db: &Db) -> &'static str {
    match db.backend() {
        crate::db::Backend::Sqlite => "instr",
        crate::db::Backend::Postgres => "strpos",
    }
}

/// The conditions of a search after `where <scope>`, each value pushed onto `args`.
fn search_conditions(db: &Db, search: &ProductSearch, args: &mut Vec<Arg>) -> String {
    let mut conditions = String::new();
    // " word" inside the folded text matches a word prefix (see the directory's search).
    let find = find_function(db);
    for word in search_words(&search.text) {
        args.push(Arg::Text(format!(" {word}")));
        conditions.push_str(&format!(" and {find}(search_text, ${}) > 0", args.len()));
    }
    if let Some(category) = &search.category {
        args.push(Arg::Text(category.clone()));
        conditions.push_str(&format!(" and category = ${}", args.len()));
    }
    if !search.include_unavailable || search.in_stock_only {
        conditions.push_str(" and available = true");
    }
    if search.in_stock_only {
        conditions.push_str(" and (stock is null or stock > 0)");
    }
    if search.organic {
        conditions.push_str(" and organic = true");
    }
    if search.local_label {
        conditions.push_str(" and local_label = true");
    }
    conditions
}

/// Products of a business matching a search, by category then name, `limit` from `offset`.
pub async fn search(
    db: &Db,
    business_id: i64,
    search: &ProductSearch,
    limit: i64,
) -> AppResult<Vec<Product>> {
    let mut args = vec![Arg::Int(business_id)];
    let conditions = search_conditions(db, search, &mut args);
    let sql = format!(
        "select {COLUMNS} from product where business_id = $1 {conditions}
         order by category, name, id limit {} offset {}",
        limit.max(0),
        search.offset.max(0)
    );
    Ok(on_db!(db, pool => bind_args!(sqlx::query_as::<_, Product>(&sql), &args).fetch_all(pool).await)?)
}

/// The order of the market's results.
#[derive(Clone, Copy, Debug)]
pub enum MarketOrder<'a> {
    /// Products whose name holds the first word come first (it is the start of the searched
    /// text), then by name (folded).
    Relevance,
    /// Cheapest first, then by name (folded).
    Price,
    /// By business, in the order of this list (nearest first), then by relevance.
    Businesses(&'a [i64]),
}

/// Integers formatted here, never request text.
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Products of several businesses matching a search, `limit` from `offset` in `order`.
pub async fn market(
    db: &Db,
    business_ids: &[i64],
    search: &ProductSearch,
    order: MarketOrder<'_>,
    limit: i64,
) -> AppResult<Vec<Product>> {
    if business_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Vec::new();
    let conditions = search_conditions(db, search, &mut args);
    // Names are compared folded (the searched text starts with the folded name), so that the
    // order ignores case and accents and is the same on both databases, whatever the collation.
    let relevance = match search_words(&search.text).first() {
        // The first word's position: 1 when the name starts with it, small inside the name,
        // larger in the reference, category or description that follow it.
        Some(word) => {
            args.push(Arg::Text(format!(" {word}")));
            format!("{}(search_text, ${}), search_text, id", find_function(db), args.len())
        }
        None => "search_text, id".to_owned(),
    };
    let order = match order {
        MarketOrder::Relevance => relevance,
        MarketOrder::Price => "price_cents, search_text, id".to_owned(),
        MarketOrder::Businesses(ranked) => {
            let ranks: String =
                ranked.iter().enumerate().map(|(rank, id)| format!(" when {id} then {rank}")).collect();
            format!("case business_id{ranks} else {} end, {relevance}", ranked.len())
        }
    };
    let sql = format!(
        "select {COLUMNS} from product where business_id in ({}) {conditions}
         order by {order} limit {} offset {}",
        id_list(business_ids),
        limit.max(0),
        search.offset.max(0)
    );
    Ok(on_db!(db, pool => bind_args!(sqlx::query_as::<_, Product>(&sql), &args).fetch_all(pool).await)?)
}

/// The categories of the products that can be ordered from these businesses, with their counts.
pub async fn market_categories(db: &Db, business_ids: &[i64]) -> AppResult<Vec<(String, i64)>> {
    if business_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select category, count(*) from product
         where business_id in ({}) and category is not null and available = true and (stock is null or stock > 0)
         group by category order by category",
        id_list(business_ids)
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, i64)>(&sql).fetch_all(pool).await)?)
}

/// The categories of a business's products with their counts.
pub async fn categories(
    db: &Db,
    business_id: i64,
    include_unavailable: bool,
) -> AppResult<Vec<(String, i64)>> {
    let filter = if include_unavailable { "" } else { " and available = true" };
    let sql = format!(
        "select category, count(*) from product where business_id = $1 and category is not null{filter}
         group by category order by category"
    );
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, i64)>(&sql).bind(business_id).fetch_all(pool).await)?)
}

/// Keeps an uploaded spreadsheet until its import is confirmed.
pub async fn insert_import(
    db: &Db,
    business_id: i64,
    user_id: i64,
    filename: &str,
    content: &[u8],
) -> AppResult<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "insert into product_import (business_id, user_id, filename, content, created_at) values ($1, $2, $3, $4, $5) returning id")
        .bind(business_id).bind(user_id).bind(filename).bind(content).bind(now()).fetch_one(pool).await)?)
}

/// An uploaded spreadsheet of a business: (file name, content).
pub async fn get_import(db: &Db, id: i64, business_id: i64) -> AppResult<Option<(String, Vec<u8>)>> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, Vec<u8>)>(
        "select filename, content from product_import where id = $1 and business_id = $2")
        .bind(id).bind(business_id).fetch_optional(pool).await)?)
}

/// Forgets uploaded spreadsheets older than `before` (cleaner job).
pub async fn purge_imports(db: &Db, before: i64) -> AppResult<u64> {
    Ok(on_db!(db, pool => sqlx::query("delete from product_import where created_at < $1")
        .bind(before).execute(pool).await.map(|r| r.rows_affected()))?)
}

/// Stores a processed photo of a product.
pub async fn insert_photo(
    tx: &mut Tx,
    product_id: i64,
    photo: &crate::directory::photo::ProcessedPhoto,
) -> AppResult<i64> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "insert into product_photo (product_id, content_type, full_bytes, thumb_bytes, width, height, created_at)
         values ($1, $2, $3, $4, $5, $6, $7) returning id")
        .bind(product_id).bind(photo.full.content_type).bind(&photo.full.bytes).bind(&photo.thumbnail.bytes)
        .bind(i64::from(photo.full.width)).bind(i64::from(photo.full.height)).bind(now())
        .fetch_one(&mut **conn).await)?)
}

/// The photo ids of several products, as (product id, photo id), oldest first (one query).
pub async fn photo_ids(db: &Db, product_ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers formatted here, never request text.
    let list = product_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("select product_id, id from product_photo where product_id in ({list}) order by id");
    Ok(on_db!(db, pool => sqlx::query_as::<_, (i64, i64)>(&sql).fetch_all(pool).await)?)
}

/// A product photo's bytes (full or thumbnail) with its content type and product.
pub async fn photo_bytes(db: &Db, id: i64, thumbnail: bool) -> AppResult<Option<(i64, String, Vec<u8>)>> {
    let sql = if thumbnail {
        "select product_id, content_type, thumb_bytes from product_photo where id = $1"
    } else {
        "select product_id, content_type, full_bytes from product_photo where id = $1"
    };
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, (i64, String, Vec<u8>)>(sql).bind(id).fetch_optional(pool).await)?,
    )
}

/// Deletes a photo of a product; false when the product has no such photo.
pub async fn delete_photo(db: &Db, product_id: i64, photo_id: i64) -> AppResult<bool> {
    let done = on_db!(db, pool => sqlx::query("delete from product_photo where id = $1 and product_id = $2")
        .bind(photo_id).bind(product_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Products by id (one query).
pub async fn by_ids(db: &Db, ids: &[i64]) -> AppResult<Vec<Product>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("select {COLUMNS} from product where id in ({list})");
    Ok(on_db!(db, pool => sqlx::query_as::<_, Product>(&sql).fetch_all(pool).await)?)
}

/// Takes `quantity` units of a product that is on sale, in one conditional statement (unlimited
/// stock stays unlimited); false when it is off sale or short. Callers that have read the
/// product skip it for unlimited stock, so that concurrent orders do not queue on its row.
pub async fn take_stock(tx: &mut Tx, product_id: i64, quantity: i64) -> AppResult<bool> {
    let taken = on_tx!(tx, conn => sqlx::query(
        "update product set stock = stock - $1 where id = $2 and available = $3 and (stock is null or stock >= $1)")
        .bind(quantity).bind(product_id).bind(true)
        .execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(taken == 1)
}

/// Gives units back to a product's stock (nothing to do for unlimited stock).
pub async fn give_back_stock(tx: &mut Tx, product_id: i64, quantity: i64) -> AppResult<()> {
    on_tx!(tx, conn => sqlx::query("update product set stock = stock + $1 where id = $2 and stock is not null")
        .bind(quantity).bind(product_id).execute(&mut **conn).await.map(|r| r.rows_affected()))?;
    Ok(())
}
