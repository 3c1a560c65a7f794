//! How each web route of the table is asked: its address with A's things in it, and a valid
//! form, made fresh where a success would use the thing up.

use super::fresh::{days_ahead, dfc_catalogue, png, product_csv, uuid};
use super::run::{Body, Call, form};
use super::world::{Who, World};
use crate::helpers::PASSWORD;

/// A multipart form with one file.
fn upload(path: String, field: &str, name: &str, bytes: Vec<u8>) -> Call {
    Call::new(path, Body::Multipart(Vec::new(), vec![(field.into(), name.into(), bytes)]))
}

/// The call for a web `route` asked by `who`.
pub async fn call(w: &World, route: &str, who: Who) -> Call {
    let n = w.unique();
    let slug = &w.a.slug;
    let shop = w.shop_a;
    let drive = format!("/t/{slug}/annuaire/{shop}/drive");
    let email = |who: Who| {
        w.actors[&who].user.as_ref().map_or_else(|| w.user(Who::MemberA).email.clone(), |u| u.email.clone())
    };
    let new_email = format!("nouveau{n}@authz.example");
    let code = || if who == Who::Anonymous { "000000".to_owned() } else { w.recovery_code(who) };
    let product = || format!("/t/{slug}/annuaire/{shop}/produits");
    let product_fields = |reference: &str| -> Vec<(String, String)> {
        [("reference", reference), ("name", "Pain"), ("unit", "piece"), ("price", "1,50")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let ad_fields: &[(&str, &str)] = &[
        ("type", "offer"),
        ("domain", "transport"),
        ("title", "Transport vers Nîmes"),
        ("description", "Voiture 5 places, le mardi."),
        ("latitude", "43,86"),
        ("longitude", "4,44"),
    ];
    match route.split_once(' ').unwrap().1 {
        // Accounts.
        "/register" => {
            form!("/register", ("email", &new_email), ("password", PASSWORD), ("display_name", "Nouvelle"))
        }
        "/confirm/resend" => form!("/confirm/resend", ("email", &email(who))).quiet(),
        "/login" => {
            Call { own_browser: true, ..form!("/login", ("email", &email(who)), ("password", PASSWORD)) }
                .quiet()
        }
        "/logout" => Call { own_browser: true, ..Call::new("/logout", Body::Empty) }.quiet(),
        // One reset mail per address and hour: the second ask sends nothing.
        "/password/forgot" => form!("/password/forgot", ("email", &email(who))).quiet(),
        "/password/reset" => {
            form!("/password/reset", ("token", &w.reset_token().await), ("password", PASSWORD))
        }
        "/account/password" => Call {
            renews_token: true,
            ..form!("/account/password", ("current_password", PASSWORD), ("new_password", PASSWORD))
        },
        "/account/email" => {
            form!("/account/email", ("new_email", &new_email), ("current_password", PASSWORD))
        }
        "/account/delete" => Call {
            invalid_is_allowed: true,
            ..form!("/account/delete", ("current_password", "pas le bon mot de passe")).quiet()
        },
        "/account/tokens" => form!("/account/tokens", ("name", "script")),
        "/account/tokens/{id}/revoke" => {
            Call::new(format!("/account/tokens/{}/revoke", w.token_of_member_a().await), Body::Empty)
        }
        "/account/2fa" => form!("/account/2fa", ("code", &code())),
        "/account/2fa/verify" => form!("/account/2fa/verify", ("code", &code())),
        // A wrong code, so that the column keeps the recovery codes the money calls use up.
        "/account/2fa/recovery" => {
            Call { invalid_is_allowed: true, ..form!("/account/2fa/recovery", ("code", "000000")).quiet() }
        }
        // Administration.
        "/admin/outbox/{id}/retry" => {
            Call::new(format!("/admin/outbox/{}/retry", w.failed_message().await), Body::Empty)
        }
        "/admin/users/{id}/roles" => form!(
            format!("/admin/users/{}/roles", w.neighbour.id),
            ("territory_id", &w.a.id.to_string()),
            ("role", "merchant"),
            ("action", "grant")
        ),
        "/admin/territories" => {
            form!(
                "/admin/territories",
                ("slug", &format!("nouveau-{n}")),
                ("name", "Nouveau"),
                ("time_zone", "Europe/Paris")
            )
        }
        "/admin/territories/{slug}" => form!(
            format!("/admin/territories/{slug}"),
            ("insee_code", &format!("{}", 10_000 + n)),
            ("postcode", "30000"),
            ("name", "Bourg"),
            ("latitude", "43,8"),
            ("longitude", "4,4")
        ),
        "/t/{slug}/join" => Call::new(format!("/t/{}/join", w.c.slug), Body::Empty),
        // Directory.
        "/t/{slug}/annuaire/proposer" => {
            form!(
                format!("/t/{slug}/annuaire/proposer"),
                ("name", &format!("Atelier {n}")),
                ("kind", "artisan")
            )
        }
        "/t/{slug}/annuaire/{id}/modifier" => form!(
            format!("/t/{slug}/annuaire/{}/modifier", w.managed_listing().await),
            ("name", &format!("Atelier {n}")),
            ("kind", "artisan")
        ),
        "/t/{slug}/annuaire/{id}/statut" => form!(
            format!("/t/{slug}/annuaire/{}/statut", w.managed_listing().await),
            ("status", "pickup_only"),
            ("status_message", "Retrait seulement")
        ),
        "/t/{slug}/annuaire/{id}/photos" => upload(
            format!("/t/{slug}/annuaire/{}/photos", w.managed_listing().await),
            "photo",
            "photo.png",
            png(),
        ),
        "/t/{slug}/annuaire/{id}/photos/{photo}/supprimer" => {
            let listing = w.managed_listing().await;
            let photo =
                halle::directory::add_photo(&w.app.db, w.user(Who::MerchantA), listing, png()).await.unwrap();
            Call::new(format!("/t/{slug}/annuaire/{listing}/photos/{photo}/supprimer"), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/gerer" => {
            form!(
                format!("/t/{slug}/annuaire/{}/gerer", w.unowned_listing().await),
                ("message", "Je la tiens")
            )
        }
        "/t/{slug}/moderation/{id}/approuver" => Call::new(
            format!("/t/{slug}/moderation/{}/approuver", w.listing(Who::MemberA).await),
            Body::Empty,
        ),
        "/t/{slug}/moderation/{id}/refuser" => {
            form!(
                format!("/t/{slug}/moderation/{}/refuser", w.listing(Who::MemberA).await),
                ("reason", "Doublon")
            )
        }
        "/t/{slug}/moderation/reclamations/{claim}/{decision}" => {
            Call::new(format!("/t/{slug}/moderation/reclamations/{}/accepter", w.claim().await), Body::Empty)
        }
        "/t/{slug}/moderation/import" => {
            let csv = format!("nom,categorie,commune\nAtelier importé {n},Boulangerie,Marguerittes\n");
            upload(format!("/t/{slug}/moderation/import"), "file", "annuaire.csv", csv.into_bytes())
        }
        "/t/{slug}/moderation/import/{batch}" => {
            Call::new(format!("/t/{slug}/moderation/import/{}", w.directory_batch().await), Body::Empty)
        }
        "/t/{slug}/moderation/categories" => {
            form!(format!("/t/{slug}/moderation/categories"), ("name", &format!("Rubrique {n}")))
        }
        "/t/{slug}/moderation/categories/{id}" => form!(
            format!("/t/{slug}/moderation/categories/{}", w.category().await),
            ("name", &format!("Rubrique renommée {n}"))
        ),
        "/t/{slug}/moderation/categories/{id}/supprimer" => Call::new(
            format!("/t/{slug}/moderation/categories/{}/supprimer", w.category().await),
            Body::Empty,
        ),
        // Catalogue.
        "/t/{slug}/annuaire/{id}/produits/nouveau" => {
            Call::new(format!("{}/nouveau", product()), Body::Form(product_fields(&format!("N{n}"))))
        }
        "/t/{slug}/annuaire/{id}/produits/lot" => form!(
            format!("{}/lot", product()),
            ("ids", &w.product().await.to_string()),
            ("action", "disable")
        ),
        "/t/{slug}/annuaire/{id}/produits/import" => {
            upload(format!("{}/import", product()), "file", "tarifs.csv", product_csv(n))
        }
        "/t/{slug}/annuaire/{id}/produits/import/{import}" => {
            Call::new(format!("{}/import/{}", product(), w.product_import().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/produits/import-dfc" => {
            upload(format!("{}/import-dfc", product()), "dfc_file", "catalogue.json", dfc_catalogue(n))
        }
        "/t/{slug}/annuaire/{id}/produits/{product}" => Call::new(
            format!("{}/{}", product(), w.product().await),
            Body::Form(product_fields(&format!("E{n}"))),
        ),
        "/t/{slug}/annuaire/{id}/produits/{product}/rapide" => form!(
            format!("{}/{}/rapide", product(), w.product().await),
            ("price", "2,00"),
            ("stock", ""),
            ("available", "on")
        ),
        "/t/{slug}/annuaire/{id}/produits/{product}/dupliquer" => {
            Call::new(format!("{}/{}/dupliquer", product(), w.product().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/produits/{product}/supprimer" => {
            Call::new(format!("{}/{}/supprimer", product(), w.product().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/produits/{product}/photos" => {
            upload(format!("{}/{}/photos", product(), w.product().await), "photo", "photo.png", png())
        }
        "/t/{slug}/annuaire/{id}/produits/{product}/photos/{photo}/supprimer" => {
            let id = w.product().await;
            let photo = w.product_photo(id).await;
            Call::new(format!("{}/{id}/photos/{photo}/supprimer", product()), Body::Empty)
        }
        // The drive.
        "/panier/ajouter" => {
            form!("/panier/ajouter", ("product_id", &w.product_a.to_string()), ("quantity", "1"))
        }
        "/panier/quantite" => form!(
            "/panier/quantite",
            ("product_id", &w.product_a.to_string()),
            ("quantity", &(n % 50 + 2).to_string())
        ),
        "/panier/recapitulatif" | "/panier/confirmer" => {
            if who != Who::Anonymous {
                w.fill_cart(who).await;
            }
            let path = route.split_once(' ').unwrap().1;
            let call = form!(
                path,
                (&format!("slot_{shop}"), &w.slot_a.to_string()),
                (&format!("payment_{shop}"), "on_pickup"),
                ("checkout_token", &uuid())
            );
            // The summary is a preview; confirming places the order.
            Call { quiet: path.ends_with("recapitulatif"), ..call }
        }
        "/mes-commandes/{id}/annuler" => {
            Call::new(format!("/mes-commandes/{}/annuler", w.order().await), Body::Empty)
        }
        "/mes-commandes/{id}/recommander" => {
            Call::new(format!("/mes-commandes/{}/recommander", w.order().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/drive/pause" => form!(format!("{drive}/pause"), ("paused", "0")).quiet(),
        "/t/{slug}/annuaire/{id}/drive/commandes/{order}/statut" => {
            form!(format!("{drive}/commandes/{}/statut", w.order().await), ("status", "accepted"))
        }
        "/t/{slug}/annuaire/{id}/drive/reglages" => form!(
            format!("{drive}/reglages"),
            ("cutoff_time", ""),
            ("lead_minutes", "60"),
            ("days_ahead", "14"),
            ("payment", "cash")
        )
        .quiet(),
        "/t/{slug}/annuaire/{id}/drive/points" => {
            form!(format!("{drive}/points"), ("name", "Halle"), ("address", "Place"))
        }
        "/t/{slug}/annuaire/{id}/drive/points/{point}/supprimer" => {
            Call::new(format!("{drive}/points/{}/supprimer", w.point().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/drive/modeles" => form!(
            format!("{drive}/modeles"),
            ("point", &w.point_a.to_string()),
            ("weekday", &(n % 7 + 1).to_string()),
            ("start", "14:00"),
            ("end", "15:00"),
            ("slot_minutes", "60"),
            ("capacity", "3")
        ),
        "/t/{slug}/annuaire/{id}/drive/modeles/{template}/supprimer" => {
            Call::new(format!("{drive}/modeles/{}/supprimer", w.template().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/drive/fermetures" => {
            let day = days_ahead(800 + n as i64).to_string();
            form!(
                format!("{drive}/fermetures"),
                ("first_day", &day),
                ("last_day", &day),
                ("reason", "Inventaire")
            )
        }
        "/t/{slug}/annuaire/{id}/drive/fermetures/{closure}/supprimer" => {
            Call::new(format!("{drive}/fermetures/{}/supprimer", w.closure().await), Body::Empty)
        }
        "/t/{slug}/annuaire/{id}/drive/avis" => {
            let time = format!("{:02}:00", n % 24);
            form!(format!("{drive}/avis"), ("each_order", "on"), ("summary_time", &time))
        }
        "/t/{slug}/annuaire/{id}/drive/creneaux" => {
            let day = days_ahead(200 + n as i64).to_string();
            form!(
                format!("{drive}/creneaux"),
                ("day", &day),
                ("start", "09:00"),
                ("end", "10:00"),
                ("capacity", "5"),
                ("point", &w.point_a.to_string())
            )
        }
        // Local currency.
        "/t/{slug}/monnaie/activer" => {
            form!(format!("/t/{slug}/monnaie/activer"), ("name", "Bulle"), ("symbol", "B")).quiet()
        }
        "/t/{slug}/monnaie/change" => form!(format!("/t/{slug}/monnaie/change"), ("amount", "10")),
        "/t/{slug}/monnaie/payer" | "/t/{slug}/monnaie/payer/confirmer" => {
            let path = route.split_once(' ').unwrap().1.replace("{slug}", slug);
            let to = w.shop_account().await.to_string();
            let call = form!(&path, ("id", &uuid()), ("to", &to), ("amount", "1"), ("memo", "Pain"));
            Call { quiet: !path.ends_with("confirmer"), ..call }
        }
        "/t/{slug}/monnaie/structure/{id}/ouvrir" => {
            Call::new(format!("/t/{slug}/monnaie/structure/{shop}/ouvrir"), Body::Empty).quiet()
        }
        "/t/{slug}/monnaie/structure/{id}/demande" => {
            form!(format!("/t/{slug}/monnaie/structure/{shop}/demande"), ("amount", "5"), ("memo", "Panier"))
        }
        "/t/{slug}/monnaie/structure/{id}/reconversion" => form!(
            format!("/t/{slug}/monnaie/structure/{shop}/reconversion"),
            ("id", &uuid()),
            ("reconversion_amount", "1")
        ),
        "/t/{slug}/monnaie/tresorerie/releve" => {
            let csv = format!("Date;Libellé;Montant\n17/03/2026;FRAIS {n};-1,00\n");
            upload(
                format!("/t/{slug}/monnaie/tresorerie/releve"),
                "statement",
                "releve.csv",
                csv.into_bytes(),
            )
        }
        "/t/{slug}/monnaie/tresorerie/ecritures/{id}/rapprocher" => {
            let (entry, reference) = w.bank_line().await;
            form!(format!("/t/{slug}/monnaie/tresorerie/ecritures/{entry}/rapprocher"), ("code", &reference))
        }
        "/t/{slug}/monnaie/tresorerie/ecritures/{id}/sans-rapport" => {
            let (entry, _) = w.bank_line().await;
            Call::new(format!("/t/{slug}/monnaie/tresorerie/ecritures/{entry}/sans-rapport"), Body::Empty)
        }
        "/t/{slug}/monnaie/tresorerie/reglages" => {
            form!(format!("/t/{slug}/monnaie/tresorerie/reglages"), ("member_payments", "on"), ("fee", ""))
                .quiet()
        }
        "/t/{slug}/monnaie/tresorerie/banque" => form!(
            format!("/t/{slug}/monnaie/tresorerie/banque"),
            ("iban", "FR76 3000 6000 0112 3456 7890 189"),
            ("holder", "Association de la Bulle"),
            ("exchange_points", "Café de la Place · samedi 9 h 30 – 12 h")
        ),
        "/t/{slug}/monnaie/tresorerie/correction" | "/t/{slug}/monnaie/tresorerie/correction/confirmer" => {
            let path = route.split_once(' ').unwrap().1.replace("{slug}", slug);
            let call = form!(&path, ("transfer", &w.payment().await), ("memo", "Erreur de montant"));
            Call { quiet: !path.ends_with("confirmer"), ..call }
        }
        "/t/{slug}/monnaie/bureau-de-change" => form!(
            format!("/t/{slug}/monnaie/bureau-de-change"),
            ("id", &uuid()),
            ("email", &w.user(Who::MemberA).email),
            ("amount", "1"),
            ("method", "cash")
        ),
        // Mutual aid.
        "/t/{slug}/entraide/publier" => Call::form(format!("/t/{slug}/entraide/publier"), ad_fields),
        "/t/{slug}/entraide/recherches" => {
            form!(format!("/t/{slug}/entraide/recherches"), ("query", &format!("q=velo{n}")))
        }
        "/recherches/{id}/supprimer" => {
            Call::new(format!("/recherches/{}/supprimer", w.saved_search().await), Body::Empty)
        }
        "/t/{slug}/entraide/{id}/modifier" => {
            Call::form(format!("/t/{slug}/entraide/{}/modifier", w.ad().await), ad_fields)
        }
        "/t/{slug}/entraide/{id}/statut" => {
            form!(format!("/t/{slug}/entraide/{}/statut", w.ad().await), ("action", "fulfilled"))
        }
        "/t/{slug}/entraide/{id}/contacter" => {
            form!(
                format!("/t/{slug}/entraide/{}/contacter", w.ad_a),
                ("body", "Bonjour, toujours d'actualité ?")
            )
        }
        "/messages/{id}" => form!(format!("/messages/{}", w.conversation_a), ("body", "Merci !")),
        "/membres/{id}/bloquer" | "/membres/{id}/debloquer" => {
            w.block_neighbour(who, route.ends_with("debloquer")).await;
            let path = route.split_once(' ').unwrap().1.replace("{id}", &w.neighbour.id.to_string());
            form!(path, ("back", "/messages"))
        }
        "/profil" => form!("/profil", ("presentation", "Bricoleur"), ("skills", "vélo"), ("commune_id", "")),
        "/signaler" => form!(
            "/signaler",
            ("target", "ad"),
            ("target_id", &w.ad_by_another().await.to_string()),
            ("reason", "Annonce commerciale"),
            ("back", "/")
        ),
        "/t/{slug}/entraide/moderation/annonces/{id}/approuver" => Call::new(
            format!("/t/{slug}/entraide/moderation/annonces/{}/approuver", w.pending_ad().await),
            Body::Empty,
        ),
        "/t/{slug}/entraide/moderation/annonces/{id}/masquer" => form!(
            format!("/t/{slug}/entraide/moderation/annonces/{}/masquer", w.ad().await),
            ("reason", "Hors sujet")
        ),
        "/t/{slug}/entraide/moderation/signalements/{id}" => form!(
            format!("/t/{slug}/entraide/moderation/signalements/{}", w.report().await),
            ("hide", ""),
            ("sanction", ""),
            ("reason", "")
        ),
        "/t/{slug}/entraide/moderation/suspensions/{user}/lever" => Call::new(
            format!("/t/{slug}/entraide/moderation/suspensions/{}/lever", w.suspended().await),
            Body::Empty,
        ),
        "/t/{slug}/entraide/moderation/mode" => {
            form!(format!("/t/{slug}/entraide/moderation/mode"), ("mode", "open")).quiet()
        }
        "/t/{slug}/entraide/moderation/domaines" => {
            form!(format!("/t/{slug}/entraide/moderation/domaines"), ("name", &format!("Jardinage {n}")))
        }
        other => panic!("no request written for the web route {other}"),
    }
}
