//! How each API route of the table is asked: A's things in the address, a valid JSON body (or
//! file), made fresh where a success would use the thing up.

use serde_json::json;

use super::fresh::{ad_input, product_csv, uuid};
use super::run::{Body, Call};
use super::world::{Who, World};
use crate::helpers::PASSWORD;

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).unwrap().to_string()
}

/// The call for an API `route` asked by `who`.
pub async fn call(w: &World, route: &str, who: Who) -> Call {
    let n = w.unique();
    let (slug, shop) = (&w.a.slug, w.shop_a);
    let v1 = |path: String| format!("/api/v1{path}");
    let email =
        w.actors[&who].user.as_ref().map_or_else(|| w.user(Who::MemberA).email.clone(), |u| u.email.clone());
    let template = route.split_once(' ').unwrap().1.trim_start_matches("/api/v1");
    match (route.split_once(' ').unwrap().0, template) {
        // Accounts.
        (_, "/auth/register") => Call::json(
            v1("/auth/register".into()),
            json!({"email": format!("api{n}@authz.example"), "password": PASSWORD,
                   "display_name": "Nouvelle"}),
        ),
        (_, "/auth/token") => {
            Call::json(v1("/auth/token".into()), json!({"email": email, "password": PASSWORD, "name": "cli"}))
        }
        (_, "/territories/{slug}/members") => {
            Call::new(v1(format!("/territories/{}/members", w.d.slug)), Body::Empty)
        }
        // Directory.
        (_, "/territories/{slug}/businesses") => Call::json(
            v1(format!("/territories/{slug}/businesses")),
            json!({"name": format!("Atelier {n}"), "kind": "artisan"}),
        ),
        (_, "/businesses/{id}") => Call::json(
            v1(format!("/businesses/{}", w.managed_listing().await)),
            json!({"description": "Ouvert le dimanche"}),
        ),
        (_, "/businesses/{id}/approve") => {
            Call::new(v1(format!("/businesses/{}/approve", w.listing(Who::MemberA).await)), Body::Empty)
        }
        (_, "/businesses/{id}/refuse") => Call::json(
            v1(format!("/businesses/{}/refuse", w.listing(Who::MemberA).await)),
            json!({"reason": "Doublon"}),
        ),
        (_, "/territories/{slug}/businesses/import") => {
            let csv = format!("nom,categorie,commune\nAtelier importé {n},Boulangerie,Marguerittes\n");
            Call::new(
                v1(format!("/territories/{slug}/businesses/import")),
                Body::Raw("text/csv", csv.into_bytes()),
            )
        }
        // Catalogue.
        (_, "/businesses/{id}/products") => Call::json(
            v1(format!("/businesses/{shop}/products")),
            json!({"reference": format!("A{n}"), "name": "Pain", "unit": "piece", "price_cents": 150}),
        ),
        ("PATCH", "/products/{id}") => {
            Call::json(v1(format!("/products/{}", w.product().await)), json!({"price_cents": 200}))
        }
        ("DELETE", "/products/{id}") => {
            Call::new(v1(format!("/products/{}", w.product().await)), Body::Empty)
        }
        (_, "/businesses/{id}/products/import") => Call::new(
            v1(format!("/businesses/{shop}/products/import")),
            Body::Raw("text/csv", product_csv(n)),
        ),
        // The drive.
        (_, "/cart/items") => {
            Call::json(v1("/cart/items".into()), json!({"product_id": w.product_a, "quantity": 1}))
        }
        ("PUT", "/cart/items/{product_id}") => {
            Call::json(v1(format!("/cart/items/{}", w.product_a)), json!({"quantity": n % 50 + 2}))
        }
        ("DELETE", "/cart/items/{product_id}") => {
            if who != Who::Anonymous {
                w.fill_cart(who).await;
            }
            Call::new(v1(format!("/cart/items/{}", w.product_a)), Body::Empty)
        }
        (_, "/cart/checkout") => {
            if who != Who::Anonymous {
                w.fill_cart(who).await;
            }
            Call::json(
                v1("/cart/checkout".into()),
                json!({"choices": [{"business_id": shop, "slot_id": w.slot_a}], "payment": "on_pickup"}),
            )
        }
        (_, "/orders") => Call::json(
            v1("/orders".into()),
            json!({"business_id": shop, "slot_id": w.slot_a,
                   "items": [{"product_id": w.product_a, "quantity": 1}],
                   "payment": "on_pickup"}),
        ),
        (_, "/orders/{id}/cancel") => {
            Call::new(v1(format!("/orders/{}/cancel", w.order().await)), Body::Empty)
        }
        (_, "/orders/{id}/status") => {
            Call::json(v1(format!("/orders/{}/status", w.order().await)), json!({"status": "accepted"}))
        }
        (_, "/businesses/{id}/slots") => {
            let start = halle::db::now() + 86_400 * (10 + n as i64);
            Call::json(
                v1(format!("/businesses/{shop}/slots")),
                json!({"starts_at": rfc3339(start), "ends_at": rfc3339(start + 1800), "capacity": 4,
                       "pickup_point_id": w.point_a}),
            )
        }
        (_, "/businesses/{id}/pickup-points") => Call::json(
            v1(format!("/businesses/{shop}/pickup-points")),
            json!({"name": "Halle", "address": "Place"}),
        ),
        (_, "/businesses/{id}/slot-templates") => Call::json(
            v1(format!("/businesses/{shop}/slot-templates")),
            json!({"pickup_point_id": w.point_a, "weekdays": [n % 7 + 1], "start": "16:00", "end": "17:00",
                   "slot_minutes": 60, "capacity": 2}),
        ),
        ("DELETE", "/businesses/{id}/slot-templates/{template_id}") => {
            Call::new(v1(format!("/businesses/{shop}/slot-templates/{}", w.template().await)), Body::Empty)
        }
        (_, "/businesses/{id}/pause") => {
            Call::json(v1(format!("/businesses/{shop}/pause")), json!({"paused": false})).quiet()
        }
        // Local currency.
        ("PUT", "/territories/{slug}/currency") => {
            Call::json(v1(format!("/territories/{slug}/currency")), json!({"name": "Bulle", "symbol": "B"}))
                .quiet()
        }
        (_, "/territories/{slug}/currency/businesses/{id}/account") => {
            Call::new(v1(format!("/territories/{slug}/currency/businesses/{shop}/account")), Body::Empty)
                .quiet()
        }
        (_, "/territories/{slug}/currency/transfers") => Call::json(
            v1(format!("/territories/{slug}/currency/transfers")),
            json!({"id": uuid(), "to_account": w.shop_account().await, "amount_cents": 100, "memo": "Pain"}),
        ),
        (_, "/territories/{slug}/currency/transfers/{id}/correction") => Call {
            totp: true,
            ..Call::json(
                v1(format!("/territories/{slug}/currency/transfers/{}/correction", w.payment().await)),
                json!({"memo": "Erreur de montant"}),
            )
        },
        (_, "/territories/{slug}/currency/payment-requests") => Call::json(
            v1(format!("/territories/{slug}/currency/payment-requests")),
            json!({"account": w.shop_account().await, "amount_cents": 500, "memo": "Panier"}),
        ),
        (_, "/territories/{slug}/currency/issuance-requests") => Call::json(
            v1(format!("/territories/{slug}/currency/issuance-requests")),
            json!({"amount_cents": 1000}),
        ),
        (_, "/territories/{slug}/currency/exchange") => Call {
            totp: true,
            ..Call::json(
                v1(format!("/territories/{slug}/currency/exchange")),
                json!({"id": uuid(), "email": w.user(Who::MemberA).email, "amount_cents": 100,
                       "method": "cash"}),
            )
        },
        (_, "/territories/{slug}/currency/reconversions") => Call::json(
            v1(format!("/territories/{slug}/currency/reconversions")),
            json!({"id": uuid(), "business_id": shop, "amount_cents": 100}),
        ),
        (_, "/territories/{slug}/currency/statements") => {
            let csv = format!("Date;Libellé;Montant\n18/03/2026;FRAIS {n};-1,00\n");
            Call {
                totp: true,
                ..Call::new(
                    v1(format!("/territories/{slug}/currency/statements")),
                    Body::Raw("text/csv", csv.into_bytes()),
                )
            }
        }
        // Mutual aid.
        (_, "/territories/{slug}/ads") => {
            Call::json(v1(format!("/territories/{slug}/ads")), serde_json::to_value(ad_input()).unwrap())
        }
        ("PATCH", "/ads/{id}") => {
            Call::json(v1(format!("/ads/{}", w.ad().await)), json!({"title": "Transport vers Alès"}))
        }
        (_, "/ads/{id}/approve") => {
            Call::new(v1(format!("/ads/{}/approve", w.pending_ad().await)), Body::Empty)
        }
        (_, "/ads/{id}/conversations") => Call::json(
            v1(format!("/ads/{}/conversations", w.ad_a)),
            json!({"body": "Bonjour, toujours d'actualité ?"}),
        ),
        (_, "/conversations/{id}/messages") => Call::json(
            v1(format!("/conversations/{}/messages", w.conversation_a)),
            json!({"body": "Merci !"}),
        ),
        (_, "/reports") => Call::json(
            v1("/reports".into()),
            json!({"target": "ad", "target_id": w.ad_by_another().await, "reason": "Annonce commerciale"}),
        ),
        (_, "/reports/{id}/decision") => Call::json(
            v1(format!("/reports/{}/decision", w.report().await)),
            json!({"hide": false, "sanction": null, "reason": ""}),
        ),
        (method, "/members/{id}/block") => {
            w.block_neighbour(who, method == "DELETE").await;
            Call::new(v1(format!("/members/{}/block", w.neighbour.id)), Body::Empty)
        }
        (method, other) => panic!("no request written for the API route {method} {other}"),
    }
}
