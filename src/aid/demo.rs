//! Mutual aid's part of the demo: a volunteer driver and a care home join the demo members;
//! a dozen ads in every domain and a few conversations, all through the domain functions.

use crate::accounts::{self, Role, User};
use crate::db::Db;
use crate::territory::Territory;

use super::AdInput;

/// The accounts mutual aid adds to the demo: email, display name.
pub const AID_ACCOUNTS: [(&str, &str); 2] = [
    ("benevole@demo.halle.example", "Karim, chauffeur bénévole"),
    ("ehpad@demo.halle.example", "EHPAD Les Oliviers"),
];

/// (author index, kind, domain, title, description, commune index, urgent).
const ADS: [(usize, &str, &str, &str, &str, usize, bool); 12] = [
    (
        6,
        "offer",
        "transport",
        "Transport vers Nîmes le mardi et le jeudi",
        "Je conduis une voiture de 5 places. Je peux emmener des personnes âgées à leurs rendez-vous médicaux ou au marché.",
        0,
        false,
    ),
    (
        7,
        "request",
        "transport",
        "Accompagnement de résidents au marché",
        "Nous cherchons un ou deux chauffeurs pour accompagner trois résidents au marché du samedi matin.",
        0,
        true,
    ),
    (
        7,
        "request",
        "socio-educational",
        "Lecture à voix haute pour nos résidents",
        "Une heure par semaine, l’après-midi, pour lire le journal ou un roman à nos résidents.",
        0,
        false,
    ),
    (
        5,
        "offer",
        "socio-educational",
        "Aide aux devoirs en mathématiques",
        "Ancienne professeure, j’aide les collégiens le mercredi après-midi.",
        1,
        false,
    ),
    (
        5,
        "request",
        "agricultural",
        "Coup de main pour la récolte des olives",
        "Quelques heures en novembre pour ramasser les olives de mon jardin, on partage l’huile !",
        1,
        false,
    ),
    (
        2,
        "offer",
        "commercial",
        "Pain livré aux personnes isolées",
        "La boulangerie livre gratuitement le pain aux personnes qui ne peuvent pas se déplacer, sur simple message.",
        0,
        false,
    ),
    (
        2,
        "request",
        "agricultural",
        "Farine locale recherchée",
        "Nous cherchons un producteur de blé du Gard pour notre farine, en direct.",
        0,
        false,
    ),
    (
        1,
        "offer",
        "associative",
        "Salle disponible pour les associations",
        "La salle du foyer est libre le lundi soir pour les réunions d’associations.",
        2,
        false,
    ),
    (
        1,
        "request",
        "associative",
        "Bénévoles pour la distribution alimentaire",
        "Distribution le vendredi de 17 h à 19 h : il nous manque deux personnes pour la mise en sachets.",
        0,
        true,
    ),
    (
        6,
        "offer",
        "medical",
        "Courses en pharmacie pour les personnes fragiles",
        "Je passe à la pharmacie deux fois par semaine et peux rapporter vos médicaments.",
        3,
        false,
    ),
    (
        7,
        "request",
        "medical",
        "Visites de convivialité",
        "Nos résidents apprécient les visites ; une demi-heure suffit pour rompre l’isolement.",
        0,
        false,
    ),
    (
        3,
        "offer",
        "transport",
        "Covoiturage Bezouce – Nîmes en semaine",
        "Départ 7 h 45, retour 18 h, deux places libres.",
        3,
        false,
    ),
];

/// A demo conversation: (ad index, writer index, lines with "from the writer").
type Talk = (usize, usize, &'static [(bool, &'static str)]);

/// Seeds the aid demo: `members` are the demo accounts in `demo::DEMO_ACCOUNTS` order.
pub async fn seed(
    db: &Db,
    base_url: &str,
    territory: &Territory,
    members: &[User],
    password: &str,
) -> anyhow::Result<()> {
    let mut people: Vec<User> = members.to_vec();
    for (email, name) in AID_ACCOUNTS {
        let user = accounts::create_confirmed(db, email, Some(name), password, false)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut tx = db.begin().await?;
        accounts::grant_role_in_tx(&mut tx, user.id, territory.id, Role::Member).await?;
        tx.commit().await?;
        people.push(user);
    }
    let places = super::places(db, territory.id).await?;
    let mut ads = Vec::new();
    for (author, kind, domain, title, description, commune, urgent) in ADS {
        let (Some(user), Some(place)) = (people.get(author), places.get(commune)) else { continue };
        let input = AdInput {
            kind: kind.into(),
            domain: domain.into(),
            title: title.into(),
            description: description.into(),
            commune_id: Some(place.id),
            is_urgent: urgent,
            ..AdInput::default()
        };
        let ad = super::post_ad(db, base_url, user, territory, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        ads.push(ad);
    }
    let profiles = [
        (6, "Retraité, j’ai du temps et une voiture.", "conduite, bricolage"),
        (7, "Établissement pour personnes âgées de Marguerittes, 60 résidents.", "accueil, animation"),
        (5, "Habitante du village depuis 30 ans.", "mathématiques, couture"),
    ];
    for (index, presentation, skills) in profiles {
        if let Some(user) = people.get(index) {
            let input = super::ProfileInput {
                presentation: presentation.into(),
                skills: skills.into(),
                commune_id: places.first().map(|p| p.id),
            };
            super::update_profile(db, user, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    // Conversations: the care home answers the driver; the resident writes to the care home.
    let talks: [Talk; 2] = [
        (
            0,
            7,
            &[
                (
                    true,
                    "Bonjour, nous aurions besoin d’un chauffeur mardi prochain pour deux résidents. Seriez-vous disponible ?",
                ),
                (false, "Bonjour, oui avec plaisir. Je peux passer à 9 h à l’EHPAD."),
                (true, "Parfait, merci beaucoup !"),
            ],
        ),
        (2, 5, &[(true, "Bonjour, je peux venir lire le jeudi après-midi, cela vous conviendrait ?")]),
    ];
    for (ad_index, writer, lines) in talks {
        let (Some(ad), Some(writer)) = (ads.get(ad_index), people.get(writer)) else { continue };
        let Some(author) = people.iter().find(|u| u.id == ad.author_id) else { continue };
        let mut conversation = None;
        for (from_writer, body) in lines {
            let result = match (conversation, from_writer) {
                (None, _) => super::contact(db, base_url, writer, ad.id, body).await.map(Some),
                (Some(id), true) => super::reply(db, base_url, writer, id, body).await.map(|_| Some(id)),
                (Some(id), false) => super::reply(db, base_url, author, id, body).await.map(|_| Some(id)),
            };
            conversation = result.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    tracing::info!(ads = ads.len(), "demo ads created");
    Ok(())
}
