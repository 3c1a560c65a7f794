//! The catalogue in the Data Food Consortium (DFC) standard: a business's products written as DFC
//! JSON-LD, and a DFC catalogue read back into product inputs. Pure: no database, no HTTP.
//!
//! The JSON-LD has the shape the official connector (`@datafoodconsortium/connector`
//! 1.0.0-beta.2) exports, so that DFC platforms read it as they read each other: its context URL,
//! compact `dfc-b:`/`dfc-m:` names, literals written as strings, prices and quantities as anonymous
//! nodes, unlimited stock as `-1` (the DFC convention, also used by Open Food Network).
//! `tests/dfc/check.mjs` imports an export with the connector and compares.
//!
//! Units, mapped to the DFC measures taxonomy (`dfc-m:`), as the product's quantity:
//! piece → 1 `Piece`, kg → 1 `Kilogram`, 100g → 100 `Gram`, l → 1 `Litre`, bunch (botte) → 1
//! `Bunch`, tray (barquette) → 1 `Punnet` (the DFC's "barquette"; its `Tray` is a "plateau"),
//! jar (pot) → 1 `Jar`, bottle → 1 `Bottle`, box → 1 `Box`, portion → 1 `Piece` (the DFC has no
//! portion). Our own unit also travels in [`HALLE_UNIT`], so that portion comes back as portion;
//! other DFC quantities (500 g, a dozen, ...) are read as a piece sold at that price, and said so.
//!
//! Availability has no DFC property: an unavailable product's offer has a stock limitation of 0,
//! and [`HALLE_AVAILABLE`] on the catalog item says which of "sold out" and "not on sale" it is.
//! Prices are tax included, in euros, exact decimals from cents; the VAT rate is in percent.
//! Ingredients and free-text categories have no DFC literal: a category becomes a DFC product
//! type only when a word of it names one (`Pains` → bread); ingredients are not exported.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::{Allergen, Unit};

/// The `@context` the connector's exporter writes (and its importer resolves without network).
pub const DFC_CONTEXT: &str =
    "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context_1.16.0.jsonld";
/// Halle's extension property on a `dfc-b:SuppliedProduct`: our unit's stored name ("portion").
pub const HALLE_UNIT: &str = "urn:halle:dfc:unit";
/// Halle's extension property on a `dfc-b:CatalogItem`: whether the product is on sale.
pub const HALLE_AVAILABLE: &str = "urn:halle:dfc:available";

/// What the catalogue exports about a business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcEnterprise {
    /// The business's id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Plain-text description.
    pub description: String,
    /// Its public page.
    pub url: String,
}

/// What the catalogue exports about a product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcProduct {
    /// The product's id (names its nodes).
    pub id: i64,
    /// The merchant's reference, exported as `dfc-b:sku`.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Plain-text description.
    pub description: String,
    /// The unit its price is for.
    pub unit: Unit,
    /// Price per unit, tax included, in cents.
    pub price_cents: i64,
    /// VAT rate in basis points (550 = 5.5 %).
    pub vat_rate_bp: Option<i64>,
    /// Units in stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Organic (exported as the EU organic certification).
    pub organic: bool,
    /// Allergens.
    pub allergens: Vec<Allergen>,
    /// Ingredients (no DFC literal for them: not exported).
    pub ingredients: String,
    /// The merchant's category, exported as a DFC product type when one fits.
    pub category: Option<String>,
}

/// A DFC catalogue read back: the products found and, in French, what could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcImport {
    /// One per catalog item that has a product and a price.
    pub products: Vec<DfcImportedProduct>,
    /// One French sentence per node skipped or approximated, naming the node.
    pub problems: Vec<String>,
}

/// A product read from a DFC catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DfcImportedProduct {
    /// The `dfc-b:sku` (or, without one, the end of the product's address).
    pub reference: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Unit.
    pub unit: Unit,
    /// Price in cents.
    pub price_cents: i64,
    /// VAT rate in basis points.
    pub vat_rate_bp: Option<i64>,
    /// Stock; `None` is unlimited.
    pub stock: Option<i64>,
    /// On sale.
    pub available: bool,
    /// Carries an organic certification.
    pub organic: bool,
}

/// Each unit as a DFC quantity: its DFC unit and how many of it. Piece comes before portion, so
/// that a DFC piece without our extension reads as a piece.
const UNITS: [(Unit, &str, i64); 10] = [
    (Unit::Piece, "dfc-m:Piece", 1),
    (Unit::Kg, "dfc-m:Kilogram", 1),
    (Unit::Grams100, "dfc-m:Gram", 100),
    (Unit::Litre, "dfc-m:Litre", 1),
    (Unit::Bunch, "dfc-m:Bunch", 1),
    (Unit::Tray, "dfc-m:Punnet", 1),
    (Unit::Jar, "dfc-m:Jar", 1),
    (Unit::Bottle, "dfc-m:Bottle", 1),
    (Unit::Box, "dfc-m:Box", 1),
    (Unit::Portion, "dfc-m:Piece", 1),
];

/// DFC units that other platforms may use for one of ours.
const UNIT_ALIASES: [(&str, Unit); 2] = [("dfc-m:Tray", Unit::Tray), ("dfc-m:Pot", Unit::Jar)];

/// The DFC allergen dimension of each allergen (ids as spelled in the measures taxonomy).
fn allergen_dimension(allergen: Allergen) -> &'static str {
    match allergen {
        Allergen::Gluten => "dfc-m:CerealsWithGluten",
        Allergen::Crustaceans => "dfc-m:Crustaceans",
        Allergen::Eggs => "dfc-m:Eggs",
        Allergen::Fish => "dfc-m:Fishs",
        Allergen::Peanuts => "dfc-m:Peanuts",
        Allergen::Soybeans => "dfc-m:Soy",
        Allergen::Milk => "dfc-m:LactoseMilks",
        Allergen::Nuts => "dfc-m:Nuts",
        Allergen::Celery => "dfc-m:Celeriac",
        Allergen::Mustard => "dfc-m:Mustard",
        Allergen::Sesame => "dfc-m:SesameSeeds",
        Allergen::Sulphites => "dfc-m:Sulphites",
        Allergen::Lupin => "dfc-m:Lupine",
        Allergen::Molluscs => "dfc-m:Molluscs",
    }
}

/// The certification an organic product carries on export.
const ORGANIC: &str = "dfc-f:Organic-EU";
/// Certifications read as organic: the DFC's organic labels and the biodynamic ones (which
/// require organic certification).
const ORGANIC_LABELS: [&str; 7] = [
    "dfc-f:OrganicLabel",
    "dfc-f:Organic-AB",
    "dfc-f:Organic-EU",
    "dfc-f:Organic-BioCoherence",
    "dfc-f:NatureEtProgres",
    "dfc-f:BiodynamicLabel",
    "dfc-f:Demeter",
];

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
fn push_product(graph: &mut Vec<Value>, p: &DfcProduct, document: &str) {
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

fn node(id: &str, kind: &str) -> Map<String, Value> {
    let mut node = Map::new();
    node.insert("@id".into(), id.into());
    node.insert("@type".into(), kind.into());
    node
}

/// Adds references as the connector writes them: one as a string, several as a list, none not at all.
fn insert_ids(node: &mut Map<String, Value>, property: &str, mut ids: Vec<String>) {
    match ids.len() {
        0 => {}
        1 => _ = node.insert(property.into(), ids.remove(0).into()),
        _ => _ = node.insert(property.into(), ids.into()),
    }
}

/// The DFC unit and quantity value of a unit.
fn dfc_quantity(unit: Unit) -> (&'static str, i64) {
    UNITS.iter().find(|(u, ..)| *u == unit).map(|&(_, dfc, n)| (dfc, n)).unwrap_or(("dfc-m:Piece", 1))
}

/// An integer count of hundredths as an exact decimal: 1234550 → "12345.5", 1 → "0.01", 2000 → "20".
fn hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let (units, fraction) = (value.unsigned_abs() / 100, value.unsigned_abs() % 100);
    match fraction {
        0 => format!("{sign}{units}"),
        f if f % 10 == 0 => format!("{sign}{units}.{}", f / 10),
        f => format!("{sign}{units}.{f:02}"),
    }
}

/// Reads a DFC catalogue, as we export it or as the connector (or Open Food Network) writes it,
/// compacted with the DFC prefixes or expanded. Nodes of unknown types, products without an offer
/// or a price, units we lack and rounded numbers are reported in `problems`, never fatal; an
/// error means the document is not JSON-LD holding DFC nodes at all.
pub fn jsonld_to_catalog(document: &Value) -> Result<DfcImport, String> {
    let graph = Graph::read(document)?;
    if !graph.nodes.iter().any(|n| n.types.iter().any(|t| t.starts_with("dfc-b:"))) {
        return Err("Le document ne contient aucun nœud du standard DFC (dfc-b:…).".into());
    }
    let mut problems = Vec::new();
    for node in &graph.nodes {
        for kind in node.types.iter().filter(|t| !is_known_type(t)) {
            problems.push(format!("Le nœud {} est d'un type inconnu ({kind}) : il est ignoré.", node.id));
        }
    }
    let mut products = Vec::new();
    let mut listed = HashSet::new();
    for item in graph.of_type("dfc-b:CatalogItem") {
        let Some(product) = graph.item_product(item) else {
            problems.push(format!(
                "L'article de catalogue {} ne désigne aucun produit (dfc-b:references) : il est ignoré.",
                graph.nodes[item].id
            ));
            continue;
        };
        listed.insert(product);
        if let Some(imported) = read_product(&graph, item, product, &mut problems) {
            products.push(imported);
        }
    }
    for product in graph.of_type("dfc-b:SuppliedProduct").filter(|p| !listed.contains(p)) {
        problems.push(format!(
            "Le produit {} n'est proposé par aucun article de catalogue (dfc-b:CatalogItem), donc sans prix : il est ignoré.",
            graph.nodes[product].id
        ));
    }
    Ok(DfcImport { products, problems })
}

/// The problems of one catalog item, each sentence naming it.
struct ItemProblems<'a> {
    item: &'a str,
    problems: &'a mut Vec<String>,
}

impl ItemProblems<'_> {
    fn add(&mut self, text: String) {
        self.problems.push(format!("Article {} : {text}", self.item));
    }
}

/// Reads one catalog item and its product, offer and price; `None` (and a problem) when it has no
/// usable name or price.
fn read_product(
    g: &Graph,
    item: usize,
    product: usize,
    problems: &mut Vec<String>,
) -> Option<DfcImportedProduct> {
    let mut problems = ItemProblems { item: &g.nodes[item].id, problems };
    let description = g
        .text(product, "dfc-b:description")
        .or_else(|| g.text(product, "dfc-b:hasDescription"))
        .unwrap_or_default();
    let mut name = g.text(product, "dfc-b:name").unwrap_or_default().trim().to_string();
    if name.is_empty() {
        name = description.lines().next().unwrap_or_default().trim().to_string();
        if name.is_empty() {
            problems.add("le produit n'a ni nom ni description ; il est ignoré.".into());
            return None;
        }
        problems.add(format!(
            "le produit n'a pas de nom (dfc-b:name) ; sa description « {name} » en tient lieu."
        ));
    }
    let mut reference = g.text(item, "dfc-b:sku").unwrap_or_default().trim().to_string();
    if reference.is_empty() {
        let id = &g.nodes[product].id;
        reference = id.rsplit(['#', '/']).find(|s| !s.is_empty()).unwrap_or(id).to_string();
        problems.add(format!(
            "« {name} » n'a pas de référence (dfc-b:sku) ; « {reference} », tirée de son adresse, en tient lieu."
        ));
    }
    let (offer, price_cents, vat_rate_bp) = read_price(g, item, &name, &mut problems)?;
    let stock = read_stock(g, item, offer, &name, &mut problems);
    let available = !matches!(g.text(item, HALLE_AVAILABLE).as_deref().map(str::trim), Some("false" | "0"));
    let organic =
        g.references(product, "dfc-b:hasCertification").iter().any(|c| ORGANIC_LABELS.contains(&c.as_str()));
    let (unit, why) = read_unit(g, product);
    if let Some(why) = why {
        problems.add(format!("« {name} » {why} ; il est importé à l'unité « {} ».", unit.as_str()));
    }
    Some(DfcImportedProduct {
        reference,
        name,
        description,
        unit,
        price_cents,
        vat_rate_bp,
        stock,
        available,
        organic,
    })
}

/// The first offer of an item that has a price in euros: the offer, the price in cents and the
/// VAT rate in basis points.
fn read_price(
    g: &Graph,
    item: usize,
    name: &str,
    problems: &mut ItemProblems,
) -> Option<(usize, i64, Option<i64>)> {
    let offers = g.item_offers(item);
    let Some((offer, price)) = offers.iter().find_map(|&o| g.offer_price(o).map(|p| (o, p))) else {
        problems.add(format!(
            "« {name} » n'a pas d'offre avec un prix (dfc-b:Offer, dfc-b:hasPrice) ; il est ignoré."
        ));
        return None;
    };
    let (value, currency, vat) = match price {
        Price::Node(p) => {
            (g.text(p, "dfc-b:value"), g.reference(p, "dfc-b:hasUnit"), g.text(p, "dfc-b:VATrate"))
        }
        Price::Literal(text) => (Some(text), None, None),
    };
    if let Some(currency) = currency.filter(|c| c != "dfc-m:Euro") {
        problems.add(format!("le prix de « {name} » est en {currency}, pas en euros ; il est ignoré."));
        return None;
    }
    let cents = value.as_deref().and_then(|v| scaled(v, 2, Rounding::HalfUp)).filter(|(c, _)| *c >= 0);
    let Some((cents, exact)) = cents else {
        let value = value.unwrap_or_default();
        problems.add(format!("le prix de « {name} » ({value}) n'est pas un montant ; il est ignoré."));
        return None;
    };
    if !exact {
        problems.add(format!("le prix de « {name} » est arrondi au centime ({}).", hundredths(cents)));
    }
    let vat_rate_bp = vat.and_then(|v| match scaled(&v, 2, Rounding::HalfUp) {
        Some((bp, true)) if (0..=10_000).contains(&bp) => Some(bp),
        _ => {
            problems.add(format!(
                "le taux de TVA de « {name} » ({v}) n'est pas un pourcentage lisible ; il est laissé vide."
            ));
            None
        }
    });
    Some((offer, cents, vat_rate_bp))
}

/// The stock: the item's limitation, else the offer's; negative or absent is unlimited.
fn read_stock(g: &Graph, item: usize, offer: usize, name: &str, problems: &mut ItemProblems) -> Option<i64> {
    let limitation =
        g.text(item, "dfc-b:stockLimitation").or_else(|| g.text(offer, "dfc-b:stockLimitation"))?;
    match scaled(&limitation, 0, Rounding::Down) {
        Some((n, _)) if n < 0 => None,
        Some((n, exact)) => {
            if !exact {
                problems.add(format!("le stock de « {name} » est arrondi à {n}."));
            }
            Some(n)
        }
        None => {
            problems.add(format!(
                "le stock de « {name} » ({limitation}) n'est pas un nombre ; il est compté illimité."
            ));
            None
        }
    }
}

/// The unit of a supplied product, from its DFC quantity and our extension; with the reason when
/// it is an approximation.
fn read_unit(g: &Graph, product: usize) -> (Unit, Option<String>) {
    let quantity = g.references(product, "dfc-b:hasQuantity").iter().find_map(|q| g.node(q));
    let dfc_unit = quantity.and_then(|q| g.reference(q, "dfc-b:hasUnit"));
    let value = quantity.and_then(|q| g.text(q, "dfc-b:value"));
    let thousandths = value.as_deref().map_or(Some((1000, true)), |v| scaled(v, 3, Rounding::HalfUp));
    let ours = g.text(product, HALLE_UNIT).as_deref().and_then(Unit::parse);
    let Some(dfc_unit) = dfc_unit else {
        return (
            ours.unwrap_or(Unit::Piece),
            ours.is_none().then(|| "n'a ni quantité ni unité (dfc-b:hasQuantity)".into()),
        );
    };
    if let Some(ours) = ours.filter(|u| dfc_quantity(*u).0 == dfc_unit) {
        return (ours, None);
    }
    let one = |n: i64| thousandths == Some((n * 1000, true));
    if let Some(&(unit, ..)) = UNITS.iter().find(|(_, dfc, n)| *dfc == dfc_unit && one(*n)) {
        return (unit, None);
    }
    if let Some(&(_, unit)) = UNIT_ALIASES.iter().find(|(dfc, _)| *dfc == dfc_unit && one(1)) {
        return (unit, None);
    }
    let why = if dfc_unit.starts_with("dfc-m:") {
        format!(
            "est vendu par {} {dfc_unit}, une quantité que Halle n'a pas",
            value.unwrap_or_else(|| "1".into())
        )
    } else {
        format!("a une unité inconnue ({dfc_unit})")
    };
    (Unit::Piece, Some(why))
}

/// The types the DFC connector knows, besides SKOS concepts (it drops the others silently; we
/// report them): local names in the business ontology.
const KNOWN_TYPES: &str = "Address AllergenCharacteristic AsPlannedConsumptionFlow AsPlannedLocalConsumptionFlow \
    AsPlannedLocalProductionFlow AsPlannedLocalTransformation AsPlannedProductionFlow AsPlannedTransformation \
    AsRealizedConsumptionFlow AsRealizedProductionFlow AsRealizedTransformation Catalog CatalogItem \
    CustomerCategory DeliveryOption Enterprise LocalizedProduct NutrientCharacteristic Offer Order OrderLine \
    PaymentMethod Person PhoneNumber PhysicalCharacteristic PhysicalPlace PhysicalProduct PickupOption Price \
    ProductBatch QuantitativeValue RealStock SaleSession SocialMedia SuppliedProduct TechnicalProduct \
    TheoreticalStock VirtualPlace";

fn is_known_type(kind: &str) -> bool {
    match kind.strip_prefix("dfc-b:") {
        Some(local) => KNOWN_TYPES.split_whitespace().any(|known| known == local),
        None => {
            kind.starts_with("http://www.w3.org/2004/02/skos/core#Concept")
                || kind == "https://schema.org/OpeningHoursSpecification"
        }
    }
}

/// The DFC namespaces, current and older, each with the prefix we name its terms with.
const NAMESPACES: [(&str, &str); 10] = [
    (
        "dfc-b:",
        "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#",
    ),
    ("dfc-b:", "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#"),
    ("dfc-m:", "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#"),
    ("dfc-m:", "http://static.datafoodconsortium.org/data/measures.rdf#"),
    ("dfc-f:", "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/facets.rdf#"),
    ("dfc-f:", "http://static.datafoodconsortium.org/data/facets.rdf#"),
    (
        "dfc-pt:",
        "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/productTypes.rdf#",
    ),
    ("dfc-pt:", "http://static.datafoodconsortium.org/data/productTypes.rdf#"),
    ("dfc-v:", "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/vocabulary.rdf#"),
    (
        "dfc-t:",
        "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_TechnicalOntology.owl#",
    ),
];

/// A property value before we know whether the property wants a literal or a reference.
#[derive(Debug)]
enum Term {
    /// A plain JSON string: a literal, or a reference where the context says so.
    Text(String),
    /// `{"@id": ...}` or an embedded node.
    Id(String),
    /// A number, a boolean or `{"@value": ...}`.
    Literal(String),
}

#[derive(Debug, Default)]
struct Node {
    id: String,
    types: Vec<String>,
    properties: HashMap<String, Vec<Term>>,
}

/// An offer's price: a `dfc-b:Price` node, or a bare number (older DFC versions).
enum Price {
    Node(usize),
    Literal(String),
}

/// The nodes of a JSON-LD document, flattened, with every IRI written `dfc-b:Name` when it is in
/// a DFC namespace. Enough JSON-LD for catalogues: prefixes and aliases of inline contexts, the DFC
/// context assumed for remote ones, `@graph`, embedded nodes, `@list`/`@set`, expanded form.
#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    terms: HashMap<String, String>,
}

impl Graph {
    fn read(document: &Value) -> Result<Self, String> {
        let mut graph = Graph::default();
        for (prefix, namespace) in NAMESPACES.iter().filter(|(_, ns)| ns.starts_with("https://")) {
            graph.terms.insert(prefix.trim_end_matches(':').into(), (*namespace).into());
        }
        match document {
            Value::Object(object) => graph.read_top(object),
            Value::Array(list) => list.iter().filter_map(Value::as_object).for_each(|o| graph.read_top(o)),
            _ => return Err("Le document n'est pas du JSON-LD : un objet ou une liste est attendu.".into()),
        }
        Ok(graph)
    }

    fn read_top(&mut self, object: &Map<String, Value>) {
        if let Some(context) = object.get("@context") {
            self.read_context(context);
        }
        match object.get("@graph") {
            Some(nodes) => {
                for node in one_or_list(nodes).filter_map(Value::as_object) {
                    self.read_node(node);
                }
            }
            None => _ = self.read_node(object),
        }
    }

    /// Learns the prefixes and aliases of an inline context; a remote one is taken as the DFC's.
    fn read_context(&mut self, context: &Value) {
        for part in one_or_list(context).filter_map(Value::as_object) {
            for (term, definition) in part {
                let iri = definition.as_str().or_else(|| definition.get("@id").and_then(Value::as_str));
                if let Some(iri) = iri.filter(|_| !term.starts_with('@')) {
                    let iri = self.full(iri);
                    self.terms.insert(term.clone(), iri);
                }
            }
        }
    }

    /// The full IRI of a compact IRI or an alias, with the prefixes and aliases known so far.
    fn full(&self, name: &str) -> String {
        match name.split_once(':') {
            Some((prefix, local)) if !local.starts_with("//") => {
                self.terms.get(prefix).map(|ns| format!("{ns}{local}")).unwrap_or_else(|| name.to_string())
            }
            Some(_) => name.to_string(),
            None => self.terms.get(name).cloned().unwrap_or_else(|| name.to_string()),
        }
    }

    /// The full IRI, renamed with our DFC prefixes when it is in a DFC namespace.
    fn expand(&self, name: &str) -> String {
        let full = self.full(name);
        NAMESPACES
            .iter()
            .find_map(|(prefix, namespace)| {
                full.strip_prefix(namespace).map(|local| format!("{prefix}{local}"))
            })
            .unwrap_or(full)
    }

    /// Adds (or completes) a node and the nodes embedded in it; returns its id.
    fn read_node(&mut self, object: &Map<String, Value>) -> String {
        let id = match object.get("@id").and_then(Value::as_str) {
            Some(id) => self.expand(id),
            None => format!("_:halle-{}", self.nodes.len()),
        };
        let types: Vec<String> = object
            .get("@type")
            .map(one_or_list)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|t| self.expand(t))
            .collect();
        let mut properties: Vec<(String, Vec<Term>)> = Vec::new();
        for (key, value) in object.iter().filter(|(k, _)| !k.starts_with('@')) {
            let mut terms = Vec::new();
            self.read_values(value, &mut terms);
            properties.push((self.expand(key), terms));
        }
        let at = match self.index.get(&id) {
            Some(&at) => at,
            None => {
                self.nodes.push(Node { id: id.clone(), ..Node::default() });
                self.index.insert(id.clone(), self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        let node = &mut self.nodes[at];
        node.types.extend(types);
        for (key, terms) in properties {
            node.properties.entry(key).or_default().extend(terms);
        }
        id
    }

    fn read_values(&mut self, value: &Value, terms: &mut Vec<Term>) {
        match value {
            Value::String(text) => terms.push(Term::Text(text.clone())),
            Value::Number(number) => terms.push(Term::Literal(number.to_string())),
            Value::Bool(flag) => terms.push(Term::Literal(flag.to_string())),
            Value::Array(list) => list.iter().for_each(|v| self.read_values(v, terms)),
            Value::Object(object) => {
                if let Some(literal) = object.get("@value") {
                    match literal {
                        Value::String(text) => terms.push(Term::Literal(text.clone())),
                        Value::Number(_) | Value::Bool(_) => terms.push(Term::Literal(literal.to_string())),
                        _ => {}
                    }
                } else if let Some(list) = object.get("@list").or_else(|| object.get("@set")) {
                    self.read_values(list, terms);
                } else if object.len() == 1 && object.contains_key("@id") {
                    terms.push(Term::Id(self.expand(object["@id"].as_str().unwrap_or_default())));
                } else {
                    let id = self.read_node(object);
                    terms.push(Term::Id(id));
                }
            }
            Value::Null => {}
        }
    }

    fn node(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = usize> + 'a {
        (0..self.nodes.len()).filter(move |&n| self.nodes[n].types.iter().any(|t| t == kind))
    }

    fn terms(&self, node: usize, property: &str) -> &[Term] {
        self.nodes[node].properties.get(property).map_or(&[], Vec::as_slice)
    }

    /// The first literal value.
    fn text(&self, node: usize, property: &str) -> Option<String> {
        self.terms(node, property).iter().find_map(|t| match t {
            Term::Text(text) | Term::Literal(text) => Some(text.clone()),
            Term::Id(_) => None,
        })
    }

    /// Every reference, expanded.
    fn references(&self, node: usize, property: &str) -> Vec<String> {
        self.terms(node, property)
            .iter()
            .filter_map(|t| match t {
                Term::Text(text) => Some(self.expand(text)),
                Term::Id(id) => Some(id.clone()),
                Term::Literal(_) => None,
            })
            .collect()
    }

    fn reference(&self, node: usize, property: &str) -> Option<String> {
        self.references(node, property).into_iter().next()
    }

    /// The nodes of a type whose property points at `target`.
    fn pointing_at(&self, kind: &str, property: &str, target: usize) -> Vec<usize> {
        let id = &self.nodes[target].id;
        self.of_type(kind).filter(|&n| self.references(n, property).contains(id)).collect()
    }

    fn item_product(&self, item: usize) -> Option<usize> {
        let named = self.references(item, "dfc-b:references").iter().find_map(|r| self.node(r));
        named.or_else(|| {
            self.pointing_at("dfc-b:SuppliedProduct", "dfc-b:referencedBy", item).into_iter().next()
        })
    }

    fn item_offers(&self, item: usize) -> Vec<usize> {
        let mut offers: Vec<usize> =
            self.references(item, "dfc-b:offeredThrough").iter().filter_map(|r| self.node(r)).collect();
        if offers.is_empty() {
            offers = self.pointing_at("dfc-b:Offer", "dfc-b:offeredItem", item);
        }
        offers
    }

    fn offer_price(&self, offer: usize) -> Option<Price> {
        let node = self.references(offer, "dfc-b:hasPrice").iter().find_map(|p| self.node(p));
        node.map(Price::Node).or_else(|| self.text(offer, "dfc-b:price").map(Price::Literal))
    }
}

fn one_or_list(value: &Value) -> impl Iterator<Item = &Value> {
    match value {
        Value::Array(list) => list.iter().collect::<Vec<_>>().into_iter(),
        other => vec![other].into_iter(),
    }
}

#[derive(Clone, Copy)]
enum Rounding {
    HalfUp,
    Down,
}

/// A decimal text (`12.5`, `-1`, `1.25E1`) times 10^scale as an integer, computed on the digits:
/// never a float. The flag is false when rounding changed the value.
fn scaled(text: &str, scale: u32, rounding: Rounding) -> Option<(i64, bool)> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok().filter(|e| e.abs() <= 40)?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let number: u128 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let shift = exponent + scale as i32 - fraction.len() as i32;
    let (value, exact) = if shift >= 0 {
        (number.checked_mul(10u128.checked_pow(shift as u32)?)?, true)
    } else if shift < -38 {
        (0, number == 0)
    } else {
        let divisor = 10u128.pow(shift.unsigned_abs());
        let (quotient, remainder) = (number / divisor, number % divisor);
        let up = matches!(rounding, Rounding::HalfUp) && remainder * 2 >= divisor;
        (quotient + u128::from(up), remainder == 0)
    };
    let value = i64::try_from(value).ok()?;
    Some((if negative { -value } else { value }, exact))
}

/// The DFC product type (without `dfc-pt:`) that a merchant's category names, if one clearly does.
/// Parts joined by "et", "," or "/" must agree ("Pains et viennoiseries" → bakery; "Fruits et
/// légumes" → none); within a part, later words only narrow the first ("Viande de bœuf" → beef,
/// "Jus de pomme" → fruit juice).
pub fn product_type(category: &str) -> Option<&'static str> {
    let folded = fold(category);
    let mut common: Option<Vec<&'static str>> = None;
    for part in
        folded.split([',', '/', '&', '+', ';']).flat_map(|p| p.split(" et ")).flat_map(|p| p.split(" ou "))
    {
        let words: Vec<String> = part
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(singular)
            .collect();
        if words.is_empty() {
            continue;
        }
        let mut path: Option<Vec<&'static str>> = None;
        let mut at = 0;
        while at < words.len() {
            let found = PRODUCT_TYPES.iter().find(|(key, _)| {
                let key: Vec<&str> = key.split(' ').collect();
                words.get(at..at + key.len()).is_some_and(|w| w.iter().zip(&key).all(|(a, b)| a == b))
            });
            let Some((key, found)) = found else {
                at += 1;
                continue;
            };
            at += key.split(' ').count();
            let found: Vec<&'static str> = found.split('>').collect();
            match &path {
                None => path = Some(found),
                Some(current) if found.len() > current.len() && found.starts_with(current) => {
                    path = Some(found)
                }
                Some(_) => {}
            }
        }
        // A part that names nothing ("divers") leaves the whole category unclear.
        let path = path?;
        common = Some(match common {
            None => path,
            Some(so_far) => so_far.iter().zip(&path).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    common.and_then(|path| path.last().copied())
}

/// Lower case, without accents or ligatures, for matching French words.
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        match c {
            'à' | 'â' | 'ä' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' => folded.push('i'),
            'ô' | 'ö' => folded.push('o'),
            'ù' | 'û' | 'ü' => folded.push('u'),
            'ç' => folded.push('c'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '\'' | '’' => folded.push(' '),
            c => folded.push(c),
        }
    }
    folded
}

fn singular(word: &str) -> String {
    match word {
        "jus" | "pois" | "riz" | "cassis" => word.into(),
        w if w.len() > 3 && (w.ends_with('s') || w.ends_with('x')) => w[..w.len() - 1].into(),
        w => w.into(),
    }
}

/// French words (folded, singular) and the DFC product type each names, as its path in the
/// taxonomy (v1.3.0), so that words of one category can be checked to agree.
const PRODUCT_TYPES: [(&str, &str); 66] = [
    ("pomme de terre", "vegetable>potato"),
    ("jus de fruit", "drink>soft-drink>fruit-juice"),
    ("fruit de mer", "meat-product>fishery-product"),
    ("fruit sec", "local-grocery-store>processed-fruit>dried-fruit"),
    ("legume sec", "vegetable>dried-vegetable"),
    ("produit laitier", "dairy-product"),
    ("plat cuisine", "local-grocery-store>ready-meal"),
    ("epicerie sucree", "local-grocery-store>sweet-groceries"),
    ("epicerie salee", "local-grocery-store>savory-groceries"),
    ("boulangerie", "bakery"),
    ("pain", "bakery>bread"),
    ("baguette", "bakery>bread"),
    ("viennoiserie", "bakery>viennoiserie-"),
    ("croissant", "bakery>viennoiserie-"),
    ("patisserie", "local-grocery-store>sweet-groceries>pastry"),
    ("gateau", "local-grocery-store>sweet-groceries>pastry"),
    ("biscuit", "local-grocery-store>sweet-groceries>biscuit"),
    ("miel", "local-grocery-store>sweet-groceries>honey"),
    ("confiture", "local-grocery-store>sweet-groceries>jam"),
    ("confiserie", "local-grocery-store>sweet-groceries>confectionery"),
    ("chocolat", "local-grocery-store>sweet-groceries>confectionery"),
    ("fromagerie", "dairy-product"),
    ("cremerie", "dairy-product"),
    ("fromage", "dairy-product"),
    ("yaourt", "dairy-product"),
    ("laitage", "dairy-product"),
    ("lait", "dairy-product>cow-dairy-product>milk"),
    ("beurre", "dairy-product>cow-dairy-product>butter"),
    ("oeuf", "meat-product>egg"),
    ("legume", "vegetable"),
    ("fruit", "fruit"),
    ("salade", "vegetable>salad"),
    ("champignon", "vegetable>mushroom"),
    ("tomate", "vegetable>tomato"),
    ("pomme", "fruit>apples"),
    ("aromate", "vegetable>herb"),
    ("lentille", "vegetable>dried-vegetable>lentils"),
    ("boucherie", "meat-product"),
    ("viande", "meat-product"),
    ("boeuf", "meat-product>beef"),
    ("veau", "meat-product>veal"),
    ("agneau", "meat-product>lamb"),
    ("porc", "meat-product>pork"),
    ("charcuterie", "meat-product>pork>delicatessen"),
    ("volaille", "meat-product>poultry"),
    ("poulet", "meat-product>poultry>chicken"),
    ("lapin", "meat-product>rabbit"),
    ("poissonnerie", "meat-product>fishery-product"),
    ("poisson", "meat-product>fishery-product>fish"),
    ("coquillage", "meat-product>fishery-product>seashell"),
    ("boisson", "drink"),
    ("jus", "drink>soft-drink>fruit-juice"),
    ("alcool", "drink>alcoholic-beverage"),
    ("vin", "drink>alcoholic-beverage>wine"),
    ("biere", "drink>alcoholic-beverage>beer"),
    ("cidre", "drink>alcoholic-beverage>cider"),
    ("epicerie", "local-grocery-store"),
    ("huile", "local-grocery-store>savory-groceries>oil"),
    ("riz", "local-grocery-store>savory-groceries>rice"),
    ("farine", "local-grocery-store>dried_goods>flour"),
    ("soupe", "local-grocery-store>processed-vegetable>soup"),
    ("traiteur", "local-grocery-store>ready-meal"),
    ("surgele", "frozen"),
    ("fleur", "inedible>flower"),
    ("plante", "inedible>plant"),
    ("cosmetique", "inedible>cosmetic"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, unit: Unit) -> DfcProduct {
        DfcProduct {
            id,
            reference: format!("REF-{id}"),
            name: format!("Produit {id}"),
            description: String::new(),
            unit,
            price_cents: 120,
            vat_rate_bp: None,
            stock: None,
            available: true,
            organic: false,
            allergens: Vec::new(),
            ingredients: String::new(),
            category: None,
        }
    }

    fn enterprise() -> DfcEnterprise {
        DfcEnterprise {
            id: 42,
            name: "Ferme".into(),
            description: "Légumes".into(),
            url: "https://halle.example/t/x/annuaire/42".into(),
        }
    }

    fn imported(p: &DfcProduct) -> DfcImportedProduct {
        DfcImportedProduct {
            reference: p.reference.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            unit: p.unit,
            price_cents: p.price_cents,
            vat_rate_bp: p.vat_rate_bp,
            stock: p.stock,
            available: p.available,
            organic: p.organic,
        }
    }

    fn node<'a>(document: &'a Value, id: &str) -> &'a Value {
        document["@graph"].as_array().unwrap().iter().find(|n| n["@id"] == id).unwrap()
    }

    #[test]
    fn an_export_reads_back_with_every_field_for_every_unit() {
        let prices = [120, 1, 1234550, 99, 100];
        let stocks = [None, Some(0), Some(7)];
        let vats = [None, Some(550), Some(2000), Some(210)];
        let products: Vec<DfcProduct> = (0..Unit::ALL.len() * 3)
            .map(|i| DfcProduct {
                description: if i % 2 == 0 {
                    "Sur deux\nlignes, « guillemets ».".into()
                } else {
                    String::new()
                },
                price_cents: prices[i % prices.len()],
                stock: stocks[i % stocks.len()],
                vat_rate_bp: vats[i % vats.len()],
                available: i % 4 != 1,
                organic: i % 3 == 0,
                allergens: Allergen::ALL.iter().copied().skip(i % 5).step_by(4).collect(),
                category: Some("Pains et viennoiseries".into()),
                ..product(i as i64 + 1, Unit::ALL[i % Unit::ALL.len()])
            })
            .collect();
        let document = catalog_to_jsonld(&enterprise(), &products, "https://halle.example/");
        let read = jsonld_to_catalog(&document).unwrap();
        assert_eq!(read.problems, Vec::<String>::new());
        assert_eq!(read.products, products.iter().map(imported).collect::<Vec<_>>());
    }

    #[test]
    fn prices_are_exact_decimal_euros_and_stock_follows_the_dfc_conventions() {
        let products = [
            DfcProduct { price_cents: 120, vat_rate_bp: Some(550), ..product(1, Unit::Kg) },
            DfcProduct { price_cents: 1, stock: Some(0), ..product(2, Unit::Grams100) },
            DfcProduct { price_cents: 1234550, stock: Some(3), available: false, ..product(3, Unit::Piece) },
        ];
        let document = catalog_to_jsonld(&enterprise(), &products, "https://halle.example");
        let doc = "https://halle.example/api/v1/businesses/42/catalog.jsonld";
        assert_eq!(document["@context"], DFC_CONTEXT);
        let values: Vec<&Value> =
            (1..=3).map(|i| &node(&document, &format!("_:price-{i}"))["dfc-b:value"]).collect();
        assert_eq!(values, ["1.2", "0.01", "12345.5"]);
        assert_eq!(node(&document, "_:price-1")["dfc-b:VATrate"], "5.5");
        assert_eq!(node(&document, "_:quantity-2")["dfc-b:hasUnit"], "dfc-m:Gram");
        assert_eq!(node(&document, "_:quantity-2")["dfc-b:value"], "100");
        let item = |i: i64| node(&document, &format!("{doc}#item-{i}"));
        let offer = |i: i64| node(&document, &format!("{doc}#offer-{i}"));
        assert_eq!([&item(1)["dfc-b:stockLimitation"], &item(2)["dfc-b:stockLimitation"]], ["-1", "0"]);
        assert_eq!([&offer(3)["dfc-b:stockLimitation"], &item(3)["dfc-b:stockLimitation"]], ["0", "3"]);
        assert_eq!(offer(1)["dfc-b:offeredItem"], json!({ "@id": format!("{doc}#item-1") }));
        assert_eq!([hundredths(100), hundredths(205), hundredths(-5)], ["1", "2.05", "-0.05"]);
    }

    #[test]
    fn a_product_carries_its_type_label_and_allergens_from_the_dfc_taxonomies() {
        let bread = DfcProduct {
            organic: true,
            allergens: vec![Allergen::Gluten, Allergen::Sesame],
            category: Some("Pains".into()),
            ..product(5, Unit::Piece)
        };
        let document = catalog_to_jsonld(&enterprise(), &[bread], "https://halle.example");
        let supplied = node(&document, "https://halle.example/api/v1/businesses/42/catalog.jsonld#product-5");
        assert_eq!(supplied["dfc-b:hasType"], "dfc-pt:bread");
        assert_eq!(supplied["dfc-b:hasCertification"], "dfc-f:Organic-EU");
        assert_eq!(
            supplied["dfc-b:hasAllergenCharacteristic"],
            json!(["_:allergen-5-gluten", "_:allergen-5-sesame"])
        );
        assert_eq!(node(&document, "_:allergen-5-sesame")["dfc-b:hasAllergenDimension"], "dfc-m:SesameSeeds");
        let business =
            node(&document, "https://halle.example/api/v1/businesses/42/catalog.jsonld#enterprise");
        assert_eq!(business["dfc-b:websitePage"], "https://halle.example/t/x/annuaire/42");
    }

    #[test]
    fn a_category_becomes_a_product_type_only_when_it_clearly_names_one() {
        let cases = [
            ("Pains", Some("bread")),
            ("Pains et viennoiseries", Some("bakery")),
            ("Viande de bœuf", Some("beef")),
            ("Jus de pomme", Some("fruit-juice")),
            ("Pommes de terre", Some("potato")),
            ("Miel, confitures", Some("sweet-groceries")),
            ("ŒUFS", Some("egg")),
            ("Fruits et légumes", None),
            ("Légumes et divers", None),
            ("Divers", None),
            ("", None),
        ];
        for (category, expected) in cases {
            assert_eq!(product_type(category), expected, "{category}");
        }
    }

    /// Written by `@datafoodconsortium/connector` 1.0.0-beta.2's exporter (one node a line).
    const CONNECTOR_EXPORT: &str = r#"{"@context": "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context_1.16.0.jsonld", "@graph": [
    {"@id":"_:_:b1","@type":"dfc-b:QuantitativeValue","dfc-b:hasUnit":"dfc-m:Kilogram","dfc-b:value":"1"},
    {"@id":"_:_:b2","@type":"dfc-b:Price","dfc-b:VATrate":"5.5","dfc-b:hasUnit":"dfc-m:Euro","dfc-b:value":"3.2"},
    {"@id":"_:_:b3","@type":"dfc-b:QuantitativeValue","dfc-b:hasUnit":"dfc-m:Piece","dfc-b:value":"1"},
    {"@id":"_:_:b4","@type":"dfc-b:Price","dfc-b:VATrate":"20","dfc-b:hasUnit":"dfc-m:Euro","dfc-b:value":"0.5"},
    {"@id":"_:_:b5","@type":"dfc-b:QuantitativeValue","dfc-b:hasUnit":"dfc-m:Gram","dfc-b:value":"500"},
    {"@id":"_:_:b6","@type":"dfc-b:Price","dfc-b:hasUnit":"dfc-m:Euro","dfc-b:value":"4.99"},
    {"@id":"https://shop.example/api/dfc/enterprises/7","@type":"dfc-b:Enterprise","dfc-b:hasDescription":"Maraîcher","dfc-b:manages":["https://shop.example/api/dfc/enterprises/7/catalog_items/tomatoes","https://shop.example/api/dfc/enterprises/7/catalog_items/loaf","https://shop.example/api/dfc/enterprises/7/catalog_items/honey"],"dfc-b:name":"Les Jardins","dfc-b:supplies":["https://shop.example/api/dfc/enterprises/7/supplied_products/tomatoes","https://shop.example/api/dfc/enterprises/7/supplied_products/loaf","https://shop.example/api/dfc/enterprises/7/supplied_products/honey"]},
    {"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/honey","@type":"dfc-b:CatalogItem","dfc-b:offeredThrough":"https://shop.example/api/dfc/enterprises/7/offers/honey","dfc-b:references":"https://shop.example/api/dfc/enterprises/7/supplied_products/honey","dfc-b:stockLimitation":"7"},
    {"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/loaf","@type":"dfc-b:CatalogItem","dfc-b:offeredThrough":"https://shop.example/api/dfc/enterprises/7/offers/loaf","dfc-b:references":"https://shop.example/api/dfc/enterprises/7/supplied_products/loaf","dfc-b:sku":"PAIN"},
    {"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/tomatoes","@type":"dfc-b:CatalogItem","dfc-b:offeredThrough":"https://shop.example/api/dfc/enterprises/7/offers/tomatoes","dfc-b:references":"https://shop.example/api/dfc/enterprises/7/supplied_products/tomatoes","dfc-b:sku":"TOM","dfc-b:stockLimitation":"0"},
    {"@id":"https://shop.example/api/dfc/enterprises/7/offers/honey","@type":"dfc-b:Offer","dfc-b:hasPrice":"_:_:b6","dfc-b:offeredItem":{"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/honey"}},
    {"@id":"https://shop.example/api/dfc/enterprises/7/offers/loaf","@type":"dfc-b:Offer","dfc-b:hasPrice":"_:_:b4","dfc-b:offeredItem":{"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/loaf"}},
    {"@id":"https://shop.example/api/dfc/enterprises/7/offers/tomatoes","@type":"dfc-b:Offer","dfc-b:hasPrice":"_:_:b2","dfc-b:offeredItem":{"@id":"https://shop.example/api/dfc/enterprises/7/catalog_items/tomatoes"}},
    {"@id":"https://shop.example/api/dfc/enterprises/7/supplied_products/honey","@type":"dfc-b:SuppliedProduct","dfc-b:description":"Miel de fleurs, récolte locale","dfc-b:hasQuantity":"_:_:b5","dfc-b:name":"Miel de fleurs","dfc-b:referencedBy":"https://shop.example/api/dfc/enterprises/7/catalog_items/honey"},
    {"@id":"https://shop.example/api/dfc/enterprises/7/supplied_products/loaf","@type":"dfc-b:SuppliedProduct","dfc-b:description":"Pain de campagne, récolte locale","dfc-b:hasQuantity":"_:_:b3","dfc-b:hasType":"dfc-pt:bread","dfc-b:name":"Pain de campagne","dfc-b:referencedBy":"https://shop.example/api/dfc/enterprises/7/catalog_items/loaf"},
    {"@id":"https://shop.example/api/dfc/enterprises/7/supplied_products/tomatoes","@type":"dfc-b:SuppliedProduct","dfc-b:description":"Tomates rondes, récolte locale","dfc-b:hasCertification":"dfc-f:Organic-AB","dfc-b:hasQuantity":"_:_:b1","dfc-b:hasType":"dfc-pt:round-tomato","dfc-b:name":"Tomates rondes","dfc-b:referencedBy":"https://shop.example/api/dfc/enterprises/7/catalog_items/tomatoes"}
]}"#;

    #[test]
    fn a_catalogue_written_by_the_connector_is_read() {
        let read = jsonld_to_catalog(&serde_json::from_str(CONNECTOR_EXPORT).unwrap()).unwrap();
        let expected = [
            ("honey", "Miel de fleurs", Unit::Piece, 499, None, Some(7), false),
            ("PAIN", "Pain de campagne", Unit::Piece, 50, Some(2000), None, false),
            ("TOM", "Tomates rondes", Unit::Kg, 320, Some(550), Some(0), true),
        ];
        let got: Vec<_> = read
            .products
            .iter()
            .map(|p| {
                (
                    p.reference.as_str(),
                    p.name.as_str(),
                    p.unit,
                    p.price_cents,
                    p.vat_rate_bp,
                    p.stock,
                    p.organic,
                )
            })
            .collect();
        assert_eq!(got, expected);
        assert!(read.products.iter().all(|p| p.available && p.description.ends_with(", récolte locale")));
        let honey = "Article https://shop.example/api/dfc/enterprises/7/catalog_items/honey : ";
        assert_eq!(
            read.problems,
            [
                format!(
                    "{honey}« Miel de fleurs » n'a pas de référence (dfc-b:sku) ; « honey », tirée de son adresse, en tient lieu."
                ),
                format!(
                    "{honey}« Miel de fleurs » est vendu par 500 dfc-m:Gram, une quantité que Halle n'a pas ; il est importé à l'unité « piece »."
                ),
            ]
        );
    }

    /// Part of an export of ours, expanded by jsonld.js (full IRIs, `@value` objects).
    const EXPANDED_EXPORT: &str = r#"[
    {"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#item-105","@type":["https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#CatalogItem"],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#offeredThrough":[{"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#offer-105"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#references":[{"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#product-105"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#sku":[{"@value":"REF-TRAY"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#stockLimitation":[{"@value":"0"}],"urn:halle:dfc:available":[{"@value":false}]},
    {"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#product-105","@type":["https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#SuppliedProduct"],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasAllergenCharacteristic":[{"@id":"_:allergen-105-soybeans"},{"@id":"_:allergen-105-sesame"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasQuantity":[{"@id":"_:quantity-105"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#name":[{"@value":"Produit « tray » n°6"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#referencedBy":[{"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#item-105"}],"urn:halle:dfc:unit":[{"@value":"tray"}]},
    {"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#offer-105","@type":["https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#Offer"],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasPrice":[{"@id":"_:price-105"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#offeredItem":[{"@id":"https://halle.example/api/v1/businesses/42/catalog.jsonld#item-105"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#stockLimitation":[{"@value":"0"}]},
    {"@id":"_:price-105","@type":["https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#Price"],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#VATrate":[{"@value":"5.5"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasUnit":[{"@id":"https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#Euro"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#value":[{"@value":"4.5"}]},
    {"@id":"_:quantity-105","@type":["https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#QuantitativeValue"],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#hasUnit":[{"@id":"https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#Punnet"}],"https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#value":[{"@value":"1"}]}
]"#;

    #[test]
    fn an_expanded_document_is_read() {
        let read = jsonld_to_catalog(&serde_json::from_str(EXPANDED_EXPORT).unwrap()).unwrap();
        assert_eq!(read.problems, Vec::<String>::new());
        assert_eq!(
            read.products,
            [DfcImportedProduct {
                reference: "REF-TRAY".into(),
                name: "Produit « tray » n°6".into(),
                description: String::new(),
                unit: Unit::Tray,
                price_cents: 450,
                vat_rate_bp: Some(550),
                stock: Some(0),
                available: false,
                organic: false,
            }]
        );
    }

    #[test]
    fn unknown_nodes_units_and_currencies_are_reported_without_stopping_the_import() {
        let document = json!({
            "@context": {
                "dfc-b": "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#",
                "dfc-m": "http://static.datafoodconsortium.org/data/measures.rdf#",
                "ex": "https://example.org/",
            },
            "@graph": [
                { "@id": "ex:item/1", "@type": "dfc-b:CatalogItem", "dfc-b:sku": "OEUFS",
                  "dfc-b:references": { "@id": "ex:product/1", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Œufs",
                      "dfc-b:hasQuantity": { "@type": "dfc-b:QuantitativeValue", "dfc-b:hasUnit": { "@id": "dfc-m:Dozen" }, "dfc-b:value": 1 },
                      "dfc-b:hasCertification": { "@id": "http://static.datafoodconsortium.org/data/facets.rdf#Organic-AB" } },
                  "dfc-b:offeredThrough": { "@id": "ex:offer/1", "@type": "dfc-b:Offer",
                      "dfc-b:hasPrice": { "@type": "dfc-b:Price", "dfc-b:value": 3.45, "dfc-b:hasUnit": { "@id": "dfc-m:Euro" } } },
                  "dfc-b:stockLimitation": 2.5 },
                { "@id": "ex:item/2", "@type": "dfc-b:CatalogItem", "dfc-b:sku": "USD", "dfc-b:references": { "@id": "ex:product/2" },
                  "dfc-b:offeredThrough": { "@id": "ex:offer/2", "@type": "dfc-b:Offer",
                      "dfc-b:hasPrice": { "@type": "dfc-b:Price", "dfc-b:value": "2", "dfc-b:hasUnit": { "@id": "dfc-m:USDollar" } } } },
                { "@id": "ex:product/2", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Importé" },
                { "@id": "ex:product/3", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Sans article" },
                { "@id": "ex:item/4", "@type": "dfc-b:CatalogItem", "dfc-b:sku": "SANS-PRIX", "dfc-b:references": { "@id": "ex:product/4" } },
                { "@id": "ex:product/4", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Sans prix" },
                { "@id": "ex:recipe/1", "@type": "ex:Recipe" },
            ],
        });
        let read = jsonld_to_catalog(&document).unwrap();
        assert_eq!(read.products.len(), 1);
        let eggs = &read.products[0];
        assert_eq!(
            (eggs.reference.as_str(), eggs.unit, eggs.price_cents, eggs.stock, eggs.organic),
            ("OEUFS", Unit::Piece, 345, Some(2), true)
        );
        assert_eq!(
            read.problems,
            [
                "Le nœud https://example.org/recipe/1 est d'un type inconnu (https://example.org/Recipe) : il est ignoré.",
                "Article https://example.org/item/1 : le stock de « Œufs » est arrondi à 2.",
                "Article https://example.org/item/1 : « Œufs » est vendu par 1 dfc-m:Dozen, une quantité que Halle n'a pas ; il est importé à l'unité « piece ».",
                "Article https://example.org/item/2 : le prix de « Importé » est en dfc-m:USDollar, pas en euros ; il est ignoré.",
                "Article https://example.org/item/4 : « Sans prix » n'a pas d'offre avec un prix (dfc-b:Offer, dfc-b:hasPrice) ; il est ignoré.",
                "Le produit https://example.org/product/3 n'est proposé par aucun article de catalogue (dfc-b:CatalogItem), donc sans prix : il est ignoré.",
            ]
        );
    }

    #[test]
    fn a_document_without_dfc_nodes_is_refused() {
        assert!(jsonld_to_catalog(&json!("catalogue")).is_err());
        assert!(
            jsonld_to_catalog(&json!({ "@context": DFC_CONTEXT, "@graph": [{ "@id": "x", "name": "y" }] }))
                .is_err()
        );
        let empty = catalog_to_jsonld(&enterprise(), &[], "https://halle.example");
        assert_eq!(jsonld_to_catalog(&empty), Ok(DfcImport { products: Vec::new(), problems: Vec::new() }));
    }

    #[test]
    fn decimals_are_read_on_their_digits() {
        assert_eq!(scaled("12.34", 2, Rounding::HalfUp), Some((1234, true)));
        assert_eq!(scaled("1.234E1", 2, Rounding::HalfUp), Some((1234, true)));
        assert_eq!(scaled("0.005", 2, Rounding::HalfUp), Some((1, false)));
        assert_eq!(scaled("2.99", 0, Rounding::Down), Some((2, false)));
        assert_eq!(scaled("-1", 0, Rounding::Down), Some((-1, true)));
        assert_eq!(scaled("92233720368547758.07", 2, Rounding::HalfUp), Some((i64::MAX, true)));
        assert_eq!(scaled("92233720368547758.08", 2, Rounding::HalfUp), None);
        for bad in ["", ".", "1,5", "abc", "1e999", "--1"] {
            assert_eq!(scaled(bad, 2, Rounding::HalfUp), None, "{bad}");
        }
    }
}
