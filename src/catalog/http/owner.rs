//! The catalogue's pages: the public catalogue of a business, and the merchant's back-office
//! (list with quick edits, product form, bulk on/off sale, duplicate, spreadsheet import).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use crate::accounts::User;
use crate::app::{AppState, UPLOAD_MAX_BYTES};
use crate::catalog::spreadsheet::{self, Field, Mapping, ProductReport, Table};
use crate::catalog::store::ProductSearch;
use crate::catalog::{Allergen, Product, ProductInput, Unit, parse_price_cents, parse_stock};
use crate::directory::Business;
use crate::error::{AppError, AppResult, FieldError};
use crate::territory::Territory;
use crate::web::form::FormFields;
use crate::web::i18n::Lang;
use crate::web::page::Page;
use crate::web::territory::{Managed, ManagerPage, territory_of};
use crate::web::upload::{photo_added_flash, photo_routes, read_file_field, read_photo_field};
use crate::web::{FormErrors, render, render_status, see_other};

/// Products per page of the public catalogue.
const PER_PAGE: i64 = 48;

/// The catalogue routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/t/{slug}/annuaire/{id}/catalogue", get(show_catalog))
        .route("/t/{slug}/annuaire/{id}/produits", get(show_products))
        .route("/t/{slug}/annuaire/{id}/produits/nouveau", get(show_new).post(create_product))
        .route("/t/{slug}/annuaire/{id}/produits/lot", post(bulk_update))
        .route(
            "/t/{slug}/annuaire/{id}/produits/import",
            get(show_upload).post(upload).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/annuaire/{id}/produits/import/{import}", get(show_mapping).post(confirm_import))
        .route(
            "/t/{slug}/annuaire/{id}/produits/import-dfc",
            post(import_dfc).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/annuaire/{id}/produits/{product}", get(show_edit).post(edit_product))
        .route("/t/{slug}/annuaire/{id}/produits/{product}/rapide", post(quick_edit))
        .route("/t/{slug}/annuaire/{id}/produits/{product}/dupliquer", post(duplicate_product))
        .route("/t/{slug}/annuaire/{id}/produits/{product}/supprimer", post(delete_product))
        .route(
            "/t/{slug}/annuaire/{id}/produits/{product}/photos",
            post(add_photo).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/t/{slug}/annuaire/{id}/produits/{product}/photos/{photo}/supprimer", post(remove_photo))
        .merge(photo_routes("/photos/produits/{photo}", |state, viewer, id, thumbnail| async move {
            crate::catalog::photo(&state.db, viewer.as_ref(), id, thumbnail).await
        }))
}

async fn business_in(
    state: &AppState,
    page: &Page,
    slug: &str,
    id: i64,
) -> AppResult<(Territory, Business, bool)> {
    let territory = territory_of(state, slug).await?;
    let (business, can_edit) = crate::catalog::public_business(&state.db, page.user.as_ref(), id).await?;
    if business.territory_id != territory.id {
        return Err(AppError::NotFound);
    }
    Ok((territory, business, can_edit))
}

#[derive(Deserialize, Default)]
struct CatalogQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    page: String,
}

impl CatalogQuery {
    fn page_number(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 100_000)
    }

    fn href(&self, base: &str, page: i64) -> String {
        crate::web::list_href(base, &[("q", &self.q), ("categorie", &self.categorie)], page)
    }
}

#[derive(Template)]
#[template(path = "catalog/public.html")]
struct CatalogPage {
    page: Page,
    territory: Territory,
    business: Business,
    categories: Vec<(String, i64)>,
    query: CatalogQuery,
    products: Vec<Product>,
    photos: Vec<(i64, i64)>,
    previous: Option<String>,
    next: Option<String>,
    can_edit: bool,
    takes_orders: bool,
}

impl CatalogPage {
    /// The first photo of a product on this page, if it has one.
    fn photo_of(&self, product_id: &i64) -> Option<i64> {
        self.photos.iter().find(|(p, _)| p == product_id).map(|(_, photo)| *photo)
    }
}

async fn show_catalog(
    State(state): State<AppState>,
    page: Page,
    Path((slug, id)): Path<(String, i64)>,
    Query(query): Query<CatalogQuery>,
) -> AppResult<Response> {
    let (territory, business, can_edit) = business_in(&state, &page, &slug, id).await?;
    let number = query.page_number();
    let search = ProductSearch {
        text: query.q.clone(),
        category: Some(query.categorie.clone()).filter(|c| !c.is_empty()),
        include_unavailable: false,
        offset: (number - 1) * PER_PAGE,
        limit: PER_PAGE,
        ..ProductSearch::default()
    };
    let found = crate::catalog::search(&state.db, id, &search).await?;
    let photos =
        crate::catalog::store::photo_ids(&state.db, &found.items.iter().map(|p| p.id).collect::<Vec<_>>())
            .await?;
    let categories = crate::catalog::categories(&state.db, id, false).await?;
    let base = format!("/t/{}/annuaire/{id}/catalogue", territory.slug);
    let previous = (number > 1).then(|| query.href(&base, number - 1));
    let next = found.has_more.then(|| query.href(&base, number + 1));
    // The shop takes orders: each product gets an "add to cart" form, which needs the token.
    let takes_orders = business.click_and_collect || business.delivery;
    let page = if takes_orders { page.with_csrf().await? } else { page };
    render(&CatalogPage {
        takes_orders,
        page,
        territory,
        business,
        categories,
        query,
        products: found.items,
        photos,
        previous,
        next,
        can_edit,
    })
}

/// The business of the path, whose catalogue the signed-in person manages (its owners and the
/// territory's moderators), in the territory of the path.
struct Shop {
    territory: Territory,
    business: Business,
}

impl Managed for Shop {
    async fn load(state: &AppState, user: &User, slug: &str, id: i64) -> AppResult<Self> {
        let territory = territory_of(state, slug).await?;
        let business = crate::catalog::managed_business(&state.db, user, id).await?;
        if business.territory_id != territory.id {
            return Err(AppError::NotFound);
        }
        Ok(Self { territory, business })
    }
}

#[derive(Template)]
#[template(path = "catalog/manage.html")]
struct ManagePage {
    page: Page,
    territory: Territory,
    business: Business,
    products: Vec<Product>,
    q: String,
    more: bool,
}

#[derive(Deserialize, Default)]
struct ManageQuery {
    #[serde(default)]
    q: String,
}

async fn show_products(
    State(state): State<AppState>,
    ManagerPage { page, id, managed: Shop { territory, business }, .. }: ManagerPage<Shop>,
    Query(query): Query<ManageQuery>,
) -> AppResult<Response> {
    let search = ProductSearch {
        text: query.q.clone(),
        include_unavailable: true,
        limit: 500,
        ..ProductSearch::default()
    };
    let found = crate::catalog::search(&state.db, id, &search).await?;
    let page = page.with_csrf().await?;
    render(&ManagePage { page, territory, business, products: found.items, q: query.q, more: found.has_more })
}

/// The product form's values as typed; the repeated field is the ticked allergens.
pub type ProductForm = FormFields<String>;

impl FormFields<String> {
    /// True when an allergen is ticked.
    pub fn has_allergen(&self, name: &&str) -> bool {
        self.ticked().iter().any(|a| a == name)
    }

    fn of(p: &Product, lang: Lang) -> Self {
        let mut fields =
            FormFields::with_ticked(p.allergen_list().iter().map(|a| a.as_str().to_owned()).collect());
        let price = crate::web::fmt::price(p.price_cents, lang)
            .replace(['€', '\u{a0}', '\u{202f}'], "")
            .trim()
            .to_owned();
        for (k, v) in [
            ("reference", p.reference.clone()),
            ("name", p.name.clone()),
            ("description", p.description.clone()),
            ("category", p.category.clone().unwrap_or_default()),
            ("unit", p.unit.clone()),
            ("price", price),
            ("vat", p.vat_rate_bp.map(|v| format!("{},{:02}", v / 100, v % 100)).unwrap_or_default()),
            ("stock", p.stock.map(|s| s.to_string()).unwrap_or_default()),
            ("estimated_weight_g", p.estimated_weight_g.map(|s| s.to_string()).unwrap_or_default()),
            ("ingredients", p.ingredients.clone()),
        ] {
            fields.set(k, v);
        }
        for (name, on) in [
            ("available", p.available),
            ("sold_by_weight", p.sold_by_weight),
            ("organic", p.organic),
            ("local_label", p.local_label),
        ] {
            if on {
                fields.set(name, "on");
            }
        }
        fields
    }

    /// Reads the posted pairs (repeated `allergens` included): the values, the product they
    /// describe and every field's problem at once.
    fn posted(pairs: Vec<(String, String)>) -> (Self, ProductInput, Vec<FieldError>) {
        let values = Self::read(pairs, "allergens", Some);
        let (input, errors) = values.to_input();
        let errors = merge_errors(errors, &input);
        (values, input, errors)
    }

    fn to_input(&self) -> (ProductInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let price_cents = parse_price_cents(self.get("price")).unwrap_or_else(|| {
            errors.push(FieldError { field: "price", message: "catalog.error.price" });
            0
        });
        let stock = parse_stock(self.get("stock")).unwrap_or_else(|message| {
            errors.push(FieldError { field: "stock", message });
            None
        });
        let vat_text = self.get("vat").trim().trim_end_matches('%').trim();
        let vat_rate_bp = if vat_text.is_empty() {
            None
        } else {
            let parsed = parse_price_cents(vat_text);
            if parsed.is_none() {
                errors.push(FieldError { field: "vat", message: "catalog.error.vat" });
            }
            parsed
        };
        let weight = self.get("estimated_weight_g").trim();
        let estimated_weight_g = if weight.is_empty() {
            None
        } else {
            let parsed = weight.parse::<i64>().ok();
            if parsed.is_none() {
                errors.push(FieldError { field: "estimated_weight_g", message: "catalog.error.weight" });
            }
            parsed
        };
        let input = ProductInput {
            reference: self.get("reference").to_owned(),
            name: self.get("name").to_owned(),
            description: self.get("description").to_owned(),
            category: Some(self.get("category").to_owned()).filter(|c| !c.trim().is_empty()),
            unit: self.get("unit").to_owned(),
            price_cents,
            vat_rate_bp,
            stock,
            available: self.checked("available"),
            sold_by_weight: self.checked("sold_by_weight"),
            estimated_weight_g,
            organic: self.checked("organic"),
            local_label: self.checked("local_label"),
            allergens: self.ticked().iter().filter_map(|a| Allergen::parse(a)).collect(),
            ingredients: self.get("ingredients").to_owned(),
        };
        (input, errors)
    }
}

#[derive(Template)]
#[template(path = "catalog/form.html")]
struct ProductFormPage {
    page: Page,
    territory: Territory,
    business: Business,
    product_id: Option<i64>,
    values: ProductForm,
    errors: FormErrors,
    units: Vec<(&'static str, &'static str)>,
    allergens: Vec<(&'static str, String)>,
    photos: Vec<i64>,
}

fn form_page(
    page: Page,
    territory: Territory,
    business: Business,
    product_id: Option<i64>,
    values: ProductForm,
    errors: Vec<FieldError>,
) -> ProductFormPage {
    ProductFormPage {
        page,
        territory,
        business,
        product_id,
        values,
        errors: FormErrors(errors),
        units: crate::catalog::api::units(),
        allergens: Allergen::ALL.iter().map(|a| (a.as_str(), a.label_key())).collect(),
        photos: Vec::new(),
    }
}

async fn show_new(
    ManagerPage { page, managed: Shop { territory, business }, .. }: ManagerPage<Shop>,
) -> AppResult<Response> {
    let mut values = ProductForm::default();
    values.set("available", "on");
    values.set("unit", Unit::Piece.as_str());
    render(&form_page(page.with_csrf().await?, territory, business, None, values, Vec::new()))
}

fn merge_errors(mut errors: Vec<FieldError>, input: &ProductInput) -> Vec<FieldError> {
    if let Err(more) = crate::catalog::validate(input) {
        for error in more {
            let field = if error.field == "price_cents" {
                "price"
            } else if error.field == "vat_rate_bp" {
                "vat"
            } else {
                error.field
            };
            if !errors.iter().any(|e| e.field == field) {
                errors.push(FieldError { field, message: error.message });
            }
        }
    }
    errors
}

async fn create_product(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (values, input, errors) = ProductForm::posted(pairs);
    if errors.is_empty() {
        match crate::catalog::create(&state.db, &user, id, &input).await {
            Ok(_) => {
                page.flash("catalog.flash.created").await?;
                return Ok(see_other(&format!("/t/{}/annuaire/{id}/produits", territory.slug)));
            }
            Err(AppError::Conflict(key)) => {
                let errors = vec![FieldError { field: "reference", message: key }];
                return render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &form_page(page.with_csrf().await?, territory, business, None, values, errors),
                );
            }
            Err(other) => return Err(other),
        }
    }
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(page.with_csrf().await?, territory, business, None, values, errors),
    )
}

async fn product_of(
    state: &AppState,
    user: &crate::accounts::User,
    business_id: i64,
    product_id: i64,
) -> AppResult<Product> {
    let product = crate::catalog::managed_product(&state.db, user, product_id).await?;
    if product.business_id != business_id {
        return Err(AppError::NotFound);
    }
    Ok(product)
}

async fn show_edit(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    let product = product_of(&state, &user, id, product_id).await?;
    let values = ProductForm::of(&product, page.lang());
    let mut view =
        form_page(page.with_csrf().await?, territory, business, Some(product_id), values, Vec::new());
    view.photos = crate::catalog::store::photo_ids(&state.db, &[product_id])
        .await?
        .into_iter()
        .map(|(_, photo)| photo)
        .collect();
    render(&view)
}

async fn edit_product(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    product_of(&state, &user, id, product_id).await?;
    let (values, input, mut errors) = ProductForm::posted(pairs);
    if errors.is_empty() {
        match crate::catalog::update(&state.db, &user, product_id, &input).await {
            Ok(_) => {
                page.flash("catalog.flash.saved").await?;
                return Ok(see_other(&format!("/t/{}/annuaire/{id}/produits", territory.slug)));
            }
            Err(AppError::Conflict(key)) => errors.push(FieldError { field: "reference", message: key }),
            Err(other) => return Err(other),
        }
    }
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &form_page(page.with_csrf().await?, territory, business, Some(product_id), values, errors),
    )
}

#[derive(Deserialize)]
struct QuickForm {
    #[serde(default)]
    price: String,
    #[serde(default)]
    stock: String,
    #[serde(default)]
    available: String,
}

async fn quick_edit(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
    Form(form): Form<QuickForm>,
) -> AppResult<Response> {
    let product = product_of(&state, &user, id, product_id).await?;
    let mut input = ProductInput::from(&product);
    let key = match (parse_price_cents(&form.price), parse_stock(&form.stock)) {
        (Some(price), Ok(stock)) => {
            input.price_cents = price;
            input.stock = stock;
            input.available = form.available == "on";
            crate::catalog::update(&state.db, &user, product_id, &input).await?;
            "catalog.flash.saved"
        }
        (None, _) => "catalog.error.price",
        (_, Err(message)) => message,
    };
    page.flash_and_go(key, &format!("/t/{}/annuaire/{id}/produits#product-{product_id}", territory.slug))
        .await
}

async fn duplicate_product(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    product_of(&state, &user, id, product_id).await?;
    let copy = crate::catalog::duplicate(&state.db, &user, product_id).await?;
    page.flash_and_go(
        "catalog.flash.duplicated",
        &format!("/t/{}/annuaire/{id}/produits/{}", territory.slug, copy.id),
    )
    .await
}

async fn delete_product(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
) -> AppResult<Response> {
    product_of(&state, &user, id, product_id).await?;
    crate::catalog::delete(&state.db, &user, product_id).await?;
    page.flash_and_go("catalog.flash.deleted", &format!("/t/{}/annuaire/{id}/produits", territory.slug)).await
}

async fn bulk_update(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids: Vec<i64> =
        pairs.iter().filter(|(k, _)| k == "ids").filter_map(|(_, v)| v.parse().ok()).collect();
    let available = match pairs.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str()) {
        Some("enable") => true,
        Some("disable") => false,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    let changed = crate::catalog::set_available(&state.db, &user, id, &ids, available).await?;
    let key = if changed == 0 { "catalog.flash.nothing_selected" } else { "catalog.flash.saved" };
    page.flash_and_go(key, &format!("/t/{}/annuaire/{id}/produits", territory.slug)).await
}

#[derive(Template)]
#[template(path = "catalog/import.html")]
struct ImportPage {
    page: Page,
    territory: Territory,
    business: Business,
    import_id: Option<i64>,
    filename: String,
    headers: Vec<(usize, String, String)>,
    fields: Vec<(&'static str, &'static str)>,
    mapping_problems: Vec<String>,
    report: Option<ProductReport>,
    refused: Vec<(usize, String)>,
    outcome: Option<crate::catalog::ImportOutcome>,
    dfc_problems: Vec<String>,
    errors: FormErrors,
}

impl ImportPage {
    fn empty(page: Page, territory: Territory, business: Business) -> Self {
        Self {
            page,
            territory,
            business,
            import_id: None,
            filename: String::new(),
            headers: Vec::new(),
            fields: Field::ALL.iter().map(|f| (f.as_str(), f.label_key())).collect(),
            mapping_problems: Vec::new(),
            report: None,
            refused: Vec::new(),
            outcome: None,
            dfc_problems: Vec::new(),
            errors: FormErrors::default(),
        }
    }
}

async fn show_upload(
    ManagerPage { page, managed: Shop { territory, business }, .. }: ManagerPage<Shop>,
) -> AppResult<Response> {
    render(&ImportPage::empty(page.with_csrf().await?, territory, business))
}

async fn upload(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let file = read_file_field(&mut multipart, "catalogue", "catalog.import.unreadable").await?;
    let error = |key: &'static str| FormErrors(vec![FieldError { field: "file", message: key }]);
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let mut view = ImportPage::empty(page.with_csrf().await?, territory, business);
        view.errors = error("catalog.import.missing");
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    };
    match crate::catalog::import_upload(&state.db, &user, id, &filename, &bytes).await {
        Ok((import_id, _, _)) => {
            Ok(see_other(&format!("/t/{}/annuaire/{id}/produits/import/{import_id}", territory.slug)))
        }
        Err(AppError::Invalid(fields)) if !fields.is_empty() => {
            let mut view = ImportPage::empty(page.with_csrf().await?, territory, business);
            view.errors = error(fields[0].message);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

/// The mapping chosen in the form (`col0=reference&col1=name...`), else the detected one.
fn mapping_from(query: &HashMap<String, String>, table: &Table) -> Mapping {
    let detected = spreadsheet::detect_mapping(&table.headers);
    if !query.keys().any(|k| k.starts_with("col")) {
        return detected;
    }
    (0..table.headers.len()).map(|i| query.get(&format!("col{i}")).and_then(|v| Field::parse(v))).collect()
}

fn refused_rows(report: &ProductReport, lang: Lang) -> Vec<(usize, String)> {
    report
        .refused
        .iter()
        .map(|r| (r.row, if lang == Lang::En { r.reason.english() } else { r.reason.french() }))
        .collect()
}

async fn preview(
    state: &AppState,
    user: &crate::accounts::User,
    page: Page,
    territory: Territory,
    business: Business,
    import_id: i64,
    query: &HashMap<String, String>,
) -> AppResult<(ImportPage, Mapping, ProductReport)> {
    let (filename, table) = crate::catalog::import_table(&state.db, user, business.id, import_id).await?;
    let mapping = mapping_from(query, &table);
    let problems = spreadsheet::check_mapping(&mapping);
    let report = spreadsheet::rows_to_products(&table, &mapping);
    let mut view = ImportPage::empty(page.with_csrf().await?, territory, business);
    view.mapping_problems = problems
        .iter()
        .map(|(field, key)| view.page.t.fill(key, &[("field", view.page.t.get(field.label_key()))]))
        .collect();
    view.headers = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            (i, header.clone(), mapping.get(i).copied().flatten().map_or("", |f| f.as_str()).to_owned())
        })
        .collect();
    view.import_id = Some(import_id);
    view.filename = filename;
    view.refused = refused_rows(&report, view.page.lang());
    Ok((view, mapping, report))
}

async fn show_mapping(
    State(state): State<AppState>,
    ManagerPage { user, page, managed: Shop { territory, business }, .. }: ManagerPage<Shop>,
    Path((_, _, import_id)): Path<(String, i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let (mut view, _, report) = preview(&state, &user, page, territory, business, import_id, &query).await?;
    view.report = Some(report);
    render(&view)
}

async fn confirm_import(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    Path((_, _, import_id)): Path<(String, i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (mut view, mapping, report) =
        preview(&state, &user, page, territory, business, import_id, &form).await?;
    if !spreadsheet::check_mapping(&mapping).is_empty() {
        view.report = Some(report);
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &view);
    }
    let outcome = crate::catalog::import_rows(&state.db, &user, id, &report).await?;
    view.outcome = Some(outcome);
    view.report = Some(report);
    render(&view)
}

async fn import_dfc(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, business } }: ManagerPage<Shop>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let (mut url, mut file) = (String::new(), Vec::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("dfc_file", "catalog.import.dfc_unreadable"))?
    {
        match field.name() {
            Some("dfc_url") => url = field.text().await.unwrap_or_default(),
            Some("dfc_file") => file = field.bytes().await.map_err(|_| AppError::TooLarge)?.to_vec(),
            _ => {}
        }
    }
    let document = if !url.trim().is_empty() {
        crate::catalog::fetch_dfc(&url, state.config.allow_private_fetch).await
    } else if !file.is_empty() {
        Ok(file)
    } else {
        Err(AppError::invalid("dfc_file", "catalog.import.dfc_missing"))
    };
    let result = match document {
        Ok(document) => match crate::catalog::read_dfc(document).await {
            Ok(read) => crate::catalog::import_dfc(&state.db, &user, id, &read).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    let mut view = ImportPage::empty(page.with_csrf().await?, territory, business);
    match result {
        Ok((outcome, problems)) => {
            view.outcome = Some(outcome);
            view.dfc_problems = problems;
            render(&view)
        }
        Err(AppError::Invalid(fields)) => {
            // The domain names the address and the document; the form calls them dfc_url, dfc_file.
            let on_form = |field| match field {
                "url" => "dfc_url",
                "file" => "dfc_file",
                other => other,
            };
            let fields = fields
                .into_iter()
                .map(|e| FieldError { field: on_form(e.field), message: e.message })
                .collect();
            view.errors = FormErrors(fields);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(AppError::BadRequest(key)) => {
            view.errors = FormErrors(vec![FieldError { field: "dfc_file", message: key }]);
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &view)
        }
        Err(other) => Err(other),
    }
}

async fn add_photo(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Path((_, _, product_id)): Path<(String, i64, i64)>,
    mut multipart: Multipart,
) -> AppResult<Response> {
    product_of(&state, &user, id, product_id).await?;
    let upload = read_photo_field(&mut multipart).await?;
    let key = photo_added_flash(crate::catalog::add_photo(&state.db, &user, product_id, upload).await)?;
    page.flash_and_go(key, &format!("/t/{}/annuaire/{id}/produits/{product_id}#photos", territory.slug)).await
}

async fn remove_photo(
    State(state): State<AppState>,
    ManagerPage { user, page, id, managed: Shop { territory, .. } }: ManagerPage<Shop>,
    Path((_, _, product_id, photo)): Path<(String, i64, i64, i64)>,
) -> AppResult<Response> {
    product_of(&state, &user, id, product_id).await?;
    crate::catalog::remove_photo(&state.db, &user, product_id, photo).await?;
    page.flash_and_go(
        "directory.flash.photo_removed",
        &format!("/t/{}/annuaire/{id}/produits/{product_id}#photos", territory.slug),
    )
    .await
}
