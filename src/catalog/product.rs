//! The catalogue's rules: what a valid product is, who may manage a business's products, what a
//! spreadsheet import does, and what the public sees.

use serde::{Deserialize, Serialize};

use super::dfc::{DfcImport, DfcReadError};
use super::spreadsheet::{self, Mapping, ProductReport, Table};
use super::store::{self, ProductSearch};
use super::{Allergen, Unit};
use crate::accounts::User;
use crate::db::Db;
use crate::directory::{self, Business, ListingState, StoredPhoto};
use crate::error::{AppError, AppResult, FieldError};

/// A product as stored.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Product {
    /// Identifier.
    pub id: i64,
    /// Its business.
    pub business_id: i64,
    /// The merchant's own reference (SKU), unique in the business.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Plain-text description.
    pub description: String,
    /// The merchant's category (free text, e.g. "Pains").
    pub category: Option<String>,
    /// Unit (stored name).
    pub unit: String,
    /// Price per unit, tax included, in cents.
    pub price_cents: i64,
    /// VAT rate in basis points (550 = 5.5 %).
    pub vat_rate_bp: Option<i64>,
    /// Units in stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Sold by weight: the final price is confirmed when prepared.
    pub sold_by_weight: bool,
    /// Estimated weight of one piece, in grams (for products sold by weight).
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Carries the territory's local label.
    pub local_label: bool,
    /// Allergens, comma-separated stored names.
    pub allergens: String,
    /// Ingredients.
    pub ingredients: String,
}

impl Product {
    /// The unit.
    pub fn unit(&self) -> Unit {
        Unit::parse(&self.unit).unwrap_or(Unit::Piece)
    }

    /// The allergens.
    pub fn allergen_list(&self) -> Vec<Allergen> {
        self.allergens.split(',').filter_map(Allergen::parse).collect()
    }

    /// True when it can be ordered now.
    pub fn in_stock(&self) -> bool {
        self.available && self.stock.is_none_or(|s| s > 0)
    }
}

/// A product as typed in a form or sent to the API.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProductInput {
    /// Reference (SKU), required, unique in the business.
    #[schema(required = true, max_length = 64, pattern = r"\S")]
    pub reference: String,
    /// Name, required.
    #[schema(required = true, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// Description.
    #[schema(max_length = 5000)]
    pub description: String,
    /// Category.
    #[schema(max_length = 80)]
    pub category: Option<String>,
    /// Unit: piece, kg, 100g, l, bunch, tray, jar, bottle, box, portion.
    #[schema(pattern = "^(piece|kg|100g|l|bunch|tray|jar|bottle|box|portion)?$")]
    pub unit: String,
    /// Price per unit in cents, tax included (≥ 0).
    #[schema(minimum = 0, maximum = 10000000)]
    pub price_cents: i64,
    /// VAT rate in basis points.
    #[schema(minimum = 0, maximum = 10000)]
    pub vat_rate_bp: Option<i64>,
    /// Stock; null is unlimited.
    #[schema(minimum = 0, maximum = 1000000000)]
    pub stock: Option<i64>,
    /// On sale (default true).
    #[serde(default = "yes")]
    pub available: bool,
    /// Sold by weight.
    pub sold_by_weight: bool,
    /// Estimated weight of a piece in grams.
    #[schema(minimum = 1, maximum = 1000000)]
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Local label.
    pub local_label: bool,
    /// Allergens.
    pub allergens: Vec<Allergen>,
    /// Ingredients.
    #[schema(max_length = 5000)]
    pub ingredients: String,
}

fn yes() -> bool {
    true
}

/// A checked product, ready to store; also what a spreadsheet row reads and what the exports write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanProduct {
    /// Reference.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: Option<String>,
    /// Unit.
    pub unit: Unit,
    /// Price.
    pub price_cents: i64,
    /// VAT.
    pub vat_rate_bp: Option<i64>,
    /// Stock.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// By weight.
    pub sold_by_weight: bool,
    /// Estimated weight.
    pub estimated_weight_g: Option<i64>,
    /// Organic.
    pub organic: bool,
    /// Local label.
    pub local_label: bool,
    /// Allergens, sorted, no duplicates.
    pub allergens: Vec<Allergen>,
    /// Ingredients.
    pub ingredients: String,
}

impl CleanProduct {
    /// The allergens as stored.
    pub fn allergens_text(&self) -> String {
        self.allergens.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The folded text searched in the catalogue (leading space: word prefixes match).
    pub fn search_text(&self) -> String {
        format!(
            " {} {} {} {}",
            directory::fold(&self.name),
            directory::fold(&self.reference),
            directory::fold(self.category.as_deref().unwrap_or("")),
            directory::fold(&self.description)
        )
    }
}

fn bounded(text: &str, max: usize, field: &'static str, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > max {
        errors.push(FieldError { field, message: "directory.error.too_long" });
    }
    text
}

/// The longest reference, in characters.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// The longest category, in characters.
pub const MAX_CATEGORY_CHARS: usize = 80;
/// The longest list of ingredients, in characters.
pub const MAX_INGREDIENTS_CHARS: usize = 5000;

/// Checks a product, whether it comes from a form, the API or a spreadsheet row: a reference and a name, a known unit, a price of zero or more (at most
/// 100,000 €), a stock of zero or more, a VAT rate between 0 and 100 %.
pub fn validate(input: &ProductInput) -> Result<CleanProduct, Vec<FieldError>> {
    let mut errors = Vec::new();
    let reference = bounded(&input.reference, MAX_REFERENCE_CHARS, "reference", &mut errors);
    if reference.is_empty() {
        errors.push(FieldError { field: "reference", message: "catalog.error.reference_required" });
    }
    let name = bounded(&input.name, MAX_NAME_CHARS, "name", &mut errors);
    if name.is_empty() {
        errors.push(FieldError { field: "name", message: "catalog.error.name_required" });
    }
    let description = bounded(&input.description, MAX_DESCRIPTION_CHARS, "description", &mut errors);
    let ingredients = bounded(&input.ingredients, MAX_INGREDIENTS_CHARS, "ingredients", &mut errors);
    let category = input
        .category
        .as_deref()
        .map(|c| bounded(c, MAX_CATEGORY_CHARS, "category", &mut errors))
        .filter(|c| !c.is_empty());
    let unit = if input.unit.trim().is_empty() { Some(Unit::Piece) } else { Unit::parse(input.unit.trim()) };
    if unit.is_none() {
        errors.push(FieldError { field: "unit", message: "catalog.error.unit" });
    }
    if !(0..=10_000_000).contains(&input.price_cents) {
        errors.push(FieldError { field: "price_cents", message: "catalog.error.price" });
    }
    if input.stock.is_some_and(|s| !(0..=1_000_000_000).contains(&s)) {
        errors.push(FieldError { field: "stock", message: "catalog.error.stock" });
    }
    if input.vat_rate_bp.is_some_and(|v| !(0..=10_000).contains(&v)) {
        errors.push(FieldError { field: "vat_rate_bp", message: "catalog.error.vat" });
    }
    if input.estimated_weight_g.is_some_and(|w| !(1..=1_000_000).contains(&w)) {
        errors.push(FieldError { field: "estimated_weight_g", message: "catalog.error.weight" });
    }
    let mut allergens = input.allergens.clone();
    allergens.sort_unstable();
    allergens.dedup();
    match unit {
        Some(unit) if errors.is_empty() => Ok(CleanProduct {
            reference,
            name,
            description,
            category,
            unit,
            price_cents: input.price_cents,
            vat_rate_bp: input.vat_rate_bp,
            stock: input.stock,
            available: input.available,
            sold_by_weight: input.sold_by_weight,
            estimated_weight_g: input.estimated_weight_g,
            organic: input.organic,
            local_label: input.local_label,
            allergens,
            ingredients,
        }),
        _ => Err(errors),
    }
}

impl From<&CleanProduct> for ProductInput {
    fn from(row: &CleanProduct) -> Self {
        Self {
            reference: row.reference.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            category: row.category.clone(),
            unit: row.unit.as_str().to_owned(),
            price_cents: row.price_cents,
            vat_rate_bp: row.vat_rate_bp,
            stock: row.stock,
            available: row.available,
            sold_by_weight: row.sold_by_weight,
            estimated_weight_g: row.estimated_weight_g,
            organic: row.organic,
            local_label: row.local_label,
            allergens: row.allergens.clone(),
            ingredients: row.ingredients.clone(),
        }
    }
}

impl From<&Product> for ProductInput {
    fn from(p: &Product) -> Self {
        Self {
            reference: p.reference.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            category: p.category.clone(),
            unit: p.unit.clone(),
            price_cents: p.price_cents,
            vat_rate_bp: p.vat_rate_bp,
            stock: p.stock,
            available: p.available,
            sold_by_weight: p.sold_by_weight,
            estimated_weight_g: p.estimated_weight_g,
            organic: p.organic,
            local_label: p.local_label,
            allergens: p.allergen_list(),
            ingredients: p.ingredients.clone(),
        }
    }
}

/// The business whose products `actor` manages: its owners and the territory's moderators.
pub async fn managed_business(db: &Db, actor: &User, business_id: i64) -> AppResult<Business> {
    let (business, access) = directory::view(db, Some(actor), business_id).await?;
    if !access.can_edit() {
        return Err(AppError::Forbidden);
    }
    Ok(business)
}

/// The business of a public catalogue: published listings only.
pub async fn public_business(
    db: &Db,
    viewer: Option<&User>,
    business_id: i64,
) -> AppResult<(Business, bool)> {
    let (business, access) = directory::view(db, viewer, business_id).await?;
    Ok((business, access.can_edit()))
}

/// Adds a product to a business (owners and moderators).
pub async fn create(db: &Db, actor: &User, business_id: i64, input: &ProductInput) -> AppResult<Product> {
    managed_business(db, actor, business_id).await?;
    let clean = validate(input).map_err(AppError::Invalid)?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, business_id, &clean)
        .await?
        .ok_or(AppError::Conflict("catalog.error.reference_taken"))?;
    let product = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(product)
}

/// The product `actor` manages, or an error (another merchant's product is forbidden).
pub async fn managed_product(db: &Db, actor: &User, product_id: i64) -> AppResult<Product> {
    let product = store::get(db, product_id).await?.ok_or(AppError::NotFound)?;
    managed_business(db, actor, product.business_id).await?;
    Ok(product)
}

/// Replaces a product's fields (owners and moderators).
pub async fn update(db: &Db, actor: &User, product_id: i64, input: &ProductInput) -> AppResult<Product> {
    managed_product(db, actor, product_id).await?;
    let clean = validate(input).map_err(AppError::Invalid)?;
    let mut tx = db.begin().await?;
    match store::update(&mut tx, product_id, &clean).await {
        Ok(()) => {}
        Err(err) if crate::db::is_unique_violation(&err, "product_business_id_reference_key_key") => {
            return Err(AppError::Conflict("catalog.error.reference_taken"));
        }
        Err(err) => return Err(err.into()),
    }
    let product = store::get(&mut tx, product_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(product)
}

/// Deletes a product (owners and moderators).
pub async fn delete(db: &Db, actor: &User, product_id: i64) -> AppResult<()> {
    managed_product(db, actor, product_id).await?;
    store::delete(db, product_id).await
}

/// Copies a product under a new reference ("<ref>-COPIE", numbered if needed), not on sale.
pub async fn duplicate(db: &Db, actor: &User, product_id: i64) -> AppResult<Product> {
    let product = managed_product(db, actor, product_id).await?;
    let mut input = ProductInput::from(&product);
    input.available = false;
    for n in 1..100 {
        input.reference = if n == 1 {
            format!("{}-COPIE", product.reference)
        } else {
            format!("{}-COPIE{n}", product.reference)
        };
        input.name = format!("{} (copie)", product.name);
        match create(db, actor, product.business_id, &input).await {
            Err(AppError::Conflict(_)) => continue,
            other => return other,
        }
    }
    Err(AppError::Conflict("catalog.error.reference_taken"))
}

/// Puts several products of a business on sale or off sale at once.
pub async fn set_available(
    db: &Db,
    actor: &User,
    business_id: i64,
    product_ids: &[i64],
    available: bool,
) -> AppResult<u64> {
    managed_business(db, actor, business_id).await?;
    store::set_available(db, business_id, product_ids, available).await
}

/// A page of a business's products.
pub struct ProductPage {
    /// The products.
    pub items: Vec<Product>,
    /// True when another page follows.
    pub has_more: bool,
}

/// Searches a business's catalogue; only products on sale unless `include_unavailable`.
pub async fn search(db: &Db, business_id: i64, search: &ProductSearch) -> AppResult<ProductPage> {
    let mut items = store::search(db, business_id, search, search.limit + 1).await?;
    let has_more = items.len() as i64 > search.limit;
    items.truncate(usize::try_from(search.limit).unwrap_or(0));
    Ok(ProductPage { items, has_more })
}

/// The categories of a business's catalogue with their product counts.
pub async fn categories(
    db: &Db,
    business_id: i64,
    include_unavailable: bool,
) -> AppResult<Vec<(String, i64)>> {
    store::categories(db, business_id, include_unavailable).await
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// New products.
    pub created: usize,
    /// Products whose values changed.
    pub updated: usize,
    /// Products already identical.
    pub unchanged: usize,
}

/// Reads an uploaded spreadsheet (owners and moderators) and keeps it for confirmation.
pub async fn import_upload(
    db: &Db,
    actor: &User,
    business_id: i64,
    filename: &str,
    content: &[u8],
) -> AppResult<(i64, Table, Mapping)> {
    managed_business(db, actor, business_id).await?;
    let table = spreadsheet::read_table(content)?;
    let mapping = spreadsheet::detect_mapping(&table.headers);
    let id = store::insert_import(db, business_id, actor.id, filename, content).await?;
    Ok((id, table, mapping))
}

/// An uploaded spreadsheet read again (for the mapping page and the confirmation).
pub async fn import_table(
    db: &Db,
    actor: &User,
    business_id: i64,
    import_id: i64,
) -> AppResult<(String, Table)> {
    managed_business(db, actor, business_id).await?;
    let (filename, content) =
        store::get_import(db, import_id, business_id).await?.ok_or(AppError::NotFound)?;
    let table = spreadsheet::read_table(&content)?;
    Ok((filename, table))
}

/// Imports the valid rows in one transaction, upserting on the reference, so that importing the
/// same file again changes nothing (owners and moderators).
pub async fn import_rows(
    db: &Db,
    actor: &User,
    business_id: i64,
    report: &ProductReport,
) -> AppResult<ImportOutcome> {
    managed_business(db, actor, business_id).await?;
    let mut outcome = ImportOutcome::default();
    let mut tx = db.begin().await?;
    for row in &report.accepted {
        let clean = validate(&ProductInput::from(&row.product)).map_err(AppError::Invalid)?;
        match store::by_reference(&mut tx, business_id, &clean.reference).await? {
            Some(existing) => {
                let same = validate(&ProductInput::from(&existing)).is_ok_and(|current| current == clean);
                if same {
                    outcome.unchanged += 1;
                } else {
                    store::update(&mut tx, existing.id, &clean).await?;
                    outcome.updated += 1;
                }
            }
            None => {
                store::insert(&mut tx, business_id, &clean)
                    .await?
                    .ok_or(AppError::Conflict("catalog.error.reference_taken"))?;
                outcome.created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Every product of a business, for the exports (owners and moderators see unavailable ones too;
/// the public sees what is on sale).
pub async fn all_products(db: &Db, business_id: i64, include_unavailable: bool) -> AppResult<Vec<Product>> {
    let search = ProductSearch { include_unavailable, limit: 1_000_000, ..ProductSearch::default() };
    store::search(db, business_id, &search, 1_000_000).await
}

/// The business of a catalogue must be published for the public (its owners see it anyway).
pub fn is_public(business: &Business) -> bool {
    business.state() == ListingState::Published
}

/// Reads a price typed by a person: "1,20", "1.20 €", "12", "1 234,50" → cents. Integer
/// arithmetic on the digits: a price is never a float.
pub fn parse_price_cents(text: &str) -> Option<i64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€' && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if cleaned.is_empty() || cleaned.starts_with('-') {
        return None;
    }
    let (units, fraction) = match cleaned.split_once([',', '.']) {
        Some((u, f)) => (u, f),
        None => (cleaned.as_str(), ""),
    };
    if units.is_empty() && fraction.is_empty() {
        return None;
    }
    if !units.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
    {
        return None;
    }
    let units: i64 = if units.is_empty() { 0 } else { units.parse().ok()? };
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    units.checked_mul(100)?.checked_add(fraction)
}

/// Reads a stock typed by a person: empty is unlimited; otherwise a whole number ≥ 0.
pub fn parse_stock(text: &str) -> Result<Option<i64>, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<i64>().ok().filter(|s| *s >= 0).map(Some).ok_or("catalog.error.stock")
}

/// Photos a product may have.
pub const MAX_PHOTOS: usize = 4;

/// Adds a photo to a product (owners and moderators): checked, re-encoded, resized, stripped
/// of its metadata, like the listings' photos.
pub async fn add_photo(db: &Db, actor: &User, product_id: i64, upload: Vec<u8>) -> AppResult<i64> {
    managed_product(db, actor, product_id).await?;
    if store::photo_ids(db, &[product_id]).await?.len() >= MAX_PHOTOS {
        return Err(AppError::invalid("photo", "catalog.photo.too_many"));
    }
    let processed = directory::process_upload(upload).await?;
    let mut tx = db.begin().await?;
    let id = store::insert_photo(&mut tx, product_id, &processed).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a photo of a product (owners and moderators).
pub async fn remove_photo(db: &Db, actor: &User, product_id: i64, photo_id: i64) -> AppResult<()> {
    managed_product(db, actor, product_id).await?;
    if store::delete_photo(db, product_id, photo_id).await? { Ok(()) } else { Err(AppError::NotFound) }
}

/// A product photo's bytes, if the product's business is visible to `viewer` and the product is
/// on sale (or `viewer` manages it).
pub async fn photo(db: &Db, viewer: Option<&User>, photo_id: i64, thumbnail: bool) -> AppResult<StoredPhoto> {
    let (product_id, content_type, bytes) =
        store::photo_bytes(db, photo_id, thumbnail).await?.ok_or(AppError::NotFound)?;
    let product = store::get(db, product_id).await?.ok_or(AppError::NotFound)?;
    let (business, can_edit) = public_business(db, viewer, product.business_id).await?;
    if !product.available && !can_edit {
        return Err(AppError::NotFound);
    }
    let public = product.available && business.state() == directory::ListingState::Published;
    Ok(StoredPhoto { content_type, bytes, public })
}

/// How long reading a DFC catalogue may take.
const DFC_READ_TIME: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads a DFC catalogue (JSON-LD bytes) on a blocking thread, not on the ones serving requests,
/// within [`DFC_READ_TIME`]: an unreadable document is a 400, one too large or too slow to read a
/// 422 naming the cause.
pub async fn read_dfc(bytes: Vec<u8>) -> AppResult<DfcImport> {
    let deadline = std::time::Instant::now() + DFC_READ_TIME;
    let reading = tokio::task::spawn_blocking(move || {
        let document: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| DfcReadError::Unreadable(e.to_string()))?;
        super::dfc::jsonld_to_catalog_before(&document, Some(deadline))
    });
    let too_slow = || AppError::invalid("file", "catalog.import.dfc_too_slow");
    match tokio::time::timeout(DFC_READ_TIME, reading).await {
        Ok(Ok(Ok(read))) => Ok(read),
        Ok(Ok(Err(DfcReadError::Unreadable(_)))) => {
            Err(AppError::BadRequest("catalog.import.dfc_unreadable"))
        }
        Ok(Ok(Err(DfcReadError::TooManyNodes))) => {
            Err(AppError::invalid("file", "catalog.import.dfc_too_many_nodes"))
        }
        Ok(Ok(Err(DfcReadError::TooSlow))) | Err(_) => Err(too_slow()),
        Ok(Err(join)) => Err(AppError::Internal(join.into())),
    }
}

/// Imports a Data Food Consortium catalogue into a business (owners and moderators), in one
/// transaction, upserting on the reference. Fields DFC does not carry (category, allergens,
/// ingredients, weights, local label) keep their current values.
pub async fn import_dfc(
    db: &Db,
    actor: &User,
    business_id: i64,
    read: &DfcImport,
) -> AppResult<(ImportOutcome, Vec<String>)> {
    managed_business(db, actor, business_id).await?;
    let mut outcome = ImportOutcome::default();
    let mut problems = read.problems.clone();
    let mut tx = db.begin().await?;
    for item in &read.products {
        let existing = store::by_reference(&mut tx, business_id, &item.reference).await?;
        let mut input = existing.as_ref().map(ProductInput::from).unwrap_or_default();
        input.reference = item.reference.clone();
        input.name = item.name.clone();
        input.description = item.description.clone();
        input.unit = item.unit.as_str().to_owned();
        input.price_cents = item.price_cents;
        input.vat_rate_bp = item.vat_rate_bp;
        input.stock = item.stock;
        input.available = item.available;
        input.organic = item.organic;
        let clean = match validate(&input) {
            Ok(clean) => clean,
            Err(_) => {
                problems.push(format!("{} : {}", item.reference, item.name));
                continue;
            }
        };
        match existing {
            Some(product)
                if validate(&ProductInput::from(&product)).is_ok_and(|current| current == clean) =>
            {
                outcome.unchanged += 1
            }
            Some(product) => {
                store::update(&mut tx, product.id, &clean).await?;
                outcome.updated += 1;
            }
            None => {
                store::insert(&mut tx, business_id, &clean)
                    .await?
                    .ok_or(AppError::Conflict("catalog.error.reference_taken"))?;
                outcome.created += 1;
            }
        }
    }
    tx.commit().await?;
    Ok((outcome, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_exact_cents() {
        assert_eq!(parse_price_cents("1,20"), Some(120));
        assert_eq!(parse_price_cents(" 1.2 € "), Some(120));
        assert_eq!(parse_price_cents("1 234,50"), Some(123_450));
        assert_eq!(parse_price_cents("12"), Some(1200));
        assert_eq!(parse_price_cents("0,05"), Some(5));
        assert_eq!(parse_price_cents("gratuit"), None);
        assert_eq!(parse_price_cents("-3"), None);
        assert_eq!(parse_price_cents("1,234"), None);
        assert_eq!(parse_price_cents(""), None);
    }

    #[test]
    fn an_empty_stock_is_unlimited() {
        assert_eq!(parse_stock(""), Ok(None));
        assert_eq!(parse_stock("12"), Ok(Some(12)));
        assert_eq!(parse_stock("abc"), Err("catalog.error.stock"));
        assert_eq!(parse_stock("-1"), Err("catalog.error.stock"));
    }

    #[test]
    fn a_product_needs_a_reference_a_name_and_a_known_unit() {
        let input = ProductInput {
            reference: "PAIN-01".into(),
            name: "Baguette".into(),
            unit: "piece".into(),
            price_cents: 120,
            available: true,
            ..ProductInput::default()
        };
        let clean = validate(&input).unwrap();
        assert_eq!(clean.unit, Unit::Piece);
        let bad = ProductInput { unit: "stere".into(), price_cents: -1, ..input };
        let fields: Vec<_> = validate(&bad).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["unit", "price_cents"]);
    }
}
