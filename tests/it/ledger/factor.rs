//! Money is created or moved only with a fresh second factor: the exchange desk and the
//! treasurer's operations by API need `X-TOTP-Code` (a code works once), instance admins
//! included; nobody credits themselves at the desk; an operator's daily cap holds under
//! concurrent issuances.

use super::*;
use halle::error::AppError;

const DESK: &str = "/api/v1/territories/marguerittes/currency/exchange";

/// POSTs an issuance to the desk API, with `code` in `X-TOTP-Code` when given.
async fn desk_call(app: &TestApp, bearer: &str, body: &Value, code: Option<String>) -> reqwest::Response {
    let mut request = app.client.post(app.url(DESK)).bearer_auth(bearer).json(body);
    if let Some(code) = code {
        request = request.header("X-TOTP-Code", code);
    }
    request.send().await.unwrap()
}

fn desk_body(email: &str, amount_cents: i64) -> Value {
    json!({"id": uuid(), "email": email, "amount_cents": amount_cents, "method": "cash"})
}

#[tokio::test]
async fn the_exchange_desk_api_issues_units_only_with_a_fresh_code_that_works_once() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let bearer = token(&app, &operator).await;

    let missing = desk_call(&app, &bearer, &desk_body(&anne.email, 2_000), None).await;
    assert_eq!(problem(missing, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");
    let wrong = desk_call(&app, &bearer, &desk_body(&anne.email, 2_000), Some("12345".into())).await;
    assert_eq!(problem(wrong, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");
    assert_eq!(
        ledger::audit(&app.db, c.territory.id).await.unwrap().sums.deposits_cents,
        0,
        "nothing issued"
    );

    let code = code_at(&operator.secret, 0);
    let issued = desk_call(&app, &bearer, &desk_body(&anne.email, 2_000), Some(code.clone())).await;
    assert_eq!(issued.status(), StatusCode::CREATED);
    // The same code, replayed on another issuance, is refused.
    let replayed = desk_call(&app, &bearer, &desk_body(&anne.email, 2_000), Some(code)).await;
    assert_eq!(problem(replayed, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");
    let account = ledger::member_account(&app.db, &anne, c.territory.id).await.unwrap();
    assert_eq!(account.balance_cents, 2_000);
    assert_audit_clean(&app.db, c.territory.id).await;

    // The document tells clients about the header.
    let openapi: Value =
        app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for (path, method) in [
        ("/territories/{slug}/currency/exchange", "post"),
        ("/territories/{slug}/currency/statements", "post"),
        ("/territories/{slug}/currency/transfers/{id}/correction", "post"),
    ] {
        let params = openapi["paths"][path][method]["parameters"].as_array().unwrap();
        assert!(
            params.iter().any(|p| p["name"] == "X-TOTP-Code" && p["in"] == "header"),
            "{path} does not document X-TOTP-Code"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn statement_import_and_correction_by_api_need_a_fresh_code() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let bruno = member(&app, &c, "bruno@test.example").await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    fund(&app, &c, &boss, &anne, 3_000).await;
    let bruno_account = ledger::member_account(&app.db, &bruno, c.territory.id).await.unwrap();
    let paid = uuid();
    let payment = PaymentInput {
        client_id: paid.clone(),
        from_account: None,
        to_account: bruno_account.id,
        amount_cents: 1_000,
        memo: String::new(),
    };
    ledger::pay(&app.db, &anne, c.territory.id, &payment).await.unwrap();
    let bearer = token(&app, &boss).await;

    let statements = app.url("/api/v1/territories/marguerittes/currency/statements");
    let csv = "Date;Libellé;Montant\n17/03/2026;FRAIS BANCAIRES;-4,00\n";
    let refused = app.client.post(&statements).bearer_auth(&bearer).body(csv).send().await.unwrap();
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");
    assert!(ledger::entries_to_review(&app.db, c.territory.id).await.unwrap().is_empty(), "nothing imported");
    let imported = app
        .client
        .post(&statements)
        .bearer_auth(&bearer)
        .header("X-TOTP-Code", code_at(&boss.secret, 0))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), StatusCode::OK);

    let correction =
        app.url(&format!("/api/v1/territories/marguerittes/currency/transfers/{paid}/correction"));
    let refused = app
        .client
        .post(&correction)
        .bearer_auth(&bearer)
        .json(&json!({"memo": "Erreur"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");
    assert_eq!(balance(&app.db, bruno_account.id).await, 1_000, "nothing corrected");
    let corrected = app
        .client
        .post(&correction)
        .bearer_auth(&bearer)
        .header("X-TOTP-Code", code_at(&boss.secret, 30))
        .json(&json!({"memo": "Erreur"}))
        .send()
        .await
        .unwrap();
    assert_eq!(corrected.status(), StatusCode::CREATED);
    assert_eq!(balance(&app.db, bruno_account.id).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_instance_admin_acting_as_treasurer_needs_the_second_factor_too() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let bearer = token(&app, &c.admin).await;
    let refused = desk_call(&app, &bearer, &desk_body(&anne.email, 2_000), Some("123456".into())).await;
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_required");
    let refused = app
        .client
        .post(app.url("/api/v1/territories/marguerittes/currency/statements"))
        .bearer_auth(&bearer)
        .header("X-TOTP-Code", "123456")
        .body("Date;Libellé;Montant\n17/03/2026;FRAIS BANCAIRES;-4,00\n")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_required");
    // Someone else's proof is no proof.
    let borrowed = ledger::issue_at_desk(
        &app.db,
        &c.admin,
        &operator.factor,
        c.territory.id,
        &cash(&anne.email, 2_000),
        NO_CAP,
    )
    .await
    .unwrap_err();
    assert!(matches!(borrowed, AppError::Denied("ledger.error.totp_code")), "{borrowed:?}");
    // On the web, the admin is sent to set the factor up first.
    app.login("admin@test.example", PASSWORD).await;
    for page in ["/t/marguerittes/monnaie/tresorerie", "/t/marguerittes/monnaie/bureau-de-change"] {
        let first = app.get(page).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        assert!(location(&first).starts_with("/account/2fa?next="), "{}", location(&first));
    }
    assert_eq!(ledger::audit(&app.db, c.territory.id).await.unwrap().sums.deposits_cents, 0);
    app.stop().await;
}

#[tokio::test]
async fn nobody_credits_their_own_account_at_the_exchange_desk() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let operator = exchange_operator(&app, &c).await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    for who in [&operator, &boss] {
        let refused = ledger::issue_at_desk(
            &app.db,
            who,
            &who.factor,
            c.territory.id,
            &cash(&who.email, 5_000),
            NO_CAP,
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, AppError::Denied("ledger.error.self_credit")), "{refused:?}");
    }
    let bearer = token(&app, &operator).await;
    let api =
        desk_call(&app, &bearer, &desk_body(&operator.email, 5_000), Some(code_at(&operator.secret, 0)))
            .await;
    assert_eq!(problem(api, StatusCode::FORBIDDEN).await["code"], "ledger.error.self_credit");

    // On the web, the form says why.
    app.login("change@test.example", PASSWORD).await;
    let first = app.get("/t/marguerittes/monnaie/bureau-de-change").await;
    let desk = "/t/marguerittes/monnaie/bureau-de-change";
    app.submit(
        &location(&first),
        "/account/2fa/verify",
        &[("code", &code_at(&operator.secret, 30)), ("next", desk)],
    )
    .await;
    let refused = app
        .submit(
            desk,
            desk,
            &[("id", &uuid()), ("email", "change@test.example"), ("amount", "50"), ("method", "cash")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(text(&html, "#email-error").starts_with("Vous ne pouvez pas créditer votre propre compte"));
    assert_eq!(ledger::audit(&app.db, c.territory.id).await.unwrap().sums.deposits_cents, 0);
    app.stop().await;
}

#[tokio::test]
async fn an_operators_daily_cap_holds_under_concurrent_issuances() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let operator = Arc::new(exchange_operator(&app, &c).await);
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    ledger::member_account(&app.db, &anne, c.territory.id).await.unwrap();
    const CAP: i64 = 100_000;
    // Ten issuances of 150 € at once: together 1 500 €, past the 1 000 € cap.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (db, operator, issuance) = (app.db.clone(), operator.clone(), cash(&anne.email, 15_000));
        let territory_id = c.territory.id;
        tasks.push(tokio::spawn(async move {
            ledger::issue_at_desk(&db, &operator, &operator.factor, territory_id, &issuance, CAP).await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(posted) => {
                assert!(posted.is_new());
                created += 1;
            }
            Err(AppError::Denied("ledger.error.desk_cap")) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(created, 6, "six issuances of 150 € fit under 1 000 €");
    let issued = ledger::audit(&app.db, c.territory.id).await.unwrap().sums.deposits_cents;
    assert_eq!(issued, 90_000);
    // Up to the cap exactly, then not a cent more; another operator has a cap of their own.
    ledger::issue_at_desk(
        &app.db,
        &operator,
        &operator.factor,
        c.territory.id,
        &cash(&anne.email, 10_000),
        CAP,
    )
    .await
    .unwrap();
    let past = ledger::issue_at_desk(
        &app.db,
        &operator,
        &operator.factor,
        c.territory.id,
        &cash(&anne.email, 1),
        CAP,
    )
    .await
    .unwrap_err();
    assert!(matches!(past, AppError::Denied("ledger.error.desk_cap")), "{past:?}");
    ledger::issue_at_desk(&app.db, &boss, &boss.factor, c.territory.id, &cash(&anne.email, 1), CAP)
        .await
        .unwrap();
    assert_eq!(ledger::member_account(&app.db, &anne, c.territory.id).await.unwrap().balance_cents, 100_001);
    assert_audit_clean(&app.db, c.territory.id).await;

    // The server's cap (2 000 € by default) answers 403 with its key.
    let bearer = token(&app, &boss).await;
    let over =
        desk_call(&app, &bearer, &desk_body(&anne.email, 200_000), Some(code_at(&boss.secret, 0))).await;
    assert_eq!(problem(over, StatusCode::FORBIDDEN).await["code"], "ledger.error.desk_cap");
    app.stop().await;
}

#[tokio::test]
async fn a_recovery_code_shown_at_set_up_replaces_a_code_once() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let boss = member(&app, &c, "tresorier@test.example").await;
    grant(&app, &c, &boss, Role::Treasurer).await;
    app.login("tresorier@test.example", PASSWORD).await;
    let treasury = "/t/marguerittes/monnaie/tresorerie";
    let (_, html) = app.page(&format!("/account/2fa?next={treasury}")).await;
    let secret = text(&html, "#totp-secret");
    let shown = app
        .submit("/account/2fa", "/account/2fa", &[("code", &code_at(&secret, 0)), ("next", treasury)])
        .await;
    assert_eq!(shown.status(), StatusCode::OK);
    let html = scraper::Html::parse_document(&shown.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "Vos codes de secours");
    let codes = crate::helpers::texts(&html, "#recovery-codes code");
    assert_eq!(codes.len(), 10);
    // They are not shown again.
    let (_, again) = app.page("/account/2fa").await;
    assert!(again.select(&scraper::Selector::parse("#recovery-codes").unwrap()).next().is_none());

    // By API: typed in lower case, a recovery code works once.
    let bearer = token(&app, &boss).await;
    let statements = app.url("/api/v1/territories/marguerittes/currency/statements");
    let csv = "Date;Libellé;Montant\n17/03/2026;FRAIS BANCAIRES;-4,00\n";
    let import = |code: String| {
        app.client.post(&statements).bearer_auth(&bearer).header("X-TOTP-Code", code).body(csv).send()
    };
    assert_eq!(import(codes[0].to_lowercase()).await.unwrap().status(), StatusCode::OK);
    let replayed = import(codes[0].clone()).await.unwrap();
    assert_eq!(problem(replayed, StatusCode::FORBIDDEN).await["code"], "ledger.error.totp_code");

    // On the web, after signing in elsewhere: the step-up page takes one.
    let phone = crate::helpers::client();
    crate::helpers::submit_with(
        &phone,
        &app.base,
        "/login",
        "/login",
        &[("email", "tresorier@test.example"), ("password", PASSWORD)],
    )
    .await;
    let verify = format!("/account/2fa/verify?next={treasury}");
    let use_code = |code: String| {
        let (phone, verify, base) = (&phone, &verify, &app.base);
        async move {
            crate::helpers::submit_with(
                phone,
                base,
                verify,
                "/account/2fa/verify",
                &[("code", &code), ("next", treasury)],
            )
            .await
        }
    };
    let accepted = use_code(codes[1].clone()).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&accepted), treasury);
    assert_eq!(use_code(codes[1].clone()).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Two requests with the same code at once: one wins.
    let (first, second) = tokio::join!(
        accounts::totp::verify(&app.db, &boss, &codes[2]),
        accounts::totp::verify(&app.db, &boss, &codes[2])
    );
    assert!(first.is_ok() != second.is_ok(), "{first:?} {second:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_treasury_form_without_a_recent_code_goes_through_the_step_up_page_and_back_to_the_treasury() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    app.login("tresorier@test.example", PASSWORD).await;
    // Signed in with the password only: the form is not run, the code is asked first.
    let action = "/t/marguerittes/monnaie/tresorerie/ecritures/1/sans-rapport";
    let asked = app.submit("/account", action, &[]).await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&asked), "/account/2fa/verify?next=%2Ft%2Fmarguerittes%2Fmonnaie%2Ftresorerie");
    let (status, html) = app.page(&location(&asked)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&html, "label[for=code]"), "Code à 6 chiffres affiché par l’application");
    assert_eq!(text(&html, "label[for=recovery]"), "Code de secours (16 caractères)");
    let stepped = app
        .submit(
            &location(&asked),
            "/account/2fa/verify",
            &[("code", &code_at(&boss.secret, 0)), ("next", "/t/marguerittes/monnaie/tresorerie")],
        )
        .await;
    assert_eq!(location(&stepped), "/t/marguerittes/monnaie/tresorerie");
    assert_eq!(app.get("/t/marguerittes/monnaie/tresorerie").await.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_second_factor_secret_and_recovery_codes_never_leave_the_server() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let (secret, _) = second_factor(&app.db, &anne).await;
    let bearer = token(&app, &anne).await;
    app.login("anne@test.example", PASSWORD).await;
    // The member's data export, the wallet's history and the API's account say who she is and
    // that the factor is on, never the secret (base32 or raw) nor a recovery code's hash.
    let export = app.get("/account/export").await.text().await.unwrap();
    assert!(export.contains("anne@test.example"), "{export}");
    let history = app.get("/t/marguerittes/monnaie/historique.csv").await.text().await.unwrap();
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&bearer).send().await.unwrap();
    let me = me.text().await.unwrap();
    assert!(me.contains("anne@test.example"), "{me}");
    for body in [&export, &history, &me] {
        assert!(!body.contains(&secret), "{body}");
        assert!(!body.to_lowercase().contains("totp_secret"), "{body}");
        assert!(!body.contains("recovery"), "{body}");
        assert!(!body.contains("$argon2"), "{body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn recovery_codes_left_are_shown_and_a_fresh_code_replaces_them_all() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let anne = member(&app, &c, "anne@test.example").await;
    let (_, secret) = accounts::totp::begin_setup(&app.db, &anne).await.unwrap();
    let earlier = accounts::totp::code_for_secret(&secret, now_secs() - 30).unwrap();
    let old = accounts::totp::confirm_setup(&app.db, &anne, &earlier).await.unwrap();
    assert_eq!(old.len(), 10);
    accounts::totp::verify(&app.db, &anne, &old[0]).await.unwrap();
    app.login("anne@test.example", PASSWORD).await;
    let (_, html) = app.page("/account/2fa").await;
    assert_eq!(text(&html, "#recovery-left"), "Il vous reste 9 codes de secours sur 10.");

    // A wrong code replaces nothing.
    let refused = app.submit("/account/2fa", "/account/2fa/recovery", &[("code", "000000")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    accounts::totp::verify(&app.db, &anne, &old[1]).await.unwrap();

    // The app's code gives ten new codes, shown once; every old one stops working.
    let code = code_at(&secret, 0);
    let made = app.submit("/account/2fa", "/account/2fa/recovery", &[("code", code.as_str())]).await;
    assert_eq!(made.status(), StatusCode::OK);
    assert_eq!(made.headers()["cache-control"], "no-store");
    let html = scraper::Html::parse_document(&made.text().await.unwrap());
    let new = crate::helpers::texts(&html, "#recovery-codes li");
    assert_eq!(new.len(), 10, "{new:?}");
    assert!(new.iter().all(|code| !old.contains(code)));
    assert!(accounts::totp::verify(&app.db, &anne, &old[2]).await.is_err());
    accounts::totp::verify(&app.db, &anne, &new[0]).await.unwrap();
    let (_, html) = app.page("/account/2fa").await;
    assert_eq!(text(&html, "#recovery-left"), "Il vous reste 9 codes de secours sur 10.");

    // Without a second factor there is nothing to replace.
    let bob = member(&app, &c, "bob@test.example").await;
    let refused = accounts::totp::regenerate_recovery_codes(&app.db, &bob, "123456").await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    app.stop().await;
}
