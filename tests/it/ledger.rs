//! The local currency: transfers and their idempotency, balance floors under concurrency, the
//! bank statement fixture, issuance, payments, reconversion, the order extension point, the
//! treasurer's second factor (and in `factor.rs` the fresh code every money operation needs),
//! and the ledger's invariants after random load and a crash.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use halle::accounts::totp::FreshFactor;
use halle::accounts::{self, Role, User};
use halle::db::Db;
use halle::directory::BusinessInput;
use halle::ledger::{self, DeskIssuance, DeskMethod, PaymentInput, Posted};
use halle::territory::Territory;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, location, problem, text};

mod acceptance;
mod factor;
mod wallet;

const FIXTURE: &[u8] = include_bytes!("../fixtures/releve-banque-camt053.xml");

/// A territory with its currency "Bulle" enabled by an instance admin.
struct Currency {
    territory: Territory,
    admin: User,
}

async fn with_currency(app: &TestApp) -> Currency {
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let admin = app.user("admin@test.example", PASSWORD, true).await;
    ledger::enable_currency(&app.db, &admin, territory.id, "Bulle", "B").await.unwrap();
    Currency { territory, admin }
}

/// A confirmed member of the territory.
async fn member(app: &TestApp, c: &Currency, email: &str) -> User {
    let user = app.user(email, PASSWORD, false).await;
    accounts::join_territory(&app.db, &user, c.territory.id).await.unwrap();
    user
}

async fn grant(app: &TestApp, c: &Currency, user: &User, role: Role) {
    accounts::grant_role(&app.db, &c.admin, user.id, c.territory.id, role).await.unwrap();
}

/// A treasurer or an exchange operator: the member, the secret of their confirmed second
/// factor (to type codes on the web or in `X-TOTP-Code`), and the proof of the code that
/// confirmed it (what money operations ask for). It reads as the member where a `&User` is asked.
struct Staff {
    user: User,
    secret: String,
    factor: FreshFactor,
}

impl std::ops::Deref for Staff {
    type Target = User;

    fn deref(&self) -> &User {
        &self.user
    }
}

/// Sets up a member's second factor, confirmed with the code of the previous 30-second step so
/// that the current and the next codes stay free for the test (each code works once): the
/// secret, and the proof of that code.
async fn second_factor(db: &Db, user: &User) -> (String, FreshFactor) {
    let (_, secret) = accounts::totp::begin_setup(db, user).await.unwrap();
    let code = accounts::totp::code_for_secret(&secret, now_secs() - 30).unwrap();
    let factor = accounts::totp::fresh_from_code(db, user, &code).await.unwrap();
    (secret, factor)
}

/// A code of `secret`, `offset` seconds from now: 0 and 30 are free after [`second_factor`].
fn code_at(secret: &str, offset: u64) -> String {
    accounts::totp::code_for_secret(secret, now_secs() + offset).unwrap()
}

/// A member of the territory with `role` and a confirmed second factor.
async fn staff(app: &TestApp, c: &Currency, email: &str, role: Role) -> Staff {
    let user = member(app, c, email).await;
    grant(app, c, &user, role).await;
    let (secret, factor) = second_factor(&app.db, &user).await;
    Staff { user, secret, factor }
}

/// A treasurer with a confirmed second factor.
async fn treasurer(app: &TestApp, c: &Currency, email: &str) -> Staff {
    staff(app, c, email, Role::Treasurer).await
}

/// An exchange-point operator of the territory with a confirmed second factor.
async fn exchange_operator(app: &TestApp, c: &Currency) -> Staff {
    staff(app, c, "change@test.example", Role::ExchangeOperator).await
}

/// No daily cap at the desk, for tests about something else.
const NO_CAP: i64 = i64::MAX;

/// An issuance at the desk, in cash, with a new id.
fn cash(who: &str, amount_cents: i64) -> DeskIssuance {
    DeskIssuance { member_email: who.to_owned(), amount_cents, method: DeskMethod::Cash, client_id: uuid() }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Credits a member at an exchange point (cash), as the given operator.
async fn fund(app: &TestApp, c: &Currency, operator: &Staff, who: &User, cents: i64) {
    let issuance = cash(&who.email, cents);
    ledger::issue_at_desk(&app.db, operator, &operator.factor, c.territory.id, &issuance, NO_CAP)
        .await
        .unwrap();
}

/// A business owned by `owner`, with its currency account open.
async fn business(app: &TestApp, c: &Currency, owner: &User, name: &str) -> (i64, i64) {
    let input = BusinessInput { name: name.into(), kind: "merchant".into(), ..BusinessInput::default() };
    let created = halle::directory::propose(&app.db, "", owner, &c.territory, &input).await.unwrap();
    let account =
        ledger::business_account(&app.db, owner, c.territory.id, created.id, true).await.unwrap().unwrap();
    (created.id, account.id)
}

async fn balance(db: &Db, account_id: i64) -> i64 {
    ledger::account(db, account_id).await.unwrap().unwrap().balance_cents
}

async fn token(app: &TestApp, user: &User) -> String {
    accounts::create_api_token(&app.db, user, "tests").await.unwrap()
}

async fn assert_audit_clean(db: &Db, territory_id: i64) {
    let audit = ledger::audit(db, territory_id).await.unwrap();
    assert!(audit.ok, "audit failed: {audit:?}");
}

#[tokio::test]
async fn the_fixture_statement_issues_250_units_settles_the_payout_and_leaves_one_entry_for_review() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let corinne = member(&app, &c, "corinne@test.example").await;
    let epicerie = member(&app, &c, "epicerie@test.example").await;
    let soulat = member(&app, &c, "soulat@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    // The pending requests and the pending payout, with the fixture's codes.
    ledger::request_issuance_with_reference(&app.db, &corinne, c.territory.id, 5_000, "K7Q2-M9XD")
        .await
        .unwrap()
        .unwrap();
    ledger::request_issuance_with_reference(&app.db, &epicerie, c.territory.id, 20_000, "P4HW-3ZTN")
        .await
        .unwrap()
        .unwrap();
    fund(&app, &c, &boss, &soulat, 2_000).await;
    let (shop, shop_account) = business(&app, &c, &soulat, "Maison Soulat").await;
    let pay = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: shop_account,
        amount_cents: 2_000,
        memo: String::new(),
    };
    ledger::pay(&app.db, &soulat, c.territory.id, &pay).await.unwrap();
    let payout = ledger::request_reconversion_with_reference(
        &app.db,
        &soulat,
        c.territory.id,
        shop,
        2_000,
        &uuid(),
        "R-2026-0007",
    )
    .await
    .unwrap();
    assert_eq!((payout.payout_cents, payout.status.as_str()), (2_000, "pending"));
    assert_audit_clean(&app.db, c.territory.id).await;

    let bearer = token(&app, &boss).await;
    let url = app.url("/api/v1/territories/marguerittes/currency/statements");
    let import = |code: String| {
        app.client.post(&url).bearer_auth(&bearer).header("X-TOTP-Code", code).body(FIXTURE).send()
    };
    let first: Value = import(code_at(&boss.secret, 0)).await.unwrap().json().await.unwrap();
    assert_eq!(first["format"], "camt053");
    assert_eq!(first["entries"], 4);
    assert_eq!(first["already_imported"], 0);
    assert_eq!(first["issued_count"], 2);
    assert_eq!(first["issued_cents"], 25_000);
    assert_eq!(first["settled_count"], 1);
    assert_eq!(first["settled_cents"], 2_000);
    let review = first["review"].as_array().unwrap();
    assert_eq!(review.len(), 1);
    assert_eq!(review[0]["remittance"], "ADHESION 2026");
    assert_eq!(review[0]["amount_cents"], 3_550);

    let corinne_account = ledger::member_account(&app.db, &corinne, c.territory.id).await.unwrap();
    let epicerie_account = ledger::member_account(&app.db, &epicerie, c.territory.id).await.unwrap();
    assert_eq!(corinne_account.balance_cents, 5_000);
    assert_eq!(epicerie_account.balance_cents, 20_000);
    let audit = ledger::audit(&app.db, c.territory.id).await.unwrap();
    assert!(audit.ok, "{audit:?}");
    // 20 € exchanged in cash + 250 € by transfer - 20 € paid out.
    assert_eq!(audit.sums.circulation_cents, 25_000);
    assert_eq!(audit.sums.deposits_cents, 27_000);
    assert_eq!(audit.sums.payouts_cents, 2_000);

    let again: Value = import(code_at(&boss.secret, 30)).await.unwrap().json().await.unwrap();
    assert_eq!(again["entries"], 4);
    assert_eq!(again["already_imported"], 4);
    assert_eq!(again["issued_count"], 0);
    assert_eq!(again["settled_count"], 0);
    assert_eq!(again["review"].as_array().unwrap().len(), 0);
    assert_eq!(balance(&app.db, corinne_account.id).await, 5_000);
    assert_eq!(balance(&app.db, epicerie_account.id).await, 20_000);
    assert_eq!(ledger::audit(&app.db, c.territory.id).await.unwrap().sums.circulation_cents, 25_000);
    app.stop().await;
}

#[tokio::test]
async fn entries_left_for_review_are_matched_by_hand_or_marked_unrelated() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let late = member(&app, &c, "late@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    let request = ledger::request_issuance(&app.db, &late, c.territory.id, 3_550).await.unwrap();
    // The member forgot the code: the entry waits for the treasurer.
    let csv =
        "Date;Libellé;Montant\n16/03/2026;VIR M LATE ADHESION;35,50\n17/03/2026;FRAIS BANCAIRES;-4,00\n";
    let report =
        ledger::import_statement(&app.db, &boss, &boss.factor, c.territory.id, csv.as_bytes()).await.unwrap();
    assert_eq!((report.issued_count, report.review.len()), (0, 2));
    let credit = report.review.iter().find(|e| e.is_credit).unwrap().id;
    let debit = report.review.iter().find(|e| !e.is_credit).unwrap().id;
    let wrong = ledger::match_entry(&app.db, &boss, &boss.factor, c.territory.id, credit, "ZZZZ-ZZZZ")
        .await
        .unwrap_err();
    assert!(matches!(wrong, halle::error::AppError::Invalid(_)));
    ledger::match_entry(
        &app.db,
        &boss,
        &boss.factor,
        c.territory.id,
        credit,
        &request.reference.to_lowercase(),
    )
    .await
    .unwrap();
    ledger::mark_unrelated(&app.db, &boss, &boss.factor, c.territory.id, debit).await.unwrap();
    let account = ledger::member_account(&app.db, &late, c.territory.id).await.unwrap();
    assert_eq!(account.balance_cents, 3_550);
    let twice = ledger::match_entry(&app.db, &boss, &boss.factor, c.territory.id, credit, &request.reference)
        .await
        .unwrap_err();
    assert!(matches!(twice, halle::error::AppError::Conflict(_)));
    assert!(ledger::entries_to_review(&app.db, c.territory.id).await.unwrap().is_empty());
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn a_treasurer_cannot_dismiss_another_territorys_bank_lines() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let other = app.territory("nimes", "Nîmes").await;
    ledger::enable_currency(&app.db, &c.admin, other.id, "Bulle", "B").await.unwrap();
    let ours = treasurer(&app, &c, "tresorier@test.example").await;
    let theirs = app.user("tresoriere@nimes.example", PASSWORD, false).await;
    accounts::join_territory(&app.db, &theirs, other.id).await.unwrap();
    accounts::grant_role(&app.db, &c.admin, theirs.id, other.id, Role::Treasurer).await.unwrap();
    let (_, their_factor) = second_factor(&app.db, &theirs).await;
    let csv = "Date;Libellé;Montant\n17/03/2026;FRAIS BANCAIRES;-4,00\n";
    let report =
        ledger::import_statement(&app.db, &theirs, &their_factor, other.id, csv.as_bytes()).await.unwrap();
    let entry = report.review[0].id;
    // Our treasurer names his own territory and their entry's id.
    let refused =
        ledger::mark_unrelated(&app.db, &ours, &ours.factor, c.territory.id, entry).await.unwrap_err();
    assert!(matches!(refused, halle::error::AppError::NotFound), "{refused:?}");
    let refused = ledger::match_entry(&app.db, &ours, &ours.factor, c.territory.id, entry, "ZZZZ-ZZZZ")
        .await
        .unwrap_err();
    assert!(matches!(refused, halle::error::AppError::NotFound), "{refused:?}");
    let waiting = ledger::entries_to_review(&app.db, other.id).await.unwrap();
    assert_eq!(waiting.iter().map(|e| e.id).collect::<Vec<_>>(), [entry], "the line still waits for them");
    ledger::mark_unrelated(&app.db, &theirs, &their_factor, other.id, entry).await.unwrap();
    assert!(ledger::entries_to_review(&app.db, other.id).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn names_and_memos_that_look_like_formulas_are_written_inert_in_the_ledger_csvs() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let hostile = "=HYPERLINK(\"https://evil.example\";\"Relevé\")";
    let payer = accounts::create_confirmed(&app.db, "piege@test.example", Some(hostile), PASSWORD, false)
        .await
        .unwrap();
    accounts::join_territory(&app.db, &payer, c.territory.id).await.unwrap();
    let shopkeeper = member(&app, &c, "epicier@test.example").await;
    let (_, shop_account) = business(&app, &c, &shopkeeper, "+Épicerie").await;
    let operator = exchange_operator(&app, &c).await;
    fund(&app, &c, &operator, &payer, 5_000).await;
    let input = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: shop_account,
        amount_cents: 1_000,
        memo: "@SUM(A1:A9)".into(),
    };
    ledger::pay(&app.db, &payer, c.territory.id, &input).await.unwrap();

    let shop = ledger::account(&app.db, shop_account).await.unwrap().unwrap();
    let history = String::from_utf8(ledger::history_csv(&app.db, &shop).await.unwrap()).unwrap();
    let treasurer = treasurer(&app, &c, "tresorier@test.example").await;
    let accounts_csv =
        String::from_utf8(ledger::accounts_csv(&app.db, &treasurer, c.territory.id).await.unwrap()).unwrap();
    for csv in [&history, &accounts_csv] {
        for cell in csv.lines().flat_map(|line| line.split(';')) {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "a live formula in {csv}");
        }
    }
    assert!(history.contains("'=HYPERLINK") && history.contains("'@SUM"), "{history}");
    assert!(accounts_csv.contains("'=HYPERLINK") && accounts_csv.contains("'+Épicerie"), "{accounts_csv}");
    app.stop().await;
}

#[tokio::test]
async fn a_payment_request_with_an_amount_is_paid_once_and_then_shows_paid_with_its_receipt() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let baker = member(&app, &c, "boulangere@test.example").await;
    let (_, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let paul = member(&app, &c, "paul@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    fund(&app, &c, &operator, &jeanne, 5_000).await;
    fund(&app, &c, &operator, &paul, 5_000).await;
    let request = ledger::create_payment_request(&app.db, &baker, bakery_account, Some(1_250), "Commande 12")
        .await
        .unwrap();
    let link = format!("/t/marguerittes/monnaie/payer/{}", request.token);

    let pay_as = |email: &'static str| {
        let app = &app;
        let link = link.clone();
        async move {
            let browser = crate::helpers::client();
            crate::helpers::submit_with(
                &browser,
                &app.base,
                "/login",
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
            let (_, page) = crate::helpers::page_with(&browser, &app.url(&link)).await;
            let value = |name: &str| {
                page.select(&scraper::Selector::parse(&format!("input[name={name}]")).unwrap())
                    .next()
                    .and_then(|i| i.value().attr("value"))
                    .map(str::to_owned)
            };
            let Some(id) = value("id") else { return (browser, None) };
            let fields = [
                ("id", id),
                ("to", value("to").unwrap()),
                ("amount", value("amount").unwrap()),
                ("memo", value("memo").unwrap()),
                ("request", value("request").unwrap()),
            ];
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let confirm = "/t/marguerittes/monnaie/payer/confirmer";
            let paid = crate::helpers::submit_with(&browser, &app.base, &link, confirm, &fields).await;
            (
                browser,
                Some((paid, fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())),
            )
        }
    };

    let (jeannes, first) = pay_as("jeanne@test.example").await;
    let (paid, fields) = first.expect("a pay form");
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    assert!(location(&paid).starts_with("/t/marguerittes/monnaie/virements/"));
    assert_eq!(balance(&app.db, bakery_account).await, 1_250);

    // Jeanne opens the link again: it says paid, with her receipt, and offers no Pay button.
    let (_, again) = crate::helpers::page_with(&jeannes, &app.url(&link)).await;
    assert!(text(&again, "main").contains("Payée le"), "{}", text(&again, "main"));
    assert!(
        again.select(&scraper::Selector::parse("form[action$='/monnaie/payer']").unwrap()).next().is_none()
    );
    let receipt = again.select(&scraper::Selector::parse("a[href*='/virements/']").unwrap()).next().unwrap();
    assert_eq!(receipt.value().attr("href"), Some(location(&paid).as_str()));
    // Sending the old form again (a new transfer id) pays nothing more.
    let mut replay: Vec<(String, String)> = fields.clone();
    replay[0].1 = uuid();
    let replay: Vec<(&str, &str)> = replay.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let twice = crate::helpers::submit_with(
        &jeannes,
        &app.base,
        &link,
        "/t/marguerittes/monnaie/payer/confirmer",
        &replay,
    )
    .await;
    assert_eq!(location(&twice), link);
    // Paul, with the same link, cannot pay it either.
    let (_, second) = pay_as("paul@test.example").await;
    assert!(second.is_none(), "no pay form once paid");
    assert_eq!(balance(&app.db, bakery_account).await, 1_250);
    // The baker's page shows it paid.
    app.login("boulangere@test.example", PASSWORD).await;
    let (_, mine) = app.page(&link).await;
    assert!(text(&mine, "main").contains("Payée le"));
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn a_transfer_retried_with_its_id_is_applied_once_and_another_content_is_refused() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let bruno = member(&app, &c, "bruno@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    fund(&app, &c, &operator, &anne, 10_000).await;
    let bruno_account = ledger::member_account(&app.db, &bruno, c.territory.id).await.unwrap();
    let bearer = token(&app, &anne).await;
    let url = app.url("/api/v1/territories/marguerittes/currency/transfers");
    let id = uuid();
    let body = json!({"id": id, "to_account": bruno_account.id, "amount_cents": 2_500, "memo": "Légumes"});

    let created = app.client.post(&url).bearer_auth(&bearer).json(&body).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["id"], id);
    assert_eq!(created["kind"], "payment");
    let retried = app.client.post(&url).bearer_auth(&bearer).json(&body).send().await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.json::<Value>().await.unwrap(), created);

    let other = json!({"id": id, "to_account": bruno_account.id, "amount_cents": 2_600, "memo": "Légumes"});
    let refused = app.client.post(&url).bearer_auth(&bearer).json(&other).send().await.unwrap();
    assert_eq!(problem(refused, StatusCode::CONFLICT).await["code"], "ledger.error.id_reused");
    // Bruno replaying Anne's id is another content too (another debit account).
    let bruno_token = token(&app, &bruno).await;
    let stolen = app
        .client
        .post(&url)
        .bearer_auth(&bruno_token)
        .json(&json!({"id": id, "to_account": bruno_account.id, "amount_cents": 2_500, "memo": "Légumes"}))
        .send()
        .await
        .unwrap();
    assert!(matches!(stolen.status(), StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY));

    let too_much = json!({"id": uuid(), "to_account": bruno_account.id, "amount_cents": 7_501});
    let refused = app.client.post(&url).bearer_auth(&bearer).json(&too_much).send().await.unwrap();
    let body = problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["code"], "ledger.error.insufficient");
    let bad = json!({"id": "pas-un-uuid", "to_account": bruno_account.id, "amount_cents": 1});
    problem(
        app.client.post(&url).bearer_auth(&bearer).json(&bad).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let zero = json!({"id": uuid(), "to_account": bruno_account.id, "amount_cents": 0});
    problem(
        app.client.post(&url).bearer_auth(&bearer).json(&zero).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let me: Value = app
        .client
        .get(app.url("/api/v1/territories/marguerittes/currency/accounts/me"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["balance_cents"], 7_500);
    assert_eq!(me["symbol"], "B");
    let history: Value = app
        .client
        .get(app.url("/api/v1/territories/marguerittes/currency/accounts/me/history"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["amount_cents"].as_i64(), items[0]["balance_cents"].as_i64()),
        (Some(-2_500), Some(7_500))
    );
    assert_eq!(
        (items[1]["amount_cents"].as_i64(), items[1]["balance_cents"].as_i64()),
        (Some(10_000), Some(10_000))
    );
    assert_eq!(items[0]["other_name"], "bruno");
    // The treasurer corrects the payment by a reversing transfer, once.
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    let boss_token = token(&app, &boss).await;
    let correction = app.url(&format!("/api/v1/territories/marguerittes/currency/transfers/{id}/correction"));
    let member_try = app
        .client
        .post(&correction)
        .bearer_auth(&bearer)
        .json(&json!({"memo": "erreur"}))
        .send()
        .await
        .unwrap();
    problem(member_try, StatusCode::FORBIDDEN).await;
    let reversed = app
        .client
        .post(&correction)
        .bearer_auth(&boss_token)
        .header("X-TOTP-Code", code_at(&boss.secret, 0))
        .json(&json!({"memo": "Erreur de montant"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reversed.status(), StatusCode::CREATED);
    let reversed: Value = reversed.json().await.unwrap();
    assert_eq!(
        (reversed["kind"].as_str(), reversed["amount_cents"].as_i64()),
        (Some("correction"), Some(2_500))
    );
    let again = app
        .client
        .post(&correction)
        .bearer_auth(&boss_token)
        .header("X-TOTP-Code", code_at(&boss.secret, 30))
        .json(&json!({"memo": "Erreur de montant"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(balance(&app.db, bruno_account.id).await, 0);
    assert!(ledger::transfer_by_client_id(&app.db, &id).await.unwrap().is_some(), "the original stays");
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn nobody_spends_from_an_account_they_do_not_act_for_and_member_payments_can_be_turned_off() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let bruno = member(&app, &c, "bruno@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    fund(&app, &c, &boss, &anne, 1_000).await;
    let (_, shop_account) = business(&app, &c, &anne, "Chez Anne").await;
    let bruno_account = ledger::member_account(&app.db, &bruno, c.territory.id).await.unwrap();
    let anne_account = ledger::member_account(&app.db, &anne, c.territory.id).await.unwrap();
    let steal = PaymentInput {
        client_id: uuid(),
        from_account: Some(anne_account.id),
        to_account: bruno_account.id,
        amount_cents: 100,
        memo: String::new(),
    };
    assert!(matches!(
        ledger::pay(&app.db, &bruno, c.territory.id, &steal).await,
        Err(halle::error::AppError::NotFound)
    ));
    let issuance = ledger::account_of(&app.db, c.territory.id, "issuance", 0).await.unwrap().unwrap();
    let mint = PaymentInput {
        client_id: uuid(),
        from_account: Some(issuance.id),
        to_account: bruno_account.id,
        amount_cents: 100,
        memo: String::new(),
    };
    assert!(ledger::pay(&app.db, &bruno, c.territory.id, &mint).await.is_err());
    let to_issuance = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: issuance.id,
        amount_cents: 100,
        memo: String::new(),
    };
    assert!(matches!(
        ledger::pay(&app.db, &anne, c.territory.id, &to_issuance).await,
        Err(halle::error::AppError::Invalid(_))
    ));

    ledger::update_settings(&app.db, &boss, c.territory.id, false, 250).await.unwrap();
    let to_member = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: bruno_account.id,
        amount_cents: 100,
        memo: String::new(),
    };
    assert!(matches!(
        ledger::pay(&app.db, &anne, c.territory.id, &to_member).await,
        Err(halle::error::AppError::Denied(_))
    ));
    let to_shop = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: shop_account,
        amount_cents: 1_000,
        memo: String::new(),
    };
    ledger::pay(&app.db, &anne, c.territory.id, &to_shop).await.unwrap();
    // Only members acting for the business may reconvert its units; the fee goes to the fees account.
    let business_id = ledger::account(&app.db, shop_account).await.unwrap().unwrap().owner_id;
    assert!(
        ledger::request_reconversion(&app.db, &bruno, c.territory.id, business_id, 500, &uuid())
            .await
            .is_err()
    );
    let id = uuid();
    let reconversion =
        ledger::request_reconversion(&app.db, &anne, c.territory.id, business_id, 1_000, &id).await.unwrap();
    assert_eq!((reconversion.fee_cents, reconversion.payout_cents), (25, 975));
    assert!(reconversion.reference.starts_with("R-"));
    let again =
        ledger::request_reconversion(&app.db, &anne, c.territory.id, business_id, 1_000, &id).await.unwrap();
    assert_eq!(again.id, reconversion.id, "a retried reconversion is the same reconversion");
    assert_eq!(balance(&app.db, shop_account).await, 0);
    let fees = ledger::account_of(&app.db, c.territory.id, "fees", 0).await.unwrap().unwrap();
    assert_eq!(fees.balance_cents, 25);
    assert!(
        ledger::request_reconversion(&app.db, &anne, c.territory.id, business_id, 1, &uuid()).await.is_err()
    );
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn an_order_is_paid_inside_its_transaction_once_and_refunded_by_a_reversing_transfer() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let client = member(&app, &c, "client@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    fund(&app, &c, &boss, &client, 3_000).await;
    let (bakery, bakery_account) = business(&app, &c, &baker, "Boulangerie").await;
    assert!(ledger::accepts_currency(&app.db, c.territory.id, bakery).await.unwrap());
    assert!(!ledger::accepts_currency(&app.db, c.territory.id, bakery + 999).await.unwrap());

    // An order rolled back with its payment leaves nothing.
    let mut tx = app.db.begin().await.unwrap();
    ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 500, "CMD-ROLLBACK").await.unwrap();
    drop(tx);
    assert!(ledger::transfer_by_client_id(&app.db, "order:CMD-ROLLBACK").await.unwrap().is_none());
    assert_eq!(balance(&app.db, bakery_account).await, 0);

    let mut tx = app.db.begin().await.unwrap();
    let paid =
        ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 1_800, "CMD-42").await.unwrap();
    assert!(paid.is_new);
    tx.commit().await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let again =
        ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 1_800, "CMD-42").await.unwrap();
    assert_eq!((again.id, again.is_new), (paid.id, false));
    let other_amount = ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 1_900, "CMD-42")
        .await
        .unwrap_err();
    assert!(matches!(other_amount, halle::error::AppError::Conflict(_)));
    // Not enough left: the error leaves the caller's transaction usable and writes nothing.
    let refused = ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 1_201, "CMD-43")
        .await
        .unwrap_err();
    assert!(matches!(refused, halle::error::AppError::Invalid(_)));
    let fits =
        ledger::pay_order_in_tx(&mut tx, c.territory.id, client.id, bakery, 1_200, "CMD-44").await.unwrap();
    assert!(fits.is_new);
    tx.commit().await.unwrap();
    assert!(ledger::transfer_by_client_id(&app.db, "order:CMD-43").await.unwrap().is_none());
    assert_eq!(balance(&app.db, bakery_account).await, 3_000);

    let mut tx = app.db.begin().await.unwrap();
    let refund = ledger::refund_order_in_tx(&mut tx, "CMD-42").await.unwrap().unwrap();
    assert!(refund.is_new);
    assert_eq!(refund.amount_cents, 1_800);
    let twice = ledger::refund_order_in_tx(&mut tx, "CMD-42").await.unwrap().unwrap();
    assert_eq!((twice.id, twice.is_new), (refund.id, false));
    assert!(ledger::refund_order_in_tx(&mut tx, "CMD-UNKNOWN").await.unwrap().is_none());
    tx.commit().await.unwrap();
    let client_account = ledger::member_account(&app.db, &client, c.territory.id).await.unwrap();
    assert_eq!(client_account.balance_cents, 1_800);
    assert_eq!(balance(&app.db, bakery_account).await, 1_200);
    let refund_row = ledger::transfer_by_client_id(&app.db, "order-refund:CMD-42").await.unwrap().unwrap();
    assert_eq!(refund_row.kind, "refund");
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn treasurer_pages_ask_for_a_second_factor_once_per_session() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let boss = member(&app, &c, "tresorier@test.example").await;
    grant(&app, &c, &boss, Role::Treasurer).await;
    // Without a second factor the API refuses treasurer actions.
    let bearer = token(&app, &boss).await;
    let audit = app
        .client
        .get(app.url("/api/v1/territories/marguerittes/currency/audit"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(audit, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_required");

    app.login("tresorier@test.example", PASSWORD).await;
    let first = app.get("/t/marguerittes/monnaie/tresorerie").await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert!(location(&first).starts_with("/account/2fa?next="), "{}", location(&first));
    let (status, html) = app.page(&location(&first)).await;
    assert_eq!(status, StatusCode::OK);
    let secret = text(&html, "#totp-secret");
    let wrong = app
        .submit(
            "/account/2fa",
            "/account/2fa",
            &[("code", "000000"), ("next", "/t/marguerittes/monnaie/tresorerie")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = accounts::totp::code_for_secret(&secret, now_secs()).unwrap();
    let done = app
        .submit(
            "/account/2fa",
            "/account/2fa",
            &[("code", &code), ("next", "/t/marguerittes/monnaie/tresorerie")],
        )
        .await;
    // The set-up is confirmed: its recovery codes are shown once, then the treasury.
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(done.headers()["cache-control"], "no-store");
    let html = scraper::Html::parse_document(&done.text().await.unwrap());
    assert_eq!(crate::helpers::texts(&html, "#recovery-codes code").len(), 10);
    let next = html.select(&scraper::Selector::parse("a.button").unwrap()).next().unwrap();
    assert_eq!(next.value().attr("href"), Some("/t/marguerittes/monnaie/tresorerie"));
    let (status, html) = app.page("/t/marguerittes/monnaie/tresorerie").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "h1").starts_with("Trésorerie"));
    // The same code does not work twice.
    assert!(accounts::totp::verify(&app.db, &boss, &code).await.is_err());
    let audit: Value = app
        .client
        .get(app.url("/api/v1/territories/marguerittes/currency/audit"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["ok"], true);

    // A plain member is refused.
    let other = crate::helpers::client();
    let _ = member(&app, &c, "membre@test.example").await;
    crate::helpers::submit_with(
        &other,
        &app.base,
        "/login",
        "/login",
        &[("email", "membre@test.example"), ("password", PASSWORD)],
    )
    .await;
    let refused = other.get(app.url("/t/marguerittes/monnaie/tresorerie")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_member_pays_a_business_by_its_payment_request_and_the_business_reconverts_on_the_web() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let (bakery, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;

    // The exchange desk asks the operator for a code, then credits Jeanne on the web.
    app.login("change@test.example", PASSWORD).await;
    let first = app.get("/t/marguerittes/monnaie/bureau-de-change").await;
    assert!(location(&first).starts_with("/account/2fa/verify?next="), "{}", location(&first));
    let stepped = app
        .submit(
            &location(&first),
            "/account/2fa/verify",
            &[("code", &code_at(&operator.secret, 0)), ("next", "/t/marguerittes/monnaie/bureau-de-change")],
        )
        .await;
    assert_eq!(location(&stepped), "/t/marguerittes/monnaie/bureau-de-change");
    let desk = app
        .submit(
            "/t/marguerittes/monnaie/bureau-de-change",
            "/t/marguerittes/monnaie/bureau-de-change",
            &[("id", &uuid()), ("email", "jeanne@test.example"), ("amount", "40"), ("method", "cash")],
        )
        .await;
    assert_eq!(desk.status(), StatusCode::OK);
    let jeanne_account = ledger::member_account(&app.db, &jeanne, c.territory.id).await.unwrap();
    assert_eq!(jeanne_account.balance_cents, 4_000);

    // The baker's counter QR code and its address.
    let bakers = crate::helpers::client();
    crate::helpers::submit_with(
        &bakers,
        &app.base,
        "/login",
        "/login",
        &[("email", "baker@test.example"), ("password", PASSWORD)],
    )
    .await;
    let (status, html) =
        crate::helpers::page_with(&bakers, &app.url(&format!("/t/marguerittes/monnaie/structure/{bakery}")))
            .await;
    assert_eq!(status, StatusCode::OK);
    let counter = html
        .select(&scraper::Selector::parse("#counter-link").unwrap())
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap()
        .to_owned();
    let qr = bakers.get(app.url(&format!("{counter}/qr.svg"))).send().await.unwrap();
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.unwrap().contains("<svg"));

    // Jeanne scans it, types 12,50, checks and confirms.
    let jeannes = crate::helpers::client();
    crate::helpers::submit_with(
        &jeannes,
        &app.base,
        "/login",
        "/login",
        &[("email", "jeanne@test.example"), ("password", PASSWORD)],
    )
    .await;
    let (_, request_page) = crate::helpers::page_with(&jeannes, &app.url(&counter)).await;
    let id = request_page
        .select(&scraper::Selector::parse("input[name=id]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value"))
        .unwrap()
        .to_owned();
    let fields =
        [("id", id.as_str()), ("to", &bakery_account.to_string()), ("amount", "12,50"), ("memo", "Pain")];
    let preview =
        crate::helpers::submit_with(&jeannes, &app.base, &counter, "/t/marguerittes/monnaie/payer", &fields)
            .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(balance(&app.db, bakery_account).await, 0, "the confirmation page writes nothing");
    let paid = crate::helpers::submit_with(
        &jeannes,
        &app.base,
        &counter,
        "/t/marguerittes/monnaie/payer/confirmer",
        &fields,
    )
    .await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&paid), format!("/t/marguerittes/monnaie/virements/{id}"));
    // A double submit pays once.
    let again = crate::helpers::submit_with(
        &jeannes,
        &app.base,
        &counter,
        "/t/marguerittes/monnaie/payer/confirmer",
        &fields,
    )
    .await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(balance(&app.db, bakery_account).await, 1_250);
    let (status, receipt) = crate::helpers::page_with(&jeannes, &app.url(&location(&paid))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&receipt, ".big-number").starts_with("12,50"));
    let (_, wallet) = crate::helpers::page_with(&jeannes, &app.url("/t/marguerittes/monnaie")).await;
    assert!(text(&wallet, "#balance").starts_with("27,50"));
    let csv = jeannes
        .get(app.url("/t/marguerittes/monnaie/historique.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("-12,50;27,50"), "{csv}");
    // Too much is refused on the confirmation with a French message, nothing paid.
    let fields = [
        ("id", uuid()),
        ("to", bakery_account.to_string()),
        ("amount", "100".to_owned()),
        ("memo", String::new()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = crate::helpers::submit_with(
        &jeannes,
        &app.base,
        "/t/marguerittes/monnaie/payer",
        "/t/marguerittes/monnaie/payer/confirmer",
        &fields,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("Solde insuffisant"));

    // The baker reconverts 10 units.
    let reconverted = crate::helpers::submit_with(
        &bakers,
        &app.base,
        &format!("/t/marguerittes/monnaie/structure/{bakery}"),
        &format!("/t/marguerittes/monnaie/structure/{bakery}/reconversion"),
        &[("id", &uuid()), ("reconversion_amount", "10")],
    )
    .await;
    assert_eq!(reconverted.status(), StatusCode::SEE_OTHER);
    assert_eq!(balance(&app.db, bakery_account).await, 250);
    let payouts = ledger::reconversions(&app.db, c.territory.id, "pending").await.unwrap();
    assert_eq!(payouts.len(), 1);
    assert_eq!(payouts[0].payout_cents, 1_000);
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn issuance_requests_get_short_unique_codes_and_only_operators_issue_at_a_desk() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let bearer = token(&app, &anne).await;
    let url = app.url("/api/v1/territories/marguerittes/currency/issuance-requests");
    let mut codes = Vec::new();
    for _ in 0..3 {
        let created = app
            .client
            .post(&url)
            .bearer_auth(&bearer)
            .json(&json!({"amount_cents": 5_000}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        let body: Value = created.json().await.unwrap();
        let code = body["reference"].as_str().unwrap().to_owned();
        assert_eq!(ledger::issuance_codes_in(&format!("virement {code}")), vec![code.clone()]);
        assert_eq!(body["status"], "pending");
        codes.push(code);
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 3);
    let bad =
        app.client.post(&url).bearer_auth(&bearer).json(&json!({"amount_cents": -5})).send().await.unwrap();
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let listed: Value = app.client.get(&url).bearer_auth(&bearer).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);

    let desk = app.url("/api/v1/territories/marguerittes/currency/exchange");
    let body = json!({"id": uuid(), "email": "anne@test.example", "amount_cents": 2_000, "method": "cash"});
    let refused = app.client.post(&desk).bearer_auth(&bearer).json(&body).send().await.unwrap();
    problem(refused, StatusCode::FORBIDDEN).await;
    let operator = exchange_operator(&app, &c).await;
    let op_token = token(&app, &operator).await;
    let issue = |code: String| {
        app.client.post(&desk).bearer_auth(&op_token).header("X-TOTP-Code", code).json(&body).send()
    };
    assert_eq!(issue(code_at(&operator.secret, 0)).await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(issue(code_at(&operator.secret, 30)).await.unwrap().status(), StatusCode::OK);
    let audit = ledger::audit(&app.db, c.territory.id).await.unwrap();
    assert!(audit.ok);
    assert_eq!(audit.sums.deposits_cents, 2_000);

    // Enabling is for instance admins; the document lists the currency's paths.
    let put = app
        .client
        .put(app.url("/api/v1/territories/marguerittes/currency"))
        .bearer_auth(&bearer)
        .json(&json!({"name": "X", "symbol": "X"}))
        .send()
        .await
        .unwrap();
    problem(put, StatusCode::FORBIDDEN).await;
    let admin_token = token(&app, &c.admin).await;
    let put = app
        .client
        .put(app.url("/api/v1/territories/marguerittes/currency"))
        .bearer_auth(&admin_token)
        .json(&json!({"name": "Bulle", "symbol": ""}))
        .send()
        .await
        .unwrap();
    problem(put, StatusCode::UNPROCESSABLE_ENTITY).await;
    let openapi: Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for path in [
        "/territories/{slug}/currency",
        "/territories/{slug}/currency/accounts/me",
        "/territories/{slug}/currency/transfers",
        "/territories/{slug}/currency/issuance-requests",
        "/territories/{slug}/currency/statements",
        "/territories/{slug}/currency/audit",
        "/territories/{slug}/currency/payment-requests",
        "/territories/{slug}/currency/reconversions",
    ] {
        assert!(openapi["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    app.stop().await;
}

/// One acknowledged transfer of the random load.
#[derive(Clone, Debug)]
struct Acknowledged {
    from: i64,
    to: i64,
    amount: i64,
}

#[tokio::test]
async fn thousands_of_random_concurrent_operations_with_retries_duplicates_and_overdrafts_keep_every_invariant()
 {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let operator = exchange_operator(&app, &c).await;
    let mut people = Vec::new();
    for index in 0..8 {
        let user = member(&app, &c, &format!("m{index}@test.example")).await;
        fund(&app, &c, &operator, &user, 5_000).await;
        let account = ledger::member_account(&app.db, &user, c.territory.id).await.unwrap();
        people.push((user, account.id));
    }
    let (_, shop_a) = business(&app, &c, &people[0].0, "Épicerie").await;
    let (_, shop_b) = business(&app, &c, &people[1].0, "Primeur").await;
    let mut initial: BTreeMap<i64, i64> = people.iter().map(|(_, a)| (*a, 5_000)).collect();
    initial.insert(shop_a, 0);
    initial.insert(shop_b, 0);
    let payees: Vec<i64> = initial.keys().copied().collect();

    let acknowledged: Arc<Mutex<HashMap<String, Acknowledged>>> = Arc::default();
    let people = Arc::new(people);
    let mut tasks = Vec::new();
    for worker in 0..16_u64 {
        let (db, people, payees, acknowledged) =
            (app.db.clone(), people.clone(), payees.clone(), acknowledged.clone());
        let territory_id = c.territory.id;
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(worker);
            let mut outcomes = [0_usize; 4];
            for _ in 0..160 {
                let (user, from) = &people[rng.gen_range(0..people.len())];
                let mut to = payees[rng.gen_range(0..payees.len())];
                if to == *from {
                    to = payees[(payees.iter().position(|p| *p == to).unwrap() + 1) % payees.len()];
                }
                // Some amounts are larger than any balance can be.
                let amount =
                    if rng.gen_bool(0.1) { rng.gen_range(20_000..40_000) } else { rng.gen_range(1..900) };
                let input = PaymentInput {
                    client_id: uuid::Uuid::new_v4().to_string(),
                    from_account: None,
                    to_account: to,
                    amount_cents: amount,
                    memo: format!("w{worker}"),
                };
                match ledger::pay(&db, user, territory_id, &input).await {
                    Ok(Posted::Created(t)) => {
                        outcomes[0] += 1;
                        acknowledged
                            .lock()
                            .unwrap()
                            .insert(input.client_id.clone(), Acknowledged { from: *from, to, amount });
                        assert_eq!(t[0].amount_cents, amount);
                        // A retry, now or later, finds the same transfer.
                        if rng.gen_bool(0.3) {
                            match ledger::pay(&db, user, territory_id, &input).await.unwrap() {
                                Posted::Existing(same) => assert_eq!(same[0].id, t[0].id),
                                Posted::Created(_) => panic!("a retry applied a transfer twice"),
                            }
                        }
                        // The same id with another amount is refused.
                        if rng.gen_bool(0.2) {
                            let other = PaymentInput { amount_cents: amount + 1, ..input.clone() };
                            assert!(matches!(
                                ledger::pay(&db, user, territory_id, &other).await,
                                Err(halle::error::AppError::Conflict(_))
                            ));
                        }
                    }
                    Ok(Posted::Existing(_)) => panic!("a fresh id was found existing"),
                    Err(halle::error::AppError::Invalid(fields)) => {
                        assert_eq!(fields[0].message, "ledger.error.insufficient");
                        outcomes[1] += 1;
                    }
                    Err(other) => panic!("unexpected error: {other:?}"),
                }
            }
            outcomes
        }));
    }
    let mut created = 0;
    let mut refused = 0;
    for task in tasks {
        let outcomes = task.await.unwrap();
        created += outcomes[0];
        refused += outcomes[1];
    }
    assert_eq!(created + refused, 16 * 160);
    assert!(refused > 0, "the load tried overdrafts");

    // Every balance is its initial funding plus the acknowledged transfers, and the floors held.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut expected = initial.clone();
    for transfer in acknowledged.values() {
        *expected.get_mut(&transfer.from).unwrap() -= transfer.amount;
        *expected.get_mut(&transfer.to).unwrap() += transfer.amount;
    }
    for (account, cents) in &expected {
        assert!(*cents >= 0);
        assert_eq!(balance(&app.db, *account).await, *cents, "account {account}");
    }
    for id in acknowledged.keys() {
        assert!(ledger::transfer_by_client_id(&app.db, id).await.unwrap().is_some());
    }
    assert_audit_clean(&app.db, c.territory.id).await;
    app.stop().await;
}

#[tokio::test]
async fn two_server_instances_on_one_database_never_overdraw_an_account() {
    // Two instances with their own pools on one database, as behind a load balancer.
    let (url, _dir) = crate::helpers::fresh_database().await;
    let first = halle::app::start(halle::config::Config::for_database(&url)).await.unwrap();
    let second = halle::app::start(halle::config::Config::for_database(&url)).await.unwrap();
    let db = first.state.db.clone();
    let input = halle::territory::NewTerritory {
        slug: "marguerittes".into(),
        name: "Marguerittes".into(),
        time_zone: "Europe/Paris".into(),
        label_name: None,
        label_tag: None,
    };
    let territory = halle::territory::create(&db, None, &input).await.unwrap();
    let admin = accounts::create_confirmed(&db, "admin@test.example", None, PASSWORD, true).await.unwrap();
    ledger::enable_currency(&db, &admin, territory.id, "Bulle", "B").await.unwrap();
    accounts::grant_role(&db, &admin, admin.id, territory.id, Role::ExchangeOperator).await.unwrap();
    let payer = accounts::create_confirmed(&db, "payer@test.example", None, PASSWORD, false).await.unwrap();
    let payee = accounts::create_confirmed(&db, "payee@test.example", None, PASSWORD, false).await.unwrap();
    for user in [&payer, &payee] {
        accounts::join_territory(&db, user, territory.id).await.unwrap();
    }
    // Instance administrators give a second factor like anyone else.
    let (_, factor) = second_factor(&db, &admin).await;
    ledger::issue_at_desk(&db, &admin, &factor, territory.id, &cash(&payer.email, 1_000), NO_CAP)
        .await
        .unwrap();
    let payee_account = ledger::member_account(&db, &payee, territory.id).await.unwrap();
    let bearer = accounts::create_api_token(&db, &payer, "load").await.unwrap();
    let bases = [format!("http://{}", first.addr), format!("http://{}", second.addr)];
    let mut tasks = Vec::new();
    for index in 0..40 {
        let base = bases[index % 2].clone();
        let bearer = bearer.clone();
        let body = json!({"id": uuid(), "to_account": payee_account.id, "amount_cents": 100});
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{base}/api/v1/territories/marguerittes/currency/transfers"))
                .bearer_auth(bearer)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count(), 30);
    assert_eq!(balance(&db, payee_account.id).await, 1_000);
    assert_audit_clean(&db, territory.id).await;
    second.stop().await.unwrap();
    first.stop().await.unwrap();
}

/// Reads the `halle serve` child's address from its output.
async fn listening_address(child: &mut tokio::process::Child) -> String {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("the server starts within a minute")
            .unwrap()
            .expect("the server printed its address");
        if let Some(address) = line.strip_prefix("Halle listening on ") {
            let address = address.trim().to_owned();
            // Keep reading the output so that the child never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return address;
        }
    }
}

fn spawn_server(url: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_halle"))
        .arg("serve")
        .env("HALLE_DATABASE_URL", url)
        .env("HALLE_BIND", "127.0.0.1:0")
        .env("HALLE_TILES_URL", "none")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the halle binary runs")
}

#[tokio::test]
async fn killing_the_server_during_a_load_of_transfers_loses_no_acknowledged_transfer() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    // Set up through the library, then close: the server process owns the database.
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let input = halle::territory::NewTerritory {
        slug: "marguerittes".into(),
        name: "Marguerittes".into(),
        time_zone: "Europe/Paris".into(),
        label_name: None,
        label_tag: None,
    };
    let territory = halle::territory::create(&db, None, &input).await.unwrap();
    let admin = accounts::create_confirmed(&db, "admin@test.example", None, PASSWORD, true).await.unwrap();
    ledger::enable_currency(&db, &admin, territory.id, "Bulle", "B").await.unwrap();
    accounts::grant_role(&db, &admin, admin.id, territory.id, Role::ExchangeOperator).await.unwrap();
    let (_, factor) = second_factor(&db, &admin).await;
    let mut clients = Vec::new();
    for index in 0..6 {
        let user = accounts::create_confirmed(&db, &format!("m{index}@test.example"), None, PASSWORD, false)
            .await
            .unwrap();
        accounts::join_territory(&db, &user, territory.id).await.unwrap();
        ledger::issue_at_desk(&db, &admin, &factor, territory.id, &cash(&user.email, 100_000), NO_CAP)
            .await
            .unwrap();
        let account = ledger::member_account(&db, &user, territory.id).await.unwrap();
        clients.push((accounts::create_api_token(&db, &user, "load").await.unwrap(), account.id));
    }
    db.close().await;

    let mut server = spawn_server(&url);
    let base = listening_address(&mut server).await;
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients = Arc::new(clients);
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let (base, clients, acknowledged, stop) =
            (base.clone(), clients.clone(), acknowledged.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut rng = rand::rngs::StdRng::seed_from_u64(worker);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let (token, _) = &clients[rng.gen_range(0..clients.len())];
                let (_, to) = clients[rng.gen_range(0..clients.len())];
                let id = uuid::Uuid::new_v4().to_string();
                let body = json!({"id": id, "to_account": to, "amount_cents": rng.gen_range(1..500)});
                let sent = http
                    .post(format!("{base}/api/v1/territories/marguerittes/currency/transfers"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        acknowledged.lock().unwrap().push(id)
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    // Let the load run, then kill the process without warning (SIGKILL).
    let started = std::time::Instant::now();
    while acknowledged.lock().unwrap().len() < 200 && started.elapsed() < std::time::Duration::from_secs(60) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 200, "the load ran ({} acknowledged)", acknowledged.len());

    // After a restart every acknowledged transfer is there and the audit is clean.
    let mut server = spawn_server(&url);
    let base = listening_address(&mut server).await;
    let http = reqwest::Client::new();
    let (token, _) = &clients[0];
    let me = http
        .get(format!("{base}/api/v1/territories/marguerittes/currency/accounts/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let db = Db::connect(&url).await.unwrap();
    for id in &acknowledged {
        assert!(
            ledger::transfer_by_client_id(&db, id).await.unwrap().is_some(),
            "acknowledged transfer {id} lost"
        );
    }
    assert_audit_clean(&db, territory.id).await;
    let audit = tokio::process::Command::new(env!("CARGO_BIN_EXE_halle"))
        .args(["currency", "audit"])
        .env("HALLE_DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(audit.status.success(), "{}", String::from_utf8_lossy(&audit.stdout));
    assert!(String::from_utf8_lossy(&audit.stdout).contains("audit ok"));
    db.close().await;
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}

#[tokio::test]
async fn the_wallet_shows_the_balance_and_asking_for_units_gives_a_code() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let _ = member(&app, &c, "jeanne@test.example").await;
    app.login("jeanne@test.example", PASSWORD).await;
    let entry = app.get("/monnaie").await;
    assert_eq!(location(&entry), "/t/marguerittes/monnaie");
    let (status, html) = app.page("/t/marguerittes/monnaie").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#balance").starts_with("0,00"));
    let refused =
        app.submit("/t/marguerittes/monnaie", "/t/marguerittes/monnaie/change", &[("amount", "douze")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("Indiquez un montant positif"));
    let asked =
        app.submit("/t/marguerittes/monnaie", "/t/marguerittes/monnaie/change", &[("amount", "50")]).await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.page("/t/marguerittes/monnaie").await;
    let code = text(&html, "code.reference");
    assert_eq!(ledger::issuance_codes_in(&code), vec![code.clone()]);
    // A territory without a currency has no wallet.
    app.territory("ailleurs", "Ailleurs").await;
    assert_eq!(app.get("/t/ailleurs/monnaie").await.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_territory_runs_the_bulle_with_some_balances_and_a_clean_audit() {
    let app = TestApp::spawn().await;
    halle::demo::seed_if_empty(&app.db).await.unwrap();
    let territory = halle::territory::by_slug(&app.db, "marguerittes").await.unwrap().unwrap();
    let currency = ledger::currency_of(&app.db, territory.id).await.unwrap().unwrap();
    assert_eq!((currency.name.as_str(), currency.symbol.as_str()), ("Bulle", "B"));
    let accounts = ledger::accounts(&app.db, territory.id).await.unwrap();
    let business = accounts.iter().find(|a| a.kind == "business").expect("the bakery accepts the Bulle");
    assert_eq!(business.balance_cents, 1_890);
    let audit = ledger::audit(&app.db, territory.id).await.unwrap();
    assert!(audit.ok, "{audit:?}");
    assert_eq!(audit.sums.circulation_cents, 10_000);
    assert_eq!(ledger::pending_requests(&app.db, territory.id).await.unwrap().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_drive_order_paid_in_the_local_currency_is_refunded_when_cancelled() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let client = member(&app, &c, "client@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    fund(&app, &c, &boss, &client, 1_000).await;
    let input =
        BusinessInput { name: "Boulangerie".into(), click_and_collect: true, ..BusinessInput::default() };
    let bakery = halle::directory::propose(&app.db, "", &baker, &c.territory, &input).await.unwrap().id;
    let moderator = app.user("moderation@test.example", "une phrase de passe", false).await;
    let mut tx = app.db.begin().await.unwrap();
    accounts::grant_role_in_tx(&mut tx, moderator.id, c.territory.id, Role::Moderator).await.unwrap();
    tx.commit().await.unwrap();
    halle::directory::approve(&app.db, "", &moderator, bakery).await.unwrap();
    let bakery_account =
        ledger::business_account(&app.db, &baker, c.territory.id, bakery, true).await.unwrap().unwrap().id;
    let point = halle::orders::add_point(&app.db, &baker, bakery, "La boutique", "", false).await.unwrap();
    let start = halle::db::now() + 48 * 3600;
    let slot = halle::orders::add_slot(
        &app.db,
        &baker,
        bakery,
        halle::orders::SlotPlace::Point(point),
        (start, start + 1800),
        5,
    )
    .await
    .unwrap();
    let bread = halle::catalog::ProductInput {
        reference: "PAIN".into(),
        name: "Pain".into(),
        unit: "piece".into(),
        price_cents: 400,
        available: true,
        ..Default::default()
    };
    let bread = halle::catalog::create(&app.db, &baker, bakery, &bread).await.unwrap();
    let request = |quantity: i64| halle::orders::OrderRequest {
        business_id: bakery,
        slot_id: slot.id,
        items: vec![(bread.id, quantity)],
        payment: halle::orders::PaymentMode::LocalCurrency,
        delivery_address: String::new(),
        delivery_commune_id: None,
        note: String::new(),
    };
    // More than the balance: neither the order nor the payment exists, nothing is reserved.
    let refused =
        halle::orders::place_orders(&app.db, "", &client, &[request(3)], None, None).await.unwrap_err();
    assert!(matches!(refused, halle::error::AppError::Invalid(_)), "{refused:?}");
    assert!(halle::orders::my_orders(&app.db, &client).await.unwrap().is_empty());
    let placed = halle::orders::place_orders(&app.db, "", &client, &[request(2)], None, None).await.unwrap();
    assert_eq!(placed[0].payment, "local_currency");
    assert_eq!(balance(&app.db, bakery_account).await, 800);
    halle::orders::cancel_by_customer(&app.db, "", &client, placed[0].id).await.unwrap();
    assert_eq!(balance(&app.db, bakery_account).await, 0);
    let member_account =
        ledger::account_of(&app.db, c.territory.id, "member", client.id).await.unwrap().unwrap();
    assert_eq!(member_account.balance_cents, 1_000);
    assert_audit_clean(&app.db, c.territory.id).await;
}

#[tokio::test]
async fn a_treasurer_corrects_a_mistaken_payment_on_the_web_once() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let secret = treasurer(&app, &c, "tresorier@test.example").await.secret;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let (_, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;
    let issued = uuid();
    let issuance = DeskIssuance { client_id: issued.clone(), ..cash(&jeanne.email, 5_000) };
    ledger::issue_at_desk(&app.db, &operator, &operator.factor, c.territory.id, &issuance, NO_CAP)
        .await
        .unwrap();
    // Jeanne paid the wrong shop.
    let paid = uuid();
    let input = PaymentInput {
        client_id: paid.clone(),
        from_account: None,
        to_account: bakery_account,
        amount_cents: 2_000,
        memo: "Pain".into(),
    };
    ledger::pay(&app.db, &jeanne, c.territory.id, &input).await.unwrap();
    let jeanne_account = ledger::member_account(&app.db, &jeanne, c.territory.id).await.unwrap().id;
    assert_eq!(balance(&app.db, jeanne_account).await, 3_000);

    // The treasurer signs in and gives her second factor (the next 30-second code).
    app.login("tresorier@test.example", PASSWORD).await;
    let first = app.get("/t/marguerittes/monnaie/tresorerie").await;
    assert!(location(&first).starts_with("/account/2fa/verify?next="), "{}", location(&first));
    let code = accounts::totp::code_for_secret(&secret, now_secs() + 30).unwrap();
    let stepped = app
        .submit(
            &location(&first),
            "/account/2fa/verify",
            &[("code", &code), ("next", "/t/marguerittes/monnaie/tresorerie")],
        )
        .await;
    assert_eq!(stepped.status(), StatusCode::SEE_OTHER);
    let treasury = "/t/marguerittes/monnaie/tresorerie";
    let action = "/t/marguerittes/monnaie/tresorerie/correction";

    // An unknown reference and a missing reason are shown on the form, which keeps its input.
    let unknown = app.submit(treasury, action, &[("transfer", "pas-un-virement"), ("memo", "Erreur")]).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&unknown.text().await.unwrap());
    assert_eq!(text(&html, "#transfer-error"), "Aucun virement de ce territoire n’a cette référence.");
    let no_reason = app.submit(treasury, action, &[("transfer", &paid), ("memo", " ")]).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&no_reason.text().await.unwrap());
    assert_eq!(text(&html, "#correction_memo-error"), "Indiquez le motif de la correction.");
    let input = html.select(&scraper::Selector::parse("#transfer").unwrap()).next().unwrap();
    assert_eq!(input.value().attr("value"), Some(paid.as_str()));

    // The preview shows what will be sent back, and changes nothing yet.
    let preview = app.submit(treasury, action, &[("transfer", &paid), ("memo", "Erreur de commerce")]).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = scraper::Html::parse_document(&preview.text().await.unwrap());
    let effect = text(&html, "#correction-effect");
    assert!(effect.contains("20,00") && effect.contains("Boulangerie Lafont"), "{effect}");
    assert_eq!(balance(&app.db, jeanne_account).await, 3_000);
    let token = crate::helpers::csrf_token(&html).unwrap();
    let confirm = |token: String| {
        let paid = paid.clone();
        let app = &app;
        async move {
            app.client
                .post(app.url("/t/marguerittes/monnaie/tresorerie/correction/confirmer"))
                .form(&[
                    ("transfer", paid.as_str()),
                    ("memo", "Erreur de commerce"),
                    ("_csrf", token.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let done = confirm(token.clone()).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/t/marguerittes/monnaie/tresorerie#corriger");
    assert_eq!(balance(&app.db, jeanne_account).await, 5_000);
    assert_eq!(balance(&app.db, bakery_account).await, 0);
    let correction =
        ledger::transfer_by_client_id(&app.db, &format!("correction:{paid}")).await.unwrap().unwrap();
    assert_eq!((correction.kind.as_str(), correction.memo.as_str()), ("correction", "Erreur de commerce"));
    // Confirming again (a double click) moves nothing more; the preview says it is done.
    assert_eq!(confirm(token).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(balance(&app.db, jeanne_account).await, 5_000);
    let again = app.submit(treasury, action, &[("transfer", &paid), ("memo", "Erreur de commerce")]).await;
    let html = scraper::Html::parse_document(&again.text().await.unwrap());
    assert!(text(&html, "#already-corrected").starts_with("Ce virement a déjà été corrigé"));
    assert!(html.select(&scraper::Selector::parse("form[action$=confirmer]").unwrap()).next().is_none());
    // Issuance is settled by the bank statement, not corrected here.
    let refused = app.submit(treasury, action, &[("transfer", &issued), ("memo", "Non")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert_eq!(
        text(&html, "#transfer-error"),
        "Seuls les paiements, les remboursements et les corrections peuvent être corrigés ainsi."
    );
    assert_audit_clean(&app.db, c.territory.id).await;

    // A member who is not treasurer cannot reach the form.
    let other = crate::helpers::client();
    crate::helpers::submit_with(
        &other,
        &app.base,
        "/login",
        "/login",
        &[("email", "jeanne@test.example"), ("password", PASSWORD)],
    )
    .await;
    let refused = other
        .post(app.url(action))
        .form(&[("transfer", paid.as_str()), ("memo", "x"), ("_csrf", "x")])
        .send()
        .await
        .unwrap();
    assert!(matches!(refused.status(), StatusCode::FORBIDDEN), "{}", refused.status());
    app.stop().await;
}

#[tokio::test]
async fn the_data_export_holds_the_members_wallet_with_its_history() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let (_, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;
    fund(&app, &c, &operator, &jeanne, 5_000).await;
    let input = PaymentInput {
        client_id: uuid(),
        from_account: None,
        to_account: bakery_account,
        amount_cents: 1_250,
        memo: "Pain".into(),
    };
    ledger::pay(&app.db, &jeanne, c.territory.id, &input).await.unwrap();
    app.login("jeanne@test.example", PASSWORD).await;
    let export: Value = app.get("/account/export").await.json().await.unwrap();
    assert_eq!(export["account"]["email"], "jeanne@test.example");
    let wallets = export["wallets"].as_array().unwrap();
    assert_eq!(wallets.len(), 1);
    assert_eq!(wallets[0]["account"]["balance_cents"], 3_750);
    let amounts: Vec<i64> = wallets[0]["transfers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount_cents"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [-1_250, 5_000]);
    assert_eq!(wallets[0]["transfers"][0]["balance_cents"], 3_750);
    assert_eq!(export["orders"], json!([]));
    assert_eq!(export["aid_ads"], json!([]));
    app.stop().await;
}
