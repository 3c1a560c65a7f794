//! The people and things the matrix acts on: two territories, A and B, each with its currency,
//! a member, a merchant running a listing, a moderator, a treasurer and an exchange-desk
//! operator; the instance admin; and each person's signed-in browser and API token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use halle::accounts::{self, Role, User, totp};
use halle::directory::BusinessInput;
use halle::territory::Territory;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::changes::ChangeLog;
use crate::helpers::{PASSWORD, TestApp, client, csrf_token, page_with};

/// Who asks: a column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    MemberA,
    MerchantA,
    ModeratorA,
    TreasurerA,
    DeskA,
    Admin,
    MemberB,
    MerchantB,
    ModeratorB,
    TreasurerB,
    DeskB,
}

/// The columns, in the table's order.
pub const COLUMNS: [Who; 12] = [
    Who::Anonymous,
    Who::MemberA,
    Who::MerchantA,
    Who::ModeratorA,
    Who::TreasurerA,
    Who::DeskA,
    Who::Admin,
    Who::MemberB,
    Who::MerchantB,
    Who::ModeratorB,
    Who::TreasurerB,
    Who::DeskB,
];

/// A signed-in person (or the anonymous visitor): browser, anti-forgery token, API token and the
/// unused recovery codes of their second factor (each API money call spends one).
pub struct Actor {
    pub user: Option<User>,
    pub web: reqwest::Client,
    pub csrf: Mutex<String>,
    pub token: Mutex<Option<String>>,
    pub recovery: Mutex<Vec<String>>,
}

/// Everything the requests refer to.
pub struct World {
    pub app: TestApp,
    pub a: Territory,
    /// A territory no column belongs to: what they join (joining A would make B's roles A's).
    pub c: Territory,
    /// Another such territory, joined through the API (C is already joined through the site).
    pub d: Territory,
    /// A member of A who is none of the columns: the one they block, the owner of listings
    /// they claim, the author of ads they report.
    pub neighbour: User,
    /// Another such member: who claims the neighbour's listings.
    pub claimant: User,
    pub actors: HashMap<Who, Actor>,
    /// The listing of A run by MerchantA, taking orders and the currency.
    pub shop_a: i64,
    pub point_a: i64,
    pub product_a: i64,
    pub slot_a: i64,
    /// MemberA's ad, and its conversation with MerchantA.
    pub ad_a: i64,
    pub conversation_a: i64,
    pub changes: ChangeLog,
    /// Proofs of a second factor kept for the fixtures (funding at the desk).
    pub factors: tokio::sync::Mutex<HashMap<Who, totp::FreshFactor>>,
    /// Bank lines of A waiting for review: (id, amount in cents).
    pub review: tokio::sync::Mutex<Vec<(i64, i64)>>,
    counter: AtomicU64,
}

impl World {
    /// Starts the server and builds both territories.
    pub async fn build() -> Self {
        let app = TestApp::spawn_with(|c| {
            c.job_interval_secs = 3600;
            c.login_limit = 10_000;
            c.register_limit = 10_000;
        })
        .await;
        let a = app.territory("vallee-a", "Vallée A").await;
        let b = app.territory("vallee-b", "Vallée B").await;
        let c = app.territory("vallee-c", "Vallée C").await;
        let d = app.territory("vallee-d", "Vallée D").await;
        let admin = app.user("admin@authz.example", PASSWORD, true).await;
        for territory in [&a, &b] {
            halle::ledger::enable_currency(&app.db, &admin, territory.id, "Bulle", "B").await.unwrap();
        }
        let mut users = HashMap::from([(Who::Admin, admin.clone())]);
        let roles = [
            (Who::MemberA, &a, None),
            (Who::MerchantA, &a, Some(Role::Merchant)),
            (Who::ModeratorA, &a, Some(Role::Moderator)),
            (Who::TreasurerA, &a, Some(Role::Treasurer)),
            (Who::DeskA, &a, Some(Role::ExchangeOperator)),
            (Who::MemberB, &b, None),
            (Who::MerchantB, &b, Some(Role::Merchant)),
            (Who::ModeratorB, &b, Some(Role::Moderator)),
            (Who::TreasurerB, &b, Some(Role::Treasurer)),
            (Who::DeskB, &b, Some(Role::ExchangeOperator)),
        ];
        for (who, territory, role) in roles {
            let email = format!("{}@authz.example", format!("{who:?}").to_lowercase());
            let user = app.user(&email, PASSWORD, false).await;
            accounts::join_territory(&app.db, &user, territory.id).await.unwrap();
            if let Some(role) = role {
                accounts::grant_role(&app.db, &admin, user.id, territory.id, role).await.unwrap();
            }
            users.insert(who, user);
        }
        let shop_a = shop(&app, &admin, &a, &users[&Who::MerchantA], "Épicerie A").await;
        // B's merchant runs a listing of B, like A's runs one of A.
        shop(&app, &admin, &b, &users[&Who::MerchantB], "Épicerie B").await;
        let merchant = &users[&Who::MerchantA];
        let point_a =
            halle::orders::add_point(&app.db, merchant, shop_a, "Boutique", "1 place du marché", false)
                .await
                .unwrap();
        let start = halle::db::now() + 3 * 86_400;
        let slot_a = halle::orders::add_slot(
            &app.db,
            merchant,
            shop_a,
            halle::orders::SlotPlace::Point(point_a),
            (start, start + 3600),
            10_000,
        )
        .await
        .unwrap()
        .id;
        let neighbour = app.user("voisin@authz.example", PASSWORD, false).await;
        let claimant = app.user("demandeur@authz.example", PASSWORD, false).await;
        for user in [&neighbour, &claimant] {
            accounts::join_territory(&app.db, user, a.id).await.unwrap();
        }
        let mut actors = HashMap::new();
        actors.insert(Who::Anonymous, anonymous(&app).await);
        for who in COLUMNS.into_iter().skip(1) {
            actors.insert(who, signed_in(&app, users[&who].clone()).await);
        }
        let changes = ChangeLog::install(&app.db).await;
        let mut world = Self {
            app,
            a,
            c,
            d,
            neighbour,
            claimant,
            actors,
            shop_a,
            point_a,
            product_a: 0,
            slot_a,
            ad_a: 0,
            conversation_a: 0,
            changes,
            factors: tokio::sync::Mutex::new(HashMap::new()),
            review: tokio::sync::Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
        };
        world.product_a = world.product().await;
        world.ad_a = world.ad().await;
        world.conversation_a =
            halle::aid::contact(&world.app.db, "", world.user(Who::MerchantA), world.ad_a, "Bonjour")
                .await
                .unwrap();
        world.fund(Who::MemberA, 60_000).await;
        for who in [Who::MerchantA, Who::ModeratorA, Who::TreasurerA, Who::DeskA, Who::Admin] {
            world.fund(who, 5_000).await;
        }
        let shop = world.shop_account().await;
        let pay = halle::ledger::PaymentInput {
            client_id: super::fresh::uuid(),
            from_account: None,
            to_account: shop,
            amount_cents: 50_000,
            memo: "Provision".into(),
        };
        halle::ledger::pay(&world.app.db, world.user(Who::MemberA), world.a.id, &pay).await.unwrap();
        world.bank_lines().await;
        world
    }

    /// Imports a bank statement of A whose 40 credits match nothing: lines for review.
    async fn bank_lines(&self) {
        let mut csv = String::from("Date;Libellé;Montant\n");
        for n in 0..40 {
            csv.push_str(&format!("16/03/2026;COTISATION {n};{},{:02}\n", 1 + n / 100, n % 100 + 1));
        }
        let treasurer = self.user(Who::TreasurerA);
        let factor = self.factor(Who::TreasurerA).await;
        halle::ledger::import_statement(&self.app.db, treasurer, &factor, self.a.id, csv.as_bytes())
            .await
            .unwrap();
        let dashboard = halle::ledger::dashboard(&self.app.db, treasurer, self.a.id).await.unwrap();
        *self.review.lock().await = dashboard.review.iter().map(|e| (e.id, e.amount_cents)).collect();
        assert_eq!(self.review.lock().await.len(), 40, "bank lines for review");
    }

    /// The account of a column (not the anonymous one).
    pub fn user(&self, who: Who) -> &User {
        self.actors[&who].user.as_ref().expect("a signed-in column")
    }

    /// A number not used before, for references and client ids.
    pub fn unique(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// An API client with `who`'s token.
    pub fn api_as(&self, who: Who) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let token = self.actors[&who].token.lock().unwrap().clone().unwrap();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        reqwest::Client::builder().default_headers(headers).build().unwrap()
    }

    /// Posts JSON as `who` and returns the created object, which must be created.
    pub async fn create(&self, who: Who, path: &str, body: Value) -> Value {
        let response = self.api_as(who).post(self.app.url(path)).json(&body).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "fixture POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A new product of A's shop.
    pub async fn product(&self) -> i64 {
        let reference = format!("P{}", self.unique());
        let body = json!({"reference": reference, "name": "Pain", "unit": "piece", "price_cents": 150});
        self.create(Who::MerchantA, &format!("/api/v1/businesses/{}/products", self.shop_a), body).await["id"]
            .as_i64()
            .unwrap()
    }

    /// A new order of MemberA at A's shop, for one product, paid on pickup.
    pub async fn order(&self) -> i64 {
        let body = json!({"business_id": self.shop_a, "slot_id": self.slot_a,
                          "items": [{"product_id": self.product_a, "quantity": 1}], "payment": "on_pickup"});
        let placed = self.create(Who::MemberA, "/api/v1/orders", body).await;
        placed["id"]
            .as_i64()
            .or_else(|| placed[0]["id"].as_i64())
            .unwrap_or_else(|| panic!("order: {placed}"))
    }

    /// The next unused recovery code of `who`.
    pub fn recovery_code(&self, who: Who) -> String {
        self.actors[&who].recovery.lock().unwrap().pop().expect("recovery codes left")
    }
}

/// A published shop of `territory` run by `merchant`, taking orders, with its currency account.
async fn shop(app: &TestApp, admin: &User, territory: &Territory, merchant: &User, name: &str) -> i64 {
    let input = BusinessInput {
        name: name.into(),
        kind: "merchant".into(),
        click_and_collect: true,
        ..Default::default()
    };
    let business = halle::directory::propose(&app.db, "", merchant, territory, &input).await.unwrap();
    halle::directory::approve(&app.db, "", admin, business.id).await.unwrap();
    halle::ledger::business_account(&app.db, merchant, territory.id, business.id, true).await.unwrap();
    business.id
}

/// The anonymous visitor: a browser with a session and its anti-forgery token.
async fn anonymous(app: &TestApp) -> Actor {
    let web = client();
    let (_, html) = page_with(&web, &app.url("/login")).await;
    let csrf = csrf_token(&html).expect("a token on the login page");
    Actor {
        user: None,
        web,
        csrf: Mutex::new(csrf),
        token: Mutex::new(None),
        recovery: Mutex::new(Vec::new()),
    }
}

/// A member with a confirmed second factor, signed in on a browser that gave a code (so that
/// pages asking for a recent code let them through), and an API token.
async fn signed_in(app: &TestApp, user: User) -> Actor {
    let (_, secret) = totp::begin_setup(&app.db, &user).await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = totp::code_for_secret(&secret, now).unwrap();
    let mut recovery = totp::confirm_setup(&app.db, &user, &code).await.unwrap();
    let web = client();
    let login = crate::helpers::submit_with(
        &web,
        &app.base,
        "/login",
        "/login",
        &[("email", &user.email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let code = recovery.pop().unwrap();
    let verified = crate::helpers::submit_with(
        &web,
        &app.base,
        "/account/2fa/verify",
        "/account/2fa/verify",
        &[("code", &code)],
    )
    .await;
    assert_eq!(verified.status(), StatusCode::SEE_OTHER, "second factor of {}", user.email);
    let token = accounts::create_api_token(&app.db, &user, "authz").await.unwrap();
    let actor = Actor {
        user: Some(user),
        web,
        csrf: Mutex::new(String::new()),
        token: Mutex::new(Some(token)),
        recovery: Mutex::new(recovery),
    };
    refresh_csrf(app, &actor).await;
    actor
}

/// Reads the session's anti-forgery token again (after a sign-in changed it).
async fn refresh_csrf(app: &TestApp, actor: &Actor) {
    let page = if actor.user.is_some() { "/account" } else { "/login" };
    let (_, html) = page_with(&actor.web, &app.url(page)).await;
    *actor.csrf.lock().unwrap() = csrf_token(&html).unwrap_or_else(|| panic!("no token on {page}"));
}
