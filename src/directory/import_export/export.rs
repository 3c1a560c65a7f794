//! Export: the published directory as CSV (the import's columns, so that it reads back without
//! loss) and as GeoJSON open data.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::directory::{BusinessKind, CrisisStatus};
use crate::tabular::CsvWriter;

/// A published directory entry, as exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportedBusiness {
    /// The business id.
    pub id: i64,
    /// The name.
    pub name: String,
    /// The kind of business.
    pub kind: BusinessKind,
    /// Its categories.
    pub categories: Vec<String>,
    /// The street address.
    pub address: Option<String>,
    /// The postcode.
    pub postcode: Option<String>,
    /// The commune.
    pub city: Option<String>,
    /// The phone number.
    pub phone: Option<String>,
    /// The e-mail address.
    pub email: Option<String>,
    /// The web site.
    pub website: Option<String>,
    /// Social network pages.
    pub social_links: Vec<String>,
    /// WGS 84 latitude.
    pub latitude: Option<f64>,
    /// WGS 84 longitude.
    pub longitude: Option<f64>,
    /// The crisis status.
    pub status: CrisisStatus,
    /// What the business says about its status.
    pub status_message: Option<String>,
    /// When the status was last confirmed (RFC 3339 date).
    pub status_confirmed_at: Option<String>,
    /// Orders can be collected.
    pub click_and_collect: bool,
    /// Orders can be delivered.
    pub delivery: bool,
    /// Takes goods on consignment.
    pub takes_consignment: bool,
    /// Accepts the local currency.
    pub accepts_local_currency: bool,
    /// Free text.
    pub description: String,
    /// The business's page on this instance.
    pub url: String,
}

/// The export's columns: the import's French names, then what only the export has.
pub(super) const EXPORT_HEADERS: [&str; 20] = [
    "id",
    "nom",
    "type",
    "categorie",
    "adresse",
    "code_postal",
    "commune",
    "telephone",
    "email",
    "site_web",
    "facebook",
    "latitude",
    "longitude",
    "statut",
    "message_statut",
    "statut_confirme_le",
    "services",
    "accepte_monnaie_locale",
    "description",
    "url",
];

/// CSV (UTF-8 with BOM so that French Excel opens it right, comma separated, CRLF line ends) with
/// the same French headers as the import file (nom, categorie (categories joined with " ; "),
/// adresse, code_postal, commune, telephone, email, site_web, facebook (social links joined with
/// " "), latitude, longitude, statut (French word that the import reads back: ouvert, drive,
/// livraison, fermé), services (drive;livraison;dépôt-vente), description) plus id, type,
/// message_statut, statut_confirme_le, accepte_monnaie_locale (oui/non: whether the listing opened
/// its account in the wallet, which the import ignores) and url columns: re-importing an export is
/// lossless for the imported fields.
///
/// Every cell goes through the toolkit's formula guard ([`crate::tabular::guard_cell`]): a cell
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so that a
/// spreadsheet does not run it as a formula (plain numbers such as a negative longitude are left
/// as they are); the import removes that `'`.
pub fn businesses_to_csv(items: &[ExportedBusiness]) -> Vec<u8> {
    let mut csv = CsvWriter::with_bom(',');
    csv.write_row(EXPORT_HEADERS);
    for item in items {
        csv.write_row(export_cells(item));
    }
    csv.into_bytes()
}

pub(super) fn export_cells(item: &ExportedBusiness) -> [String; 20] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let number = |value: Option<f64>| value.map(|number| number.to_string()).unwrap_or_default();
    let services: Vec<&str> = [
        (item.click_and_collect, "drive"),
        (item.delivery, "livraison"),
        (item.takes_consignment, "dépôt-vente"),
    ]
    .into_iter()
    .filter_map(|(offered, word)| offered.then_some(word))
    .collect();
    [
        item.id.to_string(),
        item.name.clone(),
        french_kind(item.kind).to_owned(),
        item.categories.join(" ; "),
        text(&item.address),
        text(&item.postcode),
        text(&item.city),
        text(&item.phone),
        text(&item.email),
        text(&item.website),
        item.social_links.join(" "),
        number(item.latitude),
        number(item.longitude),
        french_status(item.status).to_owned(),
        text(&item.status_message),
        text(&item.status_confirmed_at),
        services.join(";"),
        if item.accepts_local_currency { "oui" } else { "non" }.to_owned(),
        item.description.clone(),
        item.url.clone(),
    ]
}

/// The French word of a kind, as the import reads it back.
pub(super) fn french_kind(kind: BusinessKind) -> &'static str {
    match kind {
        BusinessKind::Merchant => "commerce",
        BusinessKind::Producer => "producteur",
        BusinessKind::Artisan => "artisan",
        BusinessKind::Association => "association",
        BusinessKind::Service => "service",
        BusinessKind::Health => "santé",
    }
}

/// The French word of a status, as the import reads it back.
pub(super) fn french_status(status: CrisisStatus) -> &'static str {
    match status {
        CrisisStatus::Open => "ouvert",
        CrisisStatus::PickupOnly => "drive",
        CrisisStatus::DeliveryOnly => "livraison",
        CrisisStatus::Closed => "fermé",
    }
}

/// RFC 7946 GeoJSON FeatureCollection: one Point feature per business that has valid coordinates
/// (`[longitude, latitude]` order), `id` = business id, properties with every field of
/// [`ExportedBusiness`] (kind and status in snake_case, services as booleans, categories and
/// social links as arrays, absent values as null). Businesses without coordinates are left out.
/// The top-level foreign members `licence` (e.g. "ODbL-1.0") and `attribution` (the source URL)
/// say where the data comes from and how it may be reused.
pub fn businesses_to_geojson(items: &[ExportedBusiness], licence: &str, source_url: &str) -> Value {
    let features: Vec<Value> = items.iter().filter_map(geojson_feature).collect();
    json!({
        "type": "FeatureCollection",
        "licence": licence,
        "attribution": source_url,
        "features": features,
    })
}

pub(super) fn geojson_feature(item: &ExportedBusiness) -> Option<Value> {
    let (latitude, longitude) = (item.latitude?, item.longitude?);
    if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
        return None;
    }
    Some(json!({
        "type": "Feature",
        "id": item.id,
        "geometry": { "type": "Point", "coordinates": [longitude, latitude] },
        "properties": {
            "id": item.id,
            "name": item.name,
            "kind": item.kind.as_str(),
            "categories": item.categories,
            "address": item.address,
            "postcode": item.postcode,
            "city": item.city,
            "phone": item.phone,
            "email": item.email,
            "website": item.website,
            "social_links": item.social_links,
            "latitude": latitude,
            "longitude": longitude,
            "status": item.status.as_str(),
            "status_message": item.status_message,
            "status_confirmed_at": item.status_confirmed_at,
            "click_and_collect": item.click_and_collect,
            "delivery": item.delivery,
            "takes_consignment": item.takes_consignment,
            "accepts_local_currency": item.accepts_local_currency,
            "description": item.description,
            "url": item.url,
        },
    }))
}
