//! Writing a catalogue as DFC JSON-LD, in the shape the official connector exports.

use serde_json::{Map, Value, json};

use super::{
    DFC_CONTEXT, DfcEnterprise, DfcProduct, HALLE_AVAILABLE, HALLE_UNIT, ORGANIC, UNITS, Unit,
    allergen_dimension, product_type,
};

/// The catalogue of a business as DFC JSON-LD: one `@graph` with the Enterprise, its Catalog and,
/// per product, a CatalogItem (sku, stock, availability), its SuppliedProduct (name, description,
/// quantity, product type, organic certification, allergens), its Offer and the offer's Price.
/// Nodes are named in the document `{base_url}/api/v1/businesses/{id}/catalog.jsonld`:
/// `#enterprise`, `#catalog`, `#item-{pid}`, `#product-{pid}`, `#offer-{pid}`.
pub fn catalog_to_jsonld(enterprise: &DfcEnterprise, products: &[DfcProduct], base_url: &str) -> Value {
    let document =
        format!("{}/api/v1/businesses/{}/catalog.jsonld", base_url.trim_end_matches('/'), enterprise.id);
    let enterprise_id = format!("{document}#enterprise");
    let catalog_id = format!("{document}#catalog");
    let ids = |kind: &str| products.iter().map(|p| format!("{document}#{kind}-{}", p.id)).collect::<Vec<_>>();

    let mut business = node(&enterprise_id, "dfc-b:Enterprise");
    business.insert("dfc-b:name".into(), enterprise.name.clone().into());
    if !enterprise.description.is_empty() {
        business.insert("dfc-b:hasDescription".into(), enterprise.description.clone().into());
    }
    if !enterprise.url.is_empty() {
        business.insert("dfc-b:websitePage".into(), enterprise.url.clone().into());
    }
    business.insert("dfc-b:maintains".into(), catalog_id.clone().into());
    insert_ids(&mut business, "dfc-b:supplies", ids("product"));
    insert_ids(&mut business, "dfc-b:manages", ids("item"));
    let mut catalog = node(&catalog_id, "dfc-b:Catalog");
    catalog.insert("dfc-b:maintainedBy".into(), enterprise_id.into());
    insert_ids(&mut catalog, "dfc-b:lists", ids("item"));

    let mut graph = vec![Value::Object(business), Value::Object(catalog)];
    for product in products {
        push_product(&mut graph, product, &document);
    }
    json!({ "@context": DFC_CONTEXT, "@graph": graph })
}

/// Appends a product's nodes: catalog item, supplied product, offer, then its anonymous nodes.
pub(super) fn push_product(graph: &mut Vec<Value>, p: &DfcProduct, document: &str) {
    let [item_id, product_id, offer_id] =
        ["item", "product", "offer"].map(|kind| format!("{document}#{kind}-{}", p.id));
    let (price_id, quantity_id) = (format!("_:price-{}", p.id), format!("_:quantity-{}", p.id));
    // Unlimited stock is -1: in RDF an absent value says nothing, so it cannot mean "unlimited".
    let stock = p.stock.map_or(-1, |s| s.max(0)).to_string();

    let mut item = node(&item_id, "dfc-b:CatalogItem");
    item.insert("dfc-b:references".into(), product_id.clone().into());
    item.insert("dfc-b:sku".into(), p.reference.clone().into());
    item.insert("dfc-b:stockLimitation".into(), stock.clone().into());
    item.insert("dfc-b:offeredThrough".into(), offer_id.clone().into());
    item.insert(HALLE_AVAILABLE.into(), p.available.into());

    let (dfc_unit, how_many) = dfc_quantity(p.unit);
    let mut product = node(&product_id, "dfc-b:SuppliedProduct");
    product.insert("dfc-b:name".into(), p.name.clone().into());
    if !p.description.is_empty() {
        product.insert("dfc-b:description".into(), p.description.clone().into());
    }
    product.insert("dfc-b:hasQuantity".into(), quantity_id.clone().into());
    if let Some(product_type) = p.category.as_deref().and_then(product_type) {
        product.insert("dfc-b:hasType".into(), format!("dfc-pt:{product_type}").into());
    }
    if p.organic {
        product.insert("dfc-b:hasCertification".into(), ORGANIC.into());
    }
    let allergen_ids: Vec<String> =
        p.allergens.iter().map(|a| format!("_:allergen-{}-{}", p.id, a.as_str())).collect();
    insert_ids(&mut product, "dfc-b:hasAllergenCharacteristic", allergen_ids.clone());
    product.insert("dfc-b:referencedBy".into(), item_id.clone().into());
    product.insert(HALLE_UNIT.into(), p.unit.as_str().into());

    let mut offer = node(&offer_id, "dfc-b:Offer");
    // `offeredItem` is not declared as a reference in the DFC context: it needs an explicit @id.
    offer.insert("dfc-b:offeredItem".into(), json!({ "@id": item_id }));
    offer.insert("dfc-b:hasPrice".into(), price_id.clone().into());
    offer.insert("dfc-b:stockLimitation".into(), if p.available { stock.into() } else { "0".into() });

    let mut price = node(&price_id, "dfc-b:Price");
    price.insert("dfc-b:value".into(), hundredths(p.price_cents).into());
    price.insert("dfc-b:hasUnit".into(), "dfc-m:Euro".into());
    if let Some(bp) = p.vat_rate_bp {
        price.insert("dfc-b:VATrate".into(), hundredths(bp).into());
    }
    let mut quantity = node(&quantity_id, "dfc-b:QuantitativeValue");
    quantity.insert("dfc-b:hasUnit".into(), dfc_unit.into());
    quantity.insert("dfc-b:value".into(), how_many.to_string().into());

    graph.extend([item, product, offer, price, quantity].map(Value::Object));
    for (allergen, id) in p.allergens.iter().zip(allergen_ids) {
        let mut characteristic = node(&id, "dfc-b:AllergenCharacteristic");
        characteristic.insert("dfc-b:hasAllergenDimension".into(), allergen_dimension(*allergen).into());
        graph.push(Value::Object(characteristic));
    }
}

pub(super) fn node(id: &str, kind: &str) -> Map<String, Value> {
    let mut node = Map::new();
    node.insert("@id".into(), id.into());
    node.insert("@type".into(), kind.into());
    node
}

/// Adds references as the connector writes them: one as a string, several as a list, none not at all.
pub(super) fn insert_ids(node: &mut Map<String, Value>, property: &str, mut ids: Vec<String>) {
    match ids.len() {
        0 => {}
        1 => _ = node.insert(property.into(), ids.remove(0).into()),
        _ => _ = node.insert(property.into(), ids.into()),
    }
}

/// The DFC unit and quantity value of a unit.
pub(super) fn dfc_quantity(unit: Unit) -> (&'static str, i64) {
    UNITS.iter().find(|(u, ..)| *u == unit).map(|&(_, dfc, n)| (dfc, n)).unwrap_or(("dfc-m:Piece", 1))
}

/// An integer count of hundredths as an exact decimal: 1234550 → "12345.5", 1 → "0.01", 2000 → "20".
pub(super) fn hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let (units, fraction) = (value.unsigned_abs() / 100, value.unsigned_abs() % 100);
    match fraction {
        0 => format!("{sign}{units}"),
        f if f % 10 == 0 => format!("{sign}{units}.{}", f / 10),
        f => format!("{sign}{units}.{f:02}"),
    }
}
