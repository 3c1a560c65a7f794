//! Reading a DFC catalogue (ours, the connector's or Open Food Network's) into product inputs:
//! enough JSON-LD to flatten the graph, then each catalog item with its product, offer and price.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde_json::{Map, Value};

use super::export::{dfc_quantity, hundredths};
use super::{
    DfcImport, DfcImportedProduct, DfcReadError, HALLE_AVAILABLE, HALLE_UNIT, MAX_NODES, ORGANIC_LABELS,
    UNIT_ALIASES, UNITS, Unit,
};

/// Reads a DFC catalogue, as we export it or as the connector (or Open Food Network) writes it,
/// compacted with the DFC prefixes or expanded. Nodes of unknown types, products without an offer
/// or a price, units we lack and rounded numbers are reported in `problems`, never fatal; an
/// error means the document is not JSON-LD holding DFC nodes at all, or holds more than
/// [`MAX_NODES`] nodes.
pub fn jsonld_to_catalog(document: &Value) -> Result<DfcImport, DfcReadError> {
    jsonld_to_catalog_before(document, None)
}

/// [`jsonld_to_catalog`], giving up with [`DfcReadError::TooSlow`] once `deadline` has passed: the
/// work stops between two nodes or items, so that a refused document does not keep a thread busy.
pub fn jsonld_to_catalog_before(
    document: &Value,
    deadline: Option<Instant>,
) -> Result<DfcImport, DfcReadError> {
    let in_time = || match deadline {
        Some(deadline) if Instant::now() >= deadline => Err(DfcReadError::TooSlow),
        _ => Ok(()),
    };
    let graph = Graph::read(document)?;
    in_time()?;
    if !graph.nodes.iter().any(|n| n.types.iter().any(|t| t.starts_with("dfc-b:"))) {
        return Err(DfcReadError::Unreadable(
            "Le document ne contient aucun nœud du standard DFC (dfc-b:…).".into(),
        ));
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
        in_time()?;
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
pub(super) struct ItemProblems<'a> {
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
pub(super) fn read_product(
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
pub(super) fn read_price(
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
pub(super) fn read_stock(
    g: &Graph,
    item: usize,
    offer: usize,
    name: &str,
    problems: &mut ItemProblems,
) -> Option<i64> {
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
pub(super) fn read_unit(g: &Graph, product: usize) -> (Unit, Option<String>) {
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
pub(super) const KNOWN_TYPES: &str = "Address AllergenCharacteristic AsPlannedConsumptionFlow AsPlannedLocalConsumptionFlow \
    AsPlannedLocalProductionFlow AsPlannedLocalTransformation AsPlannedProductionFlow AsPlannedTransformation \
    AsRealizedConsumptionFlow AsRealizedProductionFlow AsRealizedTransformation Catalog CatalogItem \
    CustomerCategory DeliveryOption Enterprise LocalizedProduct NutrientCharacteristic Offer Order OrderLine \
    PaymentMethod Person PhoneNumber PhysicalCharacteristic PhysicalPlace PhysicalProduct PickupOption Price \
    ProductBatch QuantitativeValue RealStock SaleSession SocialMedia SuppliedProduct TechnicalProduct \
    TheoreticalStock VirtualPlace";

pub(super) fn is_known_type(kind: &str) -> bool {
    match kind.strip_prefix("dfc-b:") {
        Some(local) => KNOWN_TYPES.split_whitespace().any(|known| known == local),
        None => {
            kind.starts_with("http://www.w3.org/2004/02/skos/core#Concept")
                || kind == "https://schema.org/OpeningHoursSpecification"
        }
    }
}

/// The DFC namespaces, current and older, each with the prefix we name its terms with.
pub(super) const NAMESPACES: [(&str, &str); 10] = [
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
pub(super) enum Term {
    /// A plain JSON string: a literal, or a reference where the context says so.
    Text(String),
    /// `{"@id": ...}` or an embedded node.
    Id(String),
    /// A number, a boolean or `{"@value": ...}`.
    Literal(String),
}

#[derive(Debug, Default)]
pub(super) struct Node {
    id: String,
    types: Vec<String>,
    properties: HashMap<String, Vec<Term>>,
}

/// An offer's price: a `dfc-b:Price` node, or a bare number (older DFC versions).
pub(super) enum Price {
    Node(usize),
    Literal(String),
}

/// The nodes of a JSON-LD document, flattened, with every IRI written `dfc-b:Name` when it is in
/// a DFC namespace. Enough JSON-LD for catalogues: prefixes and aliases of inline contexts, the DFC
/// context assumed for remote ones, `@graph`, embedded nodes, `@list`/`@set`, expanded form.
///
/// Every lookup is by index, built once while reading: nodes by `@id`, and for the two properties
/// that DFC also writes backwards (an offer naming its item, a product naming its item), the nodes
/// pointing at each id; a catalogue of n items is read in time proportional to n, not n².
#[derive(Default)]
pub(super) struct Graph {
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    /// `(property, target id)` to the nodes whose property references the target, in document
    /// order, for [`BACKWARD_PROPERTIES`].
    incoming: HashMap<(String, String), Vec<usize>>,
    terms: HashMap<String, String>,
    /// Anonymous nodes named so far (their ids are `_:halle-<n>`).
    blank: usize,
    /// More than [`MAX_NODES`] nodes were met: reading stopped.
    is_over: bool,
}

/// The properties read backwards (from their target to the nodes holding them).
const BACKWARD_PROPERTIES: [&str; 2] = ["dfc-b:referencedBy", "dfc-b:offeredItem"];

impl Graph {
    pub(super) fn read(document: &Value) -> Result<Self, DfcReadError> {
        let mut graph = Graph::default();
        for (prefix, namespace) in NAMESPACES.iter().filter(|(_, ns)| ns.starts_with("https://")) {
            graph.terms.insert(prefix.trim_end_matches(':').into(), (*namespace).into());
        }
        match document {
            Value::Object(object) => graph.read_top(object),
            Value::Array(list) => {
                for object in list.iter().filter_map(Value::as_object) {
                    if graph.is_over {
                        break;
                    }
                    graph.read_top(object);
                }
            }
            _ => {
                return Err(DfcReadError::Unreadable(
                    "Le document n'est pas du JSON-LD : un objet ou une liste est attendu.".into(),
                ));
            }
        }
        if graph.is_over {
            return Err(DfcReadError::TooManyNodes);
        }
        graph.index_incoming();
        Ok(graph)
    }

    fn read_top(&mut self, object: &Map<String, Value>) {
        if let Some(context) = object.get("@context") {
            self.read_context(context);
        }
        match object.get("@graph") {
            Some(nodes) => {
                for node in one_or_list(nodes).filter_map(Value::as_object) {
                    if self.is_over {
                        break;
                    }
                    self.read_node(node);
                }
            }
            None => _ = self.read_node(object),
        }
    }

    /// Fills [`Graph::incoming`], once every node is read.
    fn index_incoming(&mut self) {
        let mut incoming: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for at in 0..self.nodes.len() {
            for property in BACKWARD_PROPERTIES {
                for target in self.references(at, property) {
                    let pointing = incoming.entry((property.to_owned(), target)).or_default();
                    if pointing.last() != Some(&at) {
                        pointing.push(at);
                    }
                }
            }
        }
        self.incoming = incoming;
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
        if self.is_over {
            return String::new();
        }
        let id = match object.get("@id").and_then(Value::as_str) {
            Some(id) => self.expand(id),
            None => {
                // Counted apart from the nodes: an anonymous node's embedded anonymous nodes are
                // added before it, and must not take its name.
                self.blank += 1;
                format!("_:halle-{}", self.blank)
            }
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
            None if self.nodes.len() >= MAX_NODES => {
                self.is_over = true;
                return id;
            }
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

    pub(super) fn node(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
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

    /// The nodes of a type whose property (one of [`BACKWARD_PROPERTIES`]) points at `target`.
    pub(super) fn pointing_at(&self, kind: &str, property: &str, target: usize) -> Vec<usize> {
        debug_assert!(BACKWARD_PROPERTIES.contains(&property), "{property} is not indexed backwards");
        let key = (property.to_owned(), self.nodes[target].id.clone());
        let pointing = self.incoming.get(&key).map_or(&[][..], Vec::as_slice);
        pointing.iter().copied().filter(|&n| self.nodes[n].types.iter().any(|t| t == kind)).collect()
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

pub(super) fn one_or_list(value: &Value) -> impl Iterator<Item = &Value> {
    match value {
        Value::Array(list) => list.iter().collect::<Vec<_>>().into_iter(),
        other => vec![other].into_iter(),
    }
}

#[derive(Clone, Copy)]
pub(super) enum Rounding {
    HalfUp,
    Down,
}

/// A decimal text (`12.5`, `-1`, `1.25E1`) times 10^scale as an integer, computed on the digits:
/// never a float. The flag is false when rounding changed the value.
pub(super) fn scaled(text: &str, scale: u32, rounding: Rounding) -> Option<(i64, bool)> {
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
