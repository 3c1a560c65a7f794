//! The authorization matrix: every state-changing route of the site and of the API, asked by
//! each role of territory A, by the same roles of territory B, by the instance admin and by an
//! anonymous visitor, always about A's things (A's listing, its products, orders, ads, ledger).
//!
//! `Y` means allowed: the request succeeds (2xx, or a redirect elsewhere than the login page)
//! and writes to the database (unless its call is marked `quiet`: a preview, a setting saved
//! again); deleting one's account is asked with a wrong password, so there a 422 is allowed.
//! `-` means refused: 401, 403, 404 or a redirect to the login page, and not one row written
//! (sessions, rate-limit counters and job leases aside; `changes.rs` logs writes by trigger).
//! All cells run on one server, in about half a minute; rate-limit counters are reset before
//! each, since rate limits are not what this test is about.
//!
//! The routes are found in the code (`routes.rs`: the web routers' `.route(...)` calls and the
//! OpenAPI document of the API); a route missing from the table, or a row naming no route, fails.
//! `requests.rs` and `api.rs` say how each route is asked: with a valid body, and with a fresh
//! object where a success would use one up (a product to delete, an order to cancel...).

mod api;
mod changes;
mod fresh;
mod requests;
mod routes;
mod run;
mod world;

/// Who may do what. Columns: `an`onymous; in territory A a `me`mber, the `m`er`c`hant running
/// the listing, a `mo`derator, the `tr`easurer, an exchange-`d`es`k` operator; the instance
/// `ad`min; then the same five roles in territory B.
#[rustfmt::skip]
pub const TABLE: &[(&str, &str)] = &[
    //                                                                            an me mc mo tr dk ad me mc mo tr dk
    //                                                                               ------ A -----    ------ B -----
    // Accounts: public forms; one's own account; MemberA's API token.
    ("POST /register",                                                           "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /confirm/resend",                                                     "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /login",                                                              "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /logout",                                                             "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /password/forgot",                                                    "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /password/reset",                                                     "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/password",                                                   "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/email",                                                      "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/delete",                                                     "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/tokens",                                                     "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/tokens/{id}/revoke",                                         "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /account/2fa",                                                        "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/2fa/verify",                                                 "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /account/2fa/recovery",                                               "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/auth/register",                                               "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/auth/token",                                                  "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    // Instance administration. Joining is asked of territory C (D through the API), which no column
    // belongs to.
    ("POST /admin/outbox/{id}/retry",                                            "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("POST /admin/users/{id}/roles",                                             "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("POST /admin/territories",                                                  "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("POST /admin/territories/{slug}",                                           "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/join",                                                      "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/territories/{slug}/members",                                  "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    // Directory: proposing a listing (moderated), running one of MerchantA's (A's moderators may
    // too), claiming someone else's.
    ("POST /t/{slug}/annuaire/proposer",                                         "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /t/{slug}/annuaire/{id}/modifier",                                    "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/statut",                                      "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/photos",                                      "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/photos/{photo}/supprimer",                    "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/gerer",                                       "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/territories/{slug}/businesses",                               "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("PATCH /api/v1/businesses/{id}",                                            "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    // Directory moderation of A.
    ("POST /t/{slug}/moderation/{id}/approuver",                                 "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/{id}/refuser",                                   "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/reclamations/{claim}/{decision}",                "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/import",                                         "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/import/{batch}",                                 "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/categories",                                     "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/categories/{id}",                                "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/moderation/categories/{id}/supprimer",                      "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/approve",                                     "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/refuse",                                      "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/businesses/import",                        "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    // Catalogue of MerchantA's listing: its merchant, and A's moderators, who moderate it.
    ("POST /t/{slug}/annuaire/{id}/produits/nouveau",                            "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/lot",                                "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/import",                             "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/import/{import}",                    "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/import-dfc",                         "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}",                          "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}/rapide",                   "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}/dupliquer",                "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}/supprimer",                "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}/photos",                   "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/produits/{product}/photos/{photo}/supprimer", "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/products",                                    "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("PATCH /api/v1/products/{id}",                                              "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("DELETE /api/v1/products/{id}",                                             "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/products/import",                             "-  -  Y  Y  -  -  Y  -  -  -  -  -"),
    // The drive: one's own cart, MemberA's orders; the shop's side is its merchant's alone (its
    // orders are its customers' affairs: neither moderators nor the admin run them).
    ("POST /panier/ajouter",                                                     "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /panier/quantite",                                                    "Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /panier/recapitulatif",                                               "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /panier/confirmer",                                                   "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /mes-commandes/{id}/annuler",                                         "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /mes-commandes/{id}/recommander",                                     "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/cart/items",                                                  "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("PUT /api/v1/cart/items/{product_id}",                                      "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("DELETE /api/v1/cart/items/{product_id}",                                   "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/cart/checkout",                                               "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/orders",                                                      "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/orders/{id}/cancel",                                          "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/pause",                                 "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/commandes/{order}/statut",              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/reglages",                              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/points",                                "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/points/{point}/supprimer",              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/modeles",                               "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/modeles/{template}/supprimer",          "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/fermetures",                            "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/fermetures/{closure}/supprimer",        "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/creneaux",                              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/annuaire/{id}/drive/avis",                                  "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/orders/{id}/status",                                          "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/slots",                                       "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/pickup-points",                               "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/slot-templates",                              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("DELETE /api/v1/businesses/{id}/slot-templates/{template_id}",              "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/businesses/{id}/pause",                                       "-  -  Y  -  -  -  -  -  -  -  -  -"),
    // Local currency of A: members of A only; the listing's account is its merchant's alone; the
    // desk is its operators' and the treasurers'.
    ("POST /t/{slug}/monnaie/activer",                                           "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("PUT /api/v1/territories/{slug}/currency",                                  "-  -  -  -  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/change",                                            "-  Y  Y  Y  Y  Y  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/payer",                                             "-  Y  Y  Y  Y  Y  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/payer/confirmer",                                   "-  Y  Y  Y  Y  Y  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/issuance-requests",               "-  Y  Y  Y  Y  Y  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/transfers",                       "-  Y  Y  Y  Y  Y  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/structure/{id}/ouvrir",                             "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/structure/{id}/demande",                            "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/structure/{id}/reconversion",                       "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/businesses/{id}/account",         "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/payment-requests",                "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/reconversions",                   "-  -  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/releve",                                 "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/ecritures/{id}/rapprocher",              "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/ecritures/{id}/sans-rapport",            "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/reglages",                               "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/banque",                                 "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/correction",                             "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/tresorerie/correction/confirmer",                   "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/statements",                      "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/transfers/{id}/correction",       "-  -  -  -  Y  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/monnaie/bureau-de-change",                                  "-  -  -  -  Y  Y  Y  -  -  -  -  -"),
    ("POST /api/v1/territories/{slug}/currency/exchange",                        "-  -  -  -  Y  Y  Y  -  -  -  -  -"),
    // Mutual aid in A: posting is open to any account, like proposing a listing; MemberA's ads
    // and saved searches; MemberA's conversation with MerchantA; A's moderation.
    ("POST /t/{slug}/entraide/publier",                                          "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/territories/{slug}/ads",                                      "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /t/{slug}/entraide/recherches",                                       "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /recherches/{id}/supprimer",                                          "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/{id}/modifier",                                    "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/{id}/statut",                                      "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("PATCH /api/v1/ads/{id}",                                                   "-  Y  -  -  -  -  -  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/{id}/contacter",                                   "-  -  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/ads/{id}/conversations",                                      "-  -  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /messages/{id}",                                                      "-  Y  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /api/v1/conversations/{id}/messages",                                 "-  Y  Y  -  -  -  -  -  -  -  -  -"),
    ("POST /membres/{id}/bloquer",                                               "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /membres/{id}/debloquer",                                             "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("PUT /api/v1/members/{id}/block",                                           "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("DELETE /api/v1/members/{id}/block",                                        "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /profil",                                                             "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /signaler",                                                           "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /api/v1/reports",                                                     "-  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y  Y"),
    ("POST /t/{slug}/entraide/moderation/annonces/{id}/approuver",               "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/moderation/annonces/{id}/masquer",                 "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/moderation/signalements/{id}",                     "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/moderation/suspensions/{user}/lever",              "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/moderation/mode",                                  "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /t/{slug}/entraide/moderation/domaines",                              "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/ads/{id}/approve",                                            "-  -  -  Y  -  -  Y  -  -  -  -  -"),
    ("POST /api/v1/reports/{id}/decision",                                       "-  -  -  Y  -  -  Y  -  -  -  -  -"),
];

#[test]
fn the_table_has_one_row_for_each_state_changing_route_and_a_cell_for_each_role() {
    let mut found = routes::web_routes();
    found.extend(routes::api_routes());
    let listed: std::collections::BTreeSet<String> =
        TABLE.iter().map(|(route, _)| (*route).to_owned()).collect();
    assert_eq!(listed.len(), TABLE.len(), "a route is listed twice");
    let missing: Vec<_> = found.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&found).collect();
    assert!(missing.is_empty(), "state-changing routes without a row in the table: {missing:#?}");
    assert!(stale.is_empty(), "rows naming no state-changing route: {stale:#?}");
    for (route, cells) in TABLE {
        let cells: Vec<&str> = cells.split_whitespace().collect();
        assert_eq!(cells.len(), world::COLUMNS.len(), "{route}: one cell per column");
        assert!(cells.iter().all(|c| *c == "Y" || *c == "-"), "{route}: cells are Y or -");
        // A route nobody may use would be dead code, or a request that the test never gets right.
        assert!(cells.contains(&"Y"), "{route}: somebody may use it");
    }
}

#[tokio::test]
async fn every_role_gets_what_the_table_says_on_every_state_changing_route() {
    run::matrix(TABLE).await;
}
