//! The demo: when `halle serve --demo` starts on an empty database, a realistic territory
//! (Marguerittes and its neighbouring villages, in the Gard) with members of every role.

use crate::accounts::{self, Role, User};
use crate::catalog::{self, Allergen, ProductInput, Unit};
use crate::db::Db;
use crate::directory::hours::{OpeningHours, TimeRange};
use crate::directory::{self, BusinessInput, BusinessKind, CrisisStatus};
use crate::territory::{self, NewCommune, NewTerritory, Territory};

/// The password of every demo account (shown on the login page in demo mode only).
pub const DEMO_PASSWORD: &str = "demo-halle-2020";

/// The demo accounts: email, display name, role in the territory, instance admin.
pub const DEMO_ACCOUNTS: [(&str, &str, Role, bool); 6] = [
    ("admin@demo.halle.example", "Jocelyn (admin)", Role::Moderator, true),
    ("moderation@demo.halle.example", "Sophie, animatrice", Role::Moderator, false),
    ("boulangerie@demo.halle.example", "Boulangerie Lafont", Role::Merchant, false),
    ("tresorerie@demo.halle.example", "Marc, trésorier", Role::Treasurer, false),
    ("bureau-de-change@demo.halle.example", "Café du Centre (change)", Role::ExchangeOperator, false),
    ("habitante@demo.halle.example", "Jeanne Martin", Role::Member, false),
];

/// Communes of the demo territory: INSEE code, postcode, name, latitude, longitude.
const COMMUNES: [(&str, &str, &str, f64, f64); 5] = [
    ("30156", "30320", "Marguerittes", 43.8601, 4.4432),
    ("30202", "30320", "Poulx", 43.9075, 4.4172),
    ("30258", "30320", "Saint-Gervasy", 43.8772, 4.4700),
    ("30034", "30320", "Bezouce", 43.8803, 4.4914),
    ("30059", "30210", "Cabrières", 43.8961, 4.4714),
];

/// Seeds the demo when the database has no territory yet; does nothing otherwise.
pub async fn seed_if_empty(db: &Db) -> anyhow::Result<()> {
    if !territory::list(db).await?.is_empty() {
        return Ok(());
    }
    let input = NewTerritory {
        slug: "marguerittes".into(),
        name: "Marguerittes et alentours".into(),
        time_zone: "Europe/Paris".into(),
        label_name: Some("Fait à Marguerittes".into()),
        label_tag: Some("#faitamarguerittes".into()),
    };
    let created = territory::create(db, None, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for (insee_code, postcode, name, latitude, longitude) in COMMUNES {
        let commune = NewCommune {
            insee_code: insee_code.into(),
            postcode: postcode.into(),
            name: name.into(),
            latitude,
            longitude,
        };
        territory::add_commune(db, None, created.id, &commune).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let mut users = Vec::new();
    for (email, name, role, is_admin) in DEMO_ACCOUNTS {
        let user = accounts::create_confirmed(db, email, Some(name), DEMO_PASSWORD, is_admin)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = db.begin().await?;
        accounts::grant_role_in_tx(&mut tx, user.id, created.id, Role::Member).await?;
        accounts::grant_role_in_tx(&mut tx, user.id, created.id, role).await?;
        tx.commit().await?;
        users.push(user);
    }
    let accepting = seed_directory(db, &created, &users[0], &users[2]).await?;
    crate::ledger::seed_demo(db, created.id, &users, &accepting).await?;
    crate::aid::demo::seed(db, "", &created, &users, DEMO_PASSWORD).await?;
    tracing::info!("demo territory created");
    Ok(())
}

/// The demo taxonomy: (category, parent).
const CATEGORIES: [(&str, Option<&str>); 16] = [
    ("Alimentation", None),
    ("Boulangerie", Some("Alimentation")),
    ("Boucherie", Some("Alimentation")),
    ("Épicerie", Some("Alimentation")),
    ("Fromagerie", Some("Alimentation")),
    ("Producteurs", None),
    ("Maraîchage", Some("Producteurs")),
    ("Élevage", Some("Producteurs")),
    ("Vins", Some("Producteurs")),
    ("Santé", None),
    ("Pharmacie", Some("Santé")),
    ("Services", None),
    ("Réparation", Some("Services")),
    ("Restauration", None),
    ("Associations", None),
    ("Librairie", None),
];

/// Demo listings: name, kind, category, address, commune (index), status, services
/// (click-and-collect, delivery, local currency, consignment), hours pattern, description.
type DemoBusiness = (
    &'static str,
    BusinessKind,
    &'static str,
    &'static str,
    usize,
    CrisisStatus,
    [bool; 4],
    Hours,
    &'static str,
);

/// A weekly pattern of opening hours.
#[derive(Clone, Copy)]
enum Hours {
    /// Tue–Sat 7:00–13:00 and 15:30–19:30, Sun 7:00–12:30.
    Bakery,
    /// Tue–Sat 8:30–12:30 and 15:00–19:00.
    Shop,
    /// Mon–Sat 9:00–19:30.
    Pharmacy,
    /// Wed and Sat 9:00–12:00 (farm sales).
    Farm,
    /// No hours given.
    Unknown,
}

const BUSINESSES: [DemoBusiness; 20] = [
    (
        "Boulangerie Lafont",
        BusinessKind::Merchant,
        "Boulangerie",
        "12 rue de la République",
        0,
        CrisisStatus::Open,
        [true, true, true, false],
        Hours::Bakery,
        "Pain au levain, viennoiseries et fougasses.\n\nCommandez la veille avant 18 h, retrait au comptoir sans attendre.",
    ),
    (
        "Boucherie Roux",
        BusinessKind::Merchant,
        "Boucherie",
        "3 place de la Mairie",
        0,
        CrisisStatus::PickupOnly,
        [true, false, true, false],
        Hours::Shop,
        "Viandes du Gard et charcuterie maison. Commandes par téléphone, retrait au magasin.",
    ),
    (
        "Épicerie du Village",
        BusinessKind::Merchant,
        "Épicerie",
        "8 avenue de Nîmes",
        0,
        CrisisStatus::Open,
        [true, true, true, true],
        Hours::Shop,
        "Épicerie de proximité, produits en vrac, dépôt-vente pour les producteurs du coin.",
    ),
    (
        "Fromagerie des Garrigues",
        BusinessKind::Merchant,
        "Fromagerie",
        "1 rue du Château",
        0,
        CrisisStatus::Open,
        [true, false, false, false],
        Hours::Shop,
        "Fromages de chèvre et pélardons affinés sur place.",
    ),
    (
        "Ferme du Gardon",
        BusinessKind::Producer,
        "Maraîchage",
        "Chemin des Mas",
        0,
        CrisisStatus::DeliveryOnly,
        [false, true, true, false],
        Hours::Farm,
        "Légumes de saison en agriculture biologique, paniers hebdomadaires livrés le vendredi.",
    ),
    (
        "Les Jardins de Poulx",
        BusinessKind::Producer,
        "Maraîchage",
        "Route de Cabrières",
        1,
        CrisisStatus::Open,
        [true, false, true, false],
        Hours::Farm,
        "Maraîchage sur sol vivant. Vente à la ferme le mercredi et le samedi matin.",
    ),
    (
        "Élevage des Costières",
        BusinessKind::Producer,
        "Élevage",
        "Mas de la Tour",
        3,
        CrisisStatus::PickupOnly,
        [true, false, false, false],
        Hours::Farm,
        "Agneaux et volailles élevés en plein air. Colis sur commande.",
    ),
    (
        "Domaine de Saint-Gervasy",
        BusinessKind::Producer,
        "Vins",
        "Chemin du Domaine",
        2,
        CrisisStatus::Open,
        [true, true, true, false],
        Hours::Shop,
        "Vins des Costières de Nîmes, caveau ouvert et livraison à domicile dans le village.",
    ),
    (
        "Pharmacie de Marguerittes",
        BusinessKind::Health,
        "Pharmacie",
        "20 avenue de la Libération",
        0,
        CrisisStatus::Open,
        [true, true, false, false],
        Hours::Pharmacy,
        "Ordonnances préparées sur demande et livrées aux personnes fragiles.",
    ),
    (
        "Pharmacie de Bezouce",
        BusinessKind::Health,
        "Pharmacie",
        "2 place de l’Église",
        3,
        CrisisStatus::Open,
        [false, false, false, false],
        Hours::Pharmacy,
        "Pharmacie de garde un dimanche sur quatre.",
    ),
    (
        "Garage Solidaire du Gard",
        BusinessKind::Service,
        "Réparation",
        "ZA des Pins",
        0,
        CrisisStatus::Open,
        [false, false, true, false],
        Hours::Shop,
        "Réparation de vélos et de voitures à prix solidaires.",
    ),
    (
        "Café du Centre",
        BusinessKind::Merchant,
        "Restauration",
        "5 place de la Mairie",
        0,
        CrisisStatus::PickupOnly,
        [true, false, true, false],
        Hours::Shop,
        "Plats à emporter le midi. Bureau de change de la monnaie locale.",
    ),
    (
        "Pizzeria La Garrigue",
        BusinessKind::Merchant,
        "Restauration",
        "14 route d’Uzès",
        1,
        CrisisStatus::DeliveryOnly,
        [false, true, false, false],
        Hours::Unknown,
        "Pizzas au feu de bois, livrées le soir dans les cinq communes.",
    ),
    (
        "Librairie Le Chat Lettré",
        BusinessKind::Merchant,
        "Librairie",
        "9 rue des Écoles",
        0,
        CrisisStatus::PickupOnly,
        [true, false, true, false],
        Hours::Shop,
        "Commandez vos livres par téléphone ou par e-mail, retrait à la porte.",
    ),
    (
        "Association Entraide Marguerittes",
        BusinessKind::Association,
        "Associations",
        "Salle polyvalente",
        0,
        CrisisStatus::Open,
        [false, true, false, false],
        Hours::Unknown,
        "Courses et livraisons pour les personnes âgées ou isolées. Appelez-nous !",
    ),
    (
        "Banque alimentaire de Cabrières",
        BusinessKind::Association,
        "Associations",
        "Ancienne école",
        4,
        CrisisStatus::Open,
        [false, false, false, false],
        Hours::Farm,
        "Distribution de colis alimentaires le mercredi et le samedi.",
    ),
    (
        "Boulangerie de Cabrières",
        BusinessKind::Merchant,
        "Boulangerie",
        "Grand’Rue",
        4,
        CrisisStatus::Closed,
        [false, false, false, false],
        Hours::Bakery,
        "Fermée pour congés jusqu’à nouvel ordre.",
    ),
    (
        "Primeur Chez Nadia",
        BusinessKind::Merchant,
        "Épicerie",
        "Marché couvert",
        0,
        CrisisStatus::Open,
        [true, true, true, true],
        Hours::Shop,
        "Fruits et légumes des producteurs du Gard, paniers composés sur commande.",
    ),
    (
        "Rucher des Garrigues",
        BusinessKind::Producer,
        "Élevage",
        "Les Fumades",
        1,
        CrisisStatus::Open,
        [true, false, true, false],
        Hours::Farm,
        "Miel de garrigue et pollen, vente à la ferme.",
    ),
    (
        "Atelier Couture Solidaire",
        BusinessKind::Artisan,
        "Associations",
        "7 rue des Jardins",
        2,
        CrisisStatus::Open,
        [true, false, true, false],
        Hours::Unknown,
        "Retouches et masques en tissu, dépôt et retrait à l’atelier.",
    ),
];

fn hours_of(pattern: Hours) -> OpeningHours {
    let range = |opens: u16, closes: u16| TimeRange { opens, closes };
    let mut hours = OpeningHours::default();
    match pattern {
        Hours::Bakery => {
            for day in 1..=5 {
                hours.days[day] = vec![range(7 * 60, 13 * 60), range(15 * 60 + 30, 19 * 60 + 30)];
            }
            hours.days[6] = vec![range(7 * 60, 12 * 60 + 30)];
        }
        Hours::Shop => {
            for day in 1..=5 {
                hours.days[day] = vec![range(8 * 60 + 30, 12 * 60 + 30), range(15 * 60, 19 * 60)];
            }
        }
        Hours::Pharmacy => {
            for day in 0..=5 {
                hours.days[day] = vec![range(9 * 60, 19 * 60 + 30)];
            }
        }
        Hours::Farm => {
            hours.days[2] = vec![range(9 * 60, 12 * 60)];
            hours.days[5] = vec![range(9 * 60, 12 * 60)];
        }
        Hours::Unknown => {}
    }
    hours
}

/// Fills the demo directory: a taxonomy and twenty listings, one owned by the baker account.
/// Returns the listings that accept the local currency (their wallet accounts are opened later).
async fn seed_directory(
    db: &Db,
    territory: &Territory,
    admin: &User,
    baker: &User,
) -> anyhow::Result<Vec<i64>> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let mut ids: Vec<(&str, i64)> = Vec::new();
    let mut accepting = Vec::new();
    for (name, parent) in CATEGORIES {
        let parent_id = parent.and_then(|p| ids.iter().find(|(n, _)| *n == p).map(|(_, id)| *id));
        let id = directory::add_category(db, admin, territory.id, name, parent_id).await.map_err(err)?;
        ids.push((name, id));
    }
    for (name, kind, category, address, commune, status, services, hours, description) in BUSINESSES {
        let place = COMMUNES[commune];
        let category_id = ids.iter().find(|(n, _)| *n == category).map(|(_, id)| *id);
        // Spread the listings a little around their commune's centre.
        let jitter = (name.len() as f64 % 7.0 - 3.0) * 0.0015;
        let input = BusinessInput {
            name: name.into(),
            kind: kind.as_str().into(),
            description: description.into(),
            address: Some(address.into()),
            postcode: Some(place.1.into()),
            city: Some(place.2.into()),
            latitude: Some(place.3 + jitter),
            longitude: Some(place.4 - jitter),
            phone: Some("04 66 00 00 00".into()),
            click_and_collect: services[0],
            delivery: services[1],
            takes_consignment: services[3],
            status: Some(status.as_str().into()),
            category_ids: category_id.into_iter().collect(),
            opening_hours: Some(hours_of(hours)),
            ..BusinessInput::default()
        };
        let created = directory::propose(db, "", admin, territory, &input).await.map_err(err)?;
        if services[2] {
            accepting.push(created.id);
        }
        seed_products(db, admin, created.id, category).await?;
        if services[0] || services[1] {
            crate::orders::seed_demo_drive(db, admin, &created).await.map_err(err)?;
        }
        if name == "Boulangerie Lafont" {
            let mut tx = db.begin().await?;
            directory::add_owner(&mut tx, created.id, baker.id).await?;
            tx.commit().await?;
        }
    }
    Ok(accepting)
}

/// A demo product: name, unit, price in cents, allergens.
type DemoProduct = (&'static str, Unit, i64, &'static [Allergen]);

/// Demo products by category.
const PRODUCTS: [(&str, &[DemoProduct]); 10] = [
    (
        "Boulangerie",
        &[
            ("Baguette tradition", Unit::Piece, 120, &[Allergen::Gluten]),
            ("Pain de campagne 500 g", Unit::Piece, 310, &[Allergen::Gluten]),
            ("Pain aux céréales", Unit::Piece, 360, &[Allergen::Gluten, Allergen::Sesame]),
            ("Fougasse aux olives", Unit::Piece, 420, &[Allergen::Gluten]),
            ("Croissant pur beurre", Unit::Piece, 115, &[Allergen::Gluten, Allergen::Milk, Allergen::Eggs]),
            ("Pain au chocolat", Unit::Piece, 125, &[Allergen::Gluten, Allergen::Milk, Allergen::Eggs]),
            (
                "Tarte aux pommes (6 parts)",
                Unit::Piece,
                1450,
                &[Allergen::Gluten, Allergen::Milk, Allergen::Eggs],
            ),
            ("Flan pâtissier", Unit::Portion, 280, &[Allergen::Gluten, Allergen::Milk, Allergen::Eggs]),
            ("Pompe à l’huile", Unit::Piece, 650, &[Allergen::Gluten]),
            ("Farine de blé T65 1 kg", Unit::Kg, 295, &[Allergen::Gluten]),
        ],
    ),
    (
        "Boucherie",
        &[
            ("Côtes d’agneau", Unit::Kg, 2890, &[]),
            ("Saucisses de Toulouse", Unit::Kg, 1390, &[Allergen::Sulphites]),
            ("Bœuf bourguignon", Unit::Kg, 1650, &[]),
            ("Poulet fermier", Unit::Piece, 1490, &[]),
            ("Pâté de campagne", Unit::Grams100, 250, &[Allergen::Eggs]),
            ("Brandade de Nîmes", Unit::Grams100, 390, &[Allergen::Fish, Allergen::Milk]),
        ],
    ),
    (
        "Épicerie",
        &[
            ("Huile d’olive 75 cl", Unit::Bottle, 1200, &[]),
            ("Miel de châtaignier 500 g", Unit::Jar, 980, &[]),
            ("Œufs plein air x6", Unit::Box, 320, &[Allergen::Eggs]),
            ("Lentilles vertes", Unit::Kg, 590, &[]),
            ("Pois chiches", Unit::Kg, 480, &[]),
            ("Confiture d’abricot", Unit::Jar, 450, &[]),
            ("Café en grains", Unit::Kg, 2400, &[]),
            ("Savon de Marseille", Unit::Piece, 350, &[]),
            ("Pommes Golden", Unit::Kg, 290, &[]),
            ("Tomates anciennes", Unit::Kg, 490, &[]),
        ],
    ),
    (
        "Fromagerie",
        &[
            ("Pélardon affiné", Unit::Piece, 280, &[Allergen::Milk]),
            ("Tomme de chèvre", Unit::Grams100, 390, &[Allergen::Milk]),
            ("Fromage frais", Unit::Jar, 350, &[Allergen::Milk]),
            ("Yaourt au lait de brebis", Unit::Jar, 120, &[Allergen::Milk]),
        ],
    ),
    (
        "Maraîchage",
        &[
            ("Panier de légumes de saison", Unit::Box, 1500, &[]),
            ("Salade batavia", Unit::Piece, 120, &[]),
            ("Carottes", Unit::Bunch, 250, &[]),
            ("Poireaux", Unit::Bunch, 280, &[]),
            ("Courgettes", Unit::Kg, 320, &[]),
            ("Fraises gariguette", Unit::Tray, 450, &[]),
            ("Pommes de terre", Unit::Kg, 180, &[]),
            ("Oignons doux des Cévennes", Unit::Kg, 390, &[]),
        ],
    ),
    (
        "Élevage",
        &[
            ("Colis d’agneau (5 kg)", Unit::Box, 8500, &[]),
            ("Poulet fermier", Unit::Piece, 1690, &[]),
            ("Miel de garrigue 500 g", Unit::Jar, 1050, &[]),
            ("Œufs frais x12", Unit::Box, 480, &[Allergen::Eggs]),
        ],
    ),
    (
        "Vins",
        &[
            ("Costières de Nîmes rouge", Unit::Bottle, 890, &[Allergen::Sulphites]),
            ("Costières de Nîmes rosé", Unit::Bottle, 790, &[Allergen::Sulphites]),
            ("Blanc de blancs", Unit::Bottle, 950, &[Allergen::Sulphites]),
            ("Jus de raisin", Unit::Litre, 450, &[]),
        ],
    ),
    (
        "Restauration",
        &[
            ("Plat du jour", Unit::Portion, 1100, &[Allergen::Gluten]),
            ("Pizza margherita", Unit::Piece, 1000, &[Allergen::Gluten, Allergen::Milk]),
            ("Salade niçoise", Unit::Portion, 950, &[Allergen::Fish, Allergen::Eggs]),
            ("Tiramisu", Unit::Portion, 450, &[Allergen::Gluten, Allergen::Milk, Allergen::Eggs]),
        ],
    ),
    (
        "Librairie",
        &[
            ("Carte de la garrigue", Unit::Piece, 990, &[]),
            ("Roman du mois", Unit::Piece, 2090, &[]),
            ("Album jeunesse", Unit::Piece, 1450, &[]),
        ],
    ),
    (
        "Pharmacie",
        &[
            ("Gel hydroalcoolique 100 ml", Unit::Bottle, 350, &[]),
            ("Masques chirurgicaux x10", Unit::Box, 490, &[]),
            ("Thermomètre", Unit::Piece, 1290, &[]),
        ],
    ),
];

/// Adds the demo products of a listing's category.
async fn seed_products(db: &Db, admin: &User, business_id: i64, category: &str) -> anyhow::Result<()> {
    let Some((_, items)) = PRODUCTS.iter().find(|(c, _)| *c == category) else { return Ok(()) };
    for (index, (name, unit, price_cents, allergens)) in items.iter().enumerate() {
        let input = ProductInput {
            reference: format!("{}-{:02}", &deunicode::deunicode(category).to_uppercase()[..3], index + 1),
            name: (*name).to_owned(),
            category: Some(category.to_owned()),
            unit: unit.as_str().to_owned(),
            price_cents: *price_cents,
            stock: if index % 4 == 0 { None } else { Some(((index * 7) % 30) as i64) },
            available: true,
            organic: index % 3 == 0,
            local_label: index % 2 == 0,
            allergens: allergens.to_vec(),
            ..ProductInput::default()
        };
        catalog::create(db, admin, business_id, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
