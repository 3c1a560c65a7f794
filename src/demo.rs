//! The demo: when `halle serve --demo` starts on an empty database, a realistic territory
//! (Marguerittes and its neighbouring villages, in the Gard) with members of every role.

use crate::accounts::{self, Role};
use crate::db::Db;
use crate::territory::{self, NewCommune, NewTerritory};

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
    if !territory::store::list(db).await?.is_empty() {
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
    for (email, name, role, is_admin) in DEMO_ACCOUNTS {
        let user = accounts::create_confirmed(db, email, Some(name), DEMO_PASSWORD, is_admin)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = db.begin().await?;
        accounts::store::grant_role(&mut tx, user.id, created.id, Role::Member).await?;
        accounts::store::grant_role(&mut tx, user.id, created.id, role).await?;
        tx.commit().await?;
    }
    tracing::info!("demo territory created");
    Ok(())
}
