//! Things made anew for one cell, through the domain functions, where a success would use up
//! the fixture (a product to delete, a claim to decide, a bank line to match...).

use halle::accounts::totp::{self, FreshFactor};
use halle::accounts::{self, User};
use halle::directory::BusinessInput;
use halle::ledger::{self, DeskIssuance, DeskMethod, PaymentInput};

use super::world::{Who, World};

/// A small PNG, as a phone would send.
pub fn png() -> Vec<u8> {
    let mut png = Vec::new();
    let image = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 90]));
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// A new client id for the ledger.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl World {
    /// Proof of a second factor of `who`, spending one of their recovery codes.
    pub async fn factor(&self, who: Who) -> FreshFactor {
        totp::fresh_from_code(&self.app.db, self.user(who), &self.recovery_code(who)).await.unwrap()
    }

    /// Sets whether `who` blocks A's neighbour (what the block routes then change).
    pub async fn block_neighbour(&self, who: Who, blocks: bool) {
        if who == Who::Anonymous {
            return;
        }
        let (db, user, other) = (&self.app.db, self.user(who), self.neighbour.id);
        if blocks {
            halle::aid::block(db, user, other).await.unwrap()
        } else {
            halle::aid::unblock(db, user, other).await.unwrap()
        }
    }

    /// A new account, member of A.
    pub async fn member_of_a(&self) -> User {
        let user = self
            .app
            .user(&format!("m{}@authz.example", self.unique()), crate::helpers::PASSWORD, false)
            .await;
        accounts::join_territory(&self.app.db, &user, self.a.id).await.unwrap();
        user
    }

    /// MemberA's newest API token id.
    pub async fn token_of_member_a(&self) -> i64 {
        let user = self.user(Who::MemberA);
        accounts::create_api_token(&self.app.db, user, "spare").await.unwrap();
        accounts::api_tokens_of(&self.app.db, user.id).await.unwrap().iter().map(|t| t.id).max().unwrap()
    }

    /// A listing of A, proposed by `who` (pending unless a moderator proposed it).
    pub async fn listing(&self, who: Who) -> i64 {
        let input = BusinessInput {
            name: format!("Atelier {}", self.unique()),
            kind: "merchant".into(),
            ..Default::default()
        };
        halle::directory::propose(&self.app.db, "", self.user(who), &self.a, &input).await.unwrap().id
    }

    /// A published listing of A proposed by `owner` (its owner), approved by the admin.
    pub async fn published(&self, owner: &User) -> i64 {
        let input = BusinessInput {
            name: format!("Atelier {}", self.unique()),
            kind: "merchant".into(),
            ..Default::default()
        };
        let id = halle::directory::propose(&self.app.db, "", owner, &self.a, &input).await.unwrap().id;
        halle::directory::approve(&self.app.db, "", self.user(Who::Admin), id).await.unwrap();
        id
    }

    /// A published listing of A owned by a new account, none of the columns.
    pub async fn unowned_listing(&self) -> i64 {
        self.published(&self.neighbour).await
    }

    /// A pending claim of a new account on a new listing of A.
    pub async fn claim(&self) -> i64 {
        let listing = self.unowned_listing().await;
        let claimant = &self.claimant;
        halle::directory::claim(&self.app.db, "", claimant, listing, "C'est mon atelier").await.unwrap();
        let (_, claims) =
            halle::directory::moderation_queue(&self.app.db, self.user(Who::Admin), self.a.id).await.unwrap();
        claims.iter().map(|(claim, ..)| claim.id).max().unwrap()
    }

    /// A category of A's directory.
    pub async fn category(&self) -> i64 {
        let name = format!("Rubrique {}", self.unique());
        halle::directory::add_category(&self.app.db, self.user(Who::Admin), self.a.id, &name, None)
            .await
            .unwrap()
    }

    /// A directory import of A waiting for confirmation.
    pub async fn directory_batch(&self) -> i64 {
        let csv =
            format!("nom,categorie,commune\nAtelier importé {},Boulangerie,Marguerittes\n", self.unique());
        halle::directory::import_preview(
            &self.app.db,
            self.user(Who::Admin),
            &self.a,
            "a.csv",
            csv.as_bytes(),
        )
        .await
        .unwrap()
        .0
    }

    /// A product import of A's shop waiting for its mapping.
    pub async fn product_import(&self) -> i64 {
        halle::catalog::import_upload(
            &self.app.db,
            self.user(Who::MerchantA),
            self.shop_a,
            "p.csv",
            &product_csv(self.unique()),
        )
        .await
        .unwrap()
        .0
    }

    /// A photo of A's product.
    pub async fn product_photo(&self, product: i64) -> i64 {
        halle::catalog::add_photo(&self.app.db, self.user(Who::MerchantA), product, png()).await.unwrap()
    }

    /// A new pickup point of A's shop.
    pub async fn point(&self) -> i64 {
        halle::orders::add_point(
            &self.app.db,
            self.user(Who::MerchantA),
            self.shop_a,
            "Marché",
            "Place",
            false,
        )
        .await
        .unwrap()
    }

    /// A new weekly template of A's shop.
    pub async fn template(&self) -> i64 {
        let input = halle::orders::TemplateInput {
            pickup_point_id: Some(self.point_a),
            weekdays: vec![(self.unique() % 7) as i64 + 1],
            start: "09:00".into(),
            end: "10:00".into(),
            slot_minutes: 60,
            capacity: 3,
        };
        halle::orders::add_templates(&self.app.db, self.user(Who::MerchantA), self.shop_a, &input)
            .await
            .unwrap()[0]
    }

    /// A new closure of A's shop.
    pub async fn closure(&self) -> i64 {
        let merchant = self.user(Who::MerchantA);
        let day = days_ahead(400 + self.unique() as i64);
        halle::orders::add_closure(&self.app.db, merchant, self.shop_a, Some(day), Some(day), "Congés")
            .await
            .unwrap();
        let drive = halle::orders::managed_drive(&self.app.db, merchant, self.shop_a).await.unwrap();
        halle::orders::closures(&self.app.db, &drive).await.unwrap().iter().map(|c| c.id).max().unwrap()
    }

    /// Credits `who` with units at A's desk.
    pub async fn fund(&self, who: Who, cents: i64) {
        // The treasurer funds, so that the desk's own daily cap stays whole for the matrix.
        let operator = if who == Who::TreasurerA { Who::Admin } else { Who::TreasurerA };
        let issuance = DeskIssuance {
            member_email: self.user(who).email.clone(),
            amount_cents: cents,
            method: DeskMethod::Cash,
            client_id: uuid(),
        };
        let factor = self.factors.lock().await.get(&operator).cloned();
        let factor = match factor {
            Some(factor) => factor,
            None => {
                let factor = self.factor(operator).await;
                self.factors.lock().await.insert(operator, factor.clone());
                factor
            }
        };
        ledger::issue_at_desk(&self.app.db, self.user(operator), &factor, self.a.id, &issuance, i64::MAX)
            .await
            .unwrap();
    }

    /// The currency account of A's shop.
    pub async fn shop_account(&self) -> i64 {
        ledger::business_account(&self.app.db, self.user(Who::MerchantA), self.a.id, self.shop_a, false)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// A payment of one unit from MemberA to A's shop: its client id.
    pub async fn payment(&self) -> String {
        let input = PaymentInput {
            client_id: uuid(),
            from_account: None,
            to_account: self.shop_account().await,
            amount_cents: 100,
            memo: "Pain".into(),
        };
        ledger::pay(&self.app.db, self.user(Who::MemberA), self.a.id, &input).await.unwrap();
        input.client_id
    }

    /// A bank line of A waiting for review, and the reference of an issuance request of the
    /// same amount (to match it with).
    pub async fn bank_line(&self) -> (i64, String) {
        let entry = self.review.lock().await.pop().expect("bank lines left for review");
        let request = ledger::request_issuance(&self.app.db, self.user(Who::MemberA), self.a.id, entry.1)
            .await
            .unwrap();
        (entry.0, request.reference)
    }

    /// An ad of MemberA in A.
    pub async fn ad(&self) -> i64 {
        let input = ad_input();
        halle::aid::post_ad(&self.app.db, "", self.user(Who::MemberA), &self.a, &input).await.unwrap().id
    }

    /// An ad of A's neighbour.
    pub async fn ad_by_another(&self) -> i64 {
        halle::aid::post_ad(&self.app.db, "", &self.neighbour, &self.a, &ad_input()).await.unwrap().id
    }

    /// An ad of A waiting for a moderator.
    pub async fn pending_ad(&self) -> i64 {
        let author = &self.neighbour;
        halle::aid::set_mode(&self.app.db, self.user(Who::Admin), self.a.id, halle::aid::ModerationMode::All)
            .await
            .unwrap();
        let ad = halle::aid::post_ad(&self.app.db, "", author, &self.a, &ad_input()).await.unwrap().id;
        halle::aid::set_mode(
            &self.app.db,
            self.user(Who::Admin),
            self.a.id,
            halle::aid::ModerationMode::Open,
        )
        .await
        .unwrap();
        ad
    }

    /// A report by MemberA about a new ad of A.
    pub async fn report(&self) -> i64 {
        let ad = self.ad_by_another().await;
        let input = halle::aid::ReportInput {
            target: "ad".into(),
            target_id: ad,
            reason: "Annonce commerciale".into(),
        };
        halle::aid::file_report(&self.app.db, "", self.user(Who::MemberA), &input).await.unwrap().id
    }

    /// A member of A suspended by A's moderators: their id.
    pub async fn suspended(&self) -> i64 {
        let author = self.member_of_a().await;
        let input = halle::aid::ReportInput {
            target: "profile".into(),
            target_id: author.id,
            reason: "Insultes".into(),
        };
        let report =
            halle::aid::file_report(&self.app.db, "", self.user(Who::MemberA), &input).await.unwrap().id;
        let decision =
            halle::aid::Decision { hide: false, sanction: Some("suspend".into()), reason: "Insultes".into() };
        halle::aid::decide_report(&self.app.db, self.user(Who::Admin), report, &decision).await.unwrap();
        author.id
    }

    /// A saved search of MemberA.
    pub async fn saved_search(&self) -> i64 {
        let user = self.user(Who::MemberA);
        halle::aid::save_search(&self.app.db, user, &self.a, &format!("q=velo{}", self.unique()))
            .await
            .unwrap();
        halle::aid::saved_searches(&self.app.db, user).await.unwrap().iter().map(|(s, _)| s.id).max().unwrap()
    }
}

/// An offer of transport.
pub fn ad_input() -> halle::aid::AdInput {
    halle::aid::AdInput {
        kind: "offer".into(),
        domain: "transport".into(),
        title: "Transport vers Nîmes le mardi".into(),
        description: "Voiture 5 places, rendez-vous médicaux.".into(),
        latitude: Some(43.86),
        longitude: Some(4.44),
        ..Default::default()
    }
}

/// A product spreadsheet of one row.
pub fn product_csv(n: u64) -> Vec<u8> {
    format!("Référence;Désignation;Prix TTC;Unité;Stock\nIMP-{n};Baguette;1,20;pièce;10\n").into_bytes()
}

impl World {
    /// A new published listing of A run by MerchantA.
    pub async fn managed_listing(&self) -> i64 {
        self.published(self.user(Who::MerchantA)).await
    }

    /// A password-reset token of a new account (one reset mail per address and hour).
    pub async fn reset_token(&self) -> String {
        let email = format!("oubli{}@authz.example", self.unique());
        self.app.user(&email, crate::helpers::PASSWORD, false).await;
        accounts::request_password_reset(&self.app.db, &self.app.base, &email).await.unwrap();
        let (_, body) = self.app.last_mail_to(&email).await.unwrap();
        let link = body.split_whitespace().find(|w| w.contains("/password/reset?token=")).unwrap();
        link.split("token=").nth(1).unwrap().to_owned()
    }

    /// A message of the outbox that could not be sent (what an admin may send again).
    pub async fn failed_message(&self) -> i64 {
        let id = halle::mail::list_outbox(&self.app.db, None, None, 1).await.unwrap()[0].id;
        let failed = "update outbox set status = 'failed' where id = $1";
        match &self.app.db {
            halle::db::Db::Sqlite(pool, _) => {
                sqlx::query(failed).bind(id).execute(pool).await.unwrap();
            }
            halle::db::Db::Postgres(pool) => {
                sqlx::query(failed).bind(id).execute(pool).await.unwrap();
            }
        }
        id
    }

    /// Puts A's product in `who`'s cart.
    pub async fn fill_cart(&self, who: Who) {
        let owner = format!("u:{}", self.user(who).id);
        halle::orders::add_to_cart(&self.app.db, &owner, self.product_a, 1).await.unwrap();
    }
}

/// A DFC catalogue of one product.
pub fn dfc_catalogue(n: u64) -> Vec<u8> {
    use serde_json::json;
    let graph = json!([
        { "@id": "ex:item/1", "@type": "dfc-b:CatalogItem", "dfc-b:sku": format!("DFC-{n}") },
        { "@id": "ex:product/1", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": "Miel",
          "dfc-b:referencedBy": { "@id": "ex:item/1" } },
        { "@id": "ex:offer/1", "@type": "dfc-b:Offer", "dfc-b:offeredItem": { "@id": "ex:item/1" },
          "dfc-b:hasPrice": { "@id": "ex:price/1" } },
        { "@id": "ex:price/1", "@type": "dfc-b:Price", "dfc-b:value": "6.50", "dfc-b:hasUnit": "dfc-m:Euro" },
    ]);
    let context = json!([halle::catalog::dfc::DFC_CONTEXT, { "ex": "https://example.org/" }]);
    serde_json::to_vec(&json!({ "@context": context, "@graph": graph })).unwrap()
}

/// The day `days` days from today (dates of closures and slots, always in the future).
pub fn days_ahead(days: i64) -> jiff::civil::Date {
    jiff::Zoned::now().date() + jiff::Span::new().days(days)
}
