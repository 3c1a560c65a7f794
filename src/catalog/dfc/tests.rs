//! Tests of the DFC export and import, and of product types.

use super::export::*;
use super::import::*;
use super::product_type::*;
use super::*;
use serde_json::{Value, json};

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
    let business = node(&document, "https://halle.example/api/v1/businesses/42/catalog.jsonld#enterprise");
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
            (p.reference.as_str(), p.name.as_str(), p.unit, p.price_cents, p.vat_rate_bp, p.stock, p.organic)
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

/// A catalogue of `items` products written backwards (the product and the offer name their
/// item), four nodes each, and `extra` more nodes.
fn large_catalogue(items: usize, extra: usize) -> Value {
    let mut graph = Vec::new();
    for i in 0..items {
        graph.push(json!({ "@id": format!("ex:item/{i}"), "@type": "dfc-b:CatalogItem", "dfc-b:sku": format!("R-{i}") }));
        graph.push(json!({ "@id": format!("ex:product/{i}"), "@type": "dfc-b:SuppliedProduct",
            "dfc-b:name": format!("Produit {i}"), HALLE_UNIT: "piece", "dfc-b:referencedBy": { "@id": format!("ex:item/{i}") } }));
        graph.push(json!({ "@id": format!("ex:offer/{i}"), "@type": "dfc-b:Offer",
            "dfc-b:offeredItem": { "@id": format!("ex:item/{i}") }, "dfc-b:hasPrice": { "@id": format!("ex:price/{i}") } }));
        graph.push(json!({ "@id": format!("ex:price/{i}"), "@type": "dfc-b:Price", "dfc-b:value": "1.20",
            "dfc-b:hasUnit": "dfc-m:Euro" }));
    }
    for i in 0..extra {
        graph.push(json!({ "@id": format!("ex:catalog/{i}"), "@type": "dfc-b:Catalog" }));
    }
    json!({ "@context": [DFC_CONTEXT, { "ex": "https://example.org/" }], "@graph": graph })
}

#[test]
fn the_graph_indexes_nodes_by_id_and_the_nodes_pointing_backwards() {
    let document = json!({
        "@context": [DFC_CONTEXT, { "ex": "https://example.org/" }],
        "@graph": [
            { "@id": "ex:item/1", "@type": "dfc-b:CatalogItem" },
            { "@id": "ex:offer/a", "@type": "dfc-b:Offer", "dfc-b:offeredItem": { "@id": "ex:item/1" } },
            { "@id": "ex:note", "@type": "ex:Note", "dfc-b:offeredItem": "ex:item/1" },
            { "@id": "ex:offer/b", "@type": "dfc-b:Offer", "dfc-b:offeredItem": ["ex:item/1", "ex:item/1"] },
            { "@id": "ex:offer/c", "@type": "dfc-b:Offer", "dfc-b:offeredItem": { "@id": "ex:item/2" } },
        ],
    });
    let graph = Graph::read(&document).unwrap();
    assert_eq!(graph.len(), 5);
    let item = graph.node("https://example.org/item/1").unwrap();
    assert_eq!(graph.node("ex:item/1"), None, "ids are stored expanded");
    let offers = graph.pointing_at("dfc-b:Offer", "dfc-b:offeredItem", item);
    let expected =
        ["https://example.org/offer/a", "https://example.org/offer/b"].map(|id| graph.node(id).unwrap());
    assert_eq!(offers, expected, "in document order, once each, of the asked type only");
    assert!(graph.pointing_at("dfc-b:SuppliedProduct", "dfc-b:referencedBy", item).is_empty());
}

#[test]
fn an_anonymous_node_and_the_anonymous_node_inside_it_stay_two_nodes() {
    let document = json!({
        "@context": DFC_CONTEXT,
        "@graph": [{ "@type": "dfc-b:Offer", "dfc-b:hasPrice": { "@type": "dfc-b:Price", "dfc-b:value": "2" } }],
    });
    let graph = Graph::read(&document).unwrap();
    assert_eq!(graph.len(), 2);
    assert_ne!(graph.node("_:halle-1"), graph.node("_:halle-2"));
}

#[test]
fn a_catalogue_of_twenty_thousand_nodes_written_backwards_is_read() {
    let read = jsonld_to_catalog(&large_catalogue(MAX_NODES / 4, 0)).unwrap();
    assert_eq!(read.products.len(), 5_000);
    assert!(read.problems.is_empty(), "{:?}", &read.problems[..3.min(read.problems.len())]);
    assert_eq!((read.products[4_999].reference.as_str(), read.products[4_999].price_cents), ("R-4999", 120));
}

#[test]
fn a_catalogue_of_more_than_twenty_thousand_nodes_is_refused() {
    assert_eq!(jsonld_to_catalog(&large_catalogue(MAX_NODES / 4, 1)), Err(DfcReadError::TooManyNodes));
    let flat: Vec<Value> =
        (0..=MAX_NODES).map(|i| json!({ "@id": format!("n{i}"), "@type": "dfc-b:Catalog" })).collect();
    assert_eq!(jsonld_to_catalog(&Value::Array(flat)), Err(DfcReadError::TooManyNodes));
}

#[test]
fn reading_stops_once_the_deadline_has_passed() {
    let past = std::time::Instant::now();
    assert_eq!(jsonld_to_catalog_before(&large_catalogue(10, 0), Some(past)), Err(DfcReadError::TooSlow));
    assert_eq!(jsonld_to_catalog_before(&large_catalogue(10, 0), None).map(|r| r.products.len()), Ok(10));
}
