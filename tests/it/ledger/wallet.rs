//! The wallet and the treasury as a banking app does them: topping up by transfer with the
//! fund's IBAN and the exchange points, receipts with the balance after and a short reference,
//! emails about money received, the desk's search and day, the journal in words.

use super::*;

/// Logs `staff` in on the app's client and gives their second factor on the way to `page`.
async fn step_up_to(app: &TestApp, staff: &Staff, page: &str) {
    app.login(&staff.email, PASSWORD).await;
    let first = app.get(page).await;
    assert!(location(&first).starts_with("/account/2fa/verify?next="), "{}", location(&first));
    let stepped = app
        .submit(
            &location(&first),
            "/account/2fa/verify",
            &[("code", &code_at(&staff.secret, 0)), ("next", page)],
        )
        .await;
    assert_eq!(location(&stepped), page);
}

const TREASURY: &str = "/t/marguerittes/monnaie/tresorerie";

#[tokio::test]
async fn a_member_tops_up_by_transfer_with_the_funds_iban_its_holder_the_code_and_the_exchange_points() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    step_up_to(&app, &boss, TREASURY).await;
    let bank = "/t/marguerittes/monnaie/tresorerie/banque";

    // A mistyped IBAN is refused with its field, and what was typed is kept.
    let wrong = app
        .submit(
            TREASURY,
            bank,
            &[
                ("iban", "FR76 3000 6000 0112 3456 7890 188"),
                ("holder", "Association Bulle"),
                ("exchange_points", ""),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&wrong.text().await.unwrap());
    assert!(text(&html, "#iban-error").contains("IBAN"));
    assert_eq!(
        html.select(&scraper::Selector::parse("#iban").unwrap()).next().unwrap().value().attr("value"),
        Some("FR76 3000 6000 0112 3456 7890 188")
    );
    assert!(ledger::currency_of(&app.db, c.territory.id).await.unwrap().unwrap().bank_iban.is_empty());

    let saved = app
        .submit(
            TREASURY,
            bank,
            &[
                ("iban", "fr7630006000011234567890189"),
                ("holder", "Association de la Bulle"),
                (
                    "exchange_points",
                    "Café de la Place, 2 rue Haute · samedi 9 h 30 – 12 h\r\n\r\nMairie · lundi 14 h – 17 h",
                ),
            ],
        )
        .await;
    assert_eq!(location(&saved), "/t/marguerittes/monnaie/tresorerie#banque");
    let (_, html) = app.page(TREASURY).await;
    assert_eq!(
        html.select(&scraper::Selector::parse("#iban").unwrap()).next().unwrap().value().attr("value"),
        Some("FR76 3000 6000 0112 3456 7890 189")
    );

    // The member asks for units: the wallet shows where to send the euros and what to write.
    let _ = member(&app, &c, "jeanne@test.example").await;
    let (jeanne, base) = (crate::helpers::client(), app.base.as_str());
    let login = [("email", "jeanne@test.example"), ("password", PASSWORD)];
    crate::helpers::submit_with(&jeanne, base, "/login", "/login", &login).await;
    let wallet = "/t/marguerittes/monnaie";
    let asked = crate::helpers::submit_with(
        &jeanne,
        base,
        wallet,
        "/t/marguerittes/monnaie/change",
        &[("amount", "50")],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let (_, html) = crate::helpers::page_with(&jeanne, &app.url(wallet)).await;
    assert_eq!(text(&html, "#bank-iban"), "FR76 3000 6000 0112 3456 7890 189");
    assert_eq!(text(&html, "#bank-holder"), "Association de la Bulle");
    let code = text(&html, "code.reference");
    let request = crate::helpers::texts(&html, "li.panel dd");
    assert!(request.contains(&code), "{request:?}");
    assert!(request.iter().any(|t| t.starts_with("50,00")), "{request:?}");
    assert_eq!(
        crate::helpers::texts(&html, "#exchange-points li"),
        vec!["Café de la Place, 2 rue Haute · samedi 9 h 30 – 12 h", "Mairie · lundi 14 h – 17 h"]
    );
    app.stop().await;
}

#[tokio::test]
async fn bank_details_need_a_treasurer_with_a_fresh_code() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let input = ledger::BankDetailsInput {
        iban: "FR76 3000 6000 0112 3456 7890 189".into(),
        holder: "Association".into(),
        exchange_points: String::new(),
    };
    let refused = ledger::update_bank_details(&app.db, &jeanne, &boss.factor, c.territory.id, &input).await;
    assert!(matches!(refused, Err(halle::error::AppError::Forbidden)), "{refused:?}");
    ledger::update_bank_details(&app.db, &boss, &boss.factor, c.territory.id, &input).await.unwrap();
    // An IBAN without a holder is refused; an empty IBAN removes it.
    let no_holder = ledger::BankDetailsInput { holder: " ".into(), ..input.clone() };
    let refused = ledger::update_bank_details(&app.db, &boss, &boss.factor, c.territory.id, &no_holder).await;
    assert!(matches!(refused, Err(halle::error::AppError::Invalid(_))), "{refused:?}");
    let removed = ledger::BankDetailsInput { iban: String::new(), holder: String::new(), ..input };
    ledger::update_bank_details(&app.db, &boss, &boss.factor, c.territory.id, &removed).await.unwrap();
    let currency = ledger::currency_of(&app.db, c.territory.id).await.unwrap().unwrap();
    assert_eq!((currency.bank_iban.as_str(), currency.bank_holder.as_str()), ("", ""));
    app.stop().await;
}

/// Signs a member in on a client of their own.
async fn signed_in(app: &TestApp, email: &str) -> reqwest::Client {
    let client = crate::helpers::client();
    let login = [("email", email), ("password", PASSWORD)];
    let done = crate::helpers::submit_with(&client, &app.base, "/login", "/login", &login).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    client
}

fn payment(to_account: i64, amount_cents: i64) -> PaymentInput {
    PaymentInput { client_id: uuid(), from_account: None, to_account, amount_cents, memo: "Pain".into() }
}

#[tokio::test]
async fn a_receipt_shows_the_balance_after_the_payment_and_a_short_reference_the_treasurer_can_quote() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let (_, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;
    fund(&app, &c, &operator, &jeanne, 4_000).await;
    let first = payment(bakery_account, 1_250);
    let paid = ledger::pay(&app.db, &jeanne, c.territory.id, &first).await.unwrap();
    let id = paid.transfers()[0].id;
    // A later payment does not change what the first receipt says.
    ledger::pay(&app.db, &jeanne, c.territory.id, &payment(bakery_account, 500)).await.unwrap();

    let receipt = format!("/t/marguerittes/monnaie/virements/{}", first.client_id);
    let jeannes = signed_in(&app, "jeanne@test.example").await;
    let (status, html) = crate::helpers::page_with(&jeannes, &app.url(&receipt)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#balance-after").starts_with("27,50"), "{}", text(&html, "#balance-after"));
    assert_eq!(text(&html, "#receipt-reference"), format!("P-{id:06}"));
    assert!(!text(&html, ".panel dl").contains(&first.client_id[..8]), "the long id is not shown");
    // The baker sees the shop's balance after it.
    let bakers = signed_in(&app, "baker@test.example").await;
    let (_, html) = crate::helpers::page_with(&bakers, &app.url(&receipt)).await;
    assert!(text(&html, "#balance-after").starts_with("12,50"));

    // The treasurer corrects the payment by the reference on the receipt.
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    let (original, done) =
        ledger::correction_preview(&app.db, &boss, c.territory.id, &format!("p-{id:06}")).await.unwrap();
    assert_eq!((original.client_id.as_str(), done), (first.client_id.as_str(), None));
    app.stop().await;
}

#[tokio::test]
async fn the_payee_is_emailed_a_payment_received_and_a_member_units_credited_once() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let baker = member(&app, &c, "baker@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    let (_, bakery_account) = business(&app, &c, &baker, "Boulangerie Lafont").await;

    // Units credited at the desk: Jeanne is told, in French words and units.
    let issuance = DeskIssuance { method: DeskMethod::Cheque, ..cash(&jeanne.email, 3_000) };
    ledger::issue_at_desk(&app.db, &operator, &operator.factor, c.territory.id, &issuance, NO_CAP)
        .await
        .unwrap();
    let (subject, body) = app.last_mail_to("jeanne@test.example").await.expect("a mail to Jeanne");
    assert_eq!(subject, "30,00\u{a0}B crédités sur votre compte");
    assert!(body.contains("contre un chèque"), "{body}");
    assert!(body.contains("Référence : P-"), "{body}");

    // A payment: each owner of the shop is told, once, even when the payment is sent again.
    let before = app.outbox_len().await;
    let input = PaymentInput { memo: "Deux baguettes".into(), ..payment(bakery_account, 250) };
    ledger::pay(&app.db, &jeanne, c.territory.id, &input).await.unwrap();
    ledger::pay(&app.db, &jeanne, c.territory.id, &input).await.unwrap();
    assert_eq!(app.outbox_len().await, before + 1);
    let (subject, body) = app.last_mail_to("baker@test.example").await.expect("a mail to the baker");
    assert_eq!(subject, "Paiement reçu : 2,50\u{a0}B");
    assert!(body.contains("a payé 2,50\u{a0}B à Boulangerie Lafont"), "{body}");
    assert!(body.contains("Libellé : Deux baguettes"), "{body}");
    // A refused payment tells nobody.
    let too_much = payment(bakery_account, 1_000_000);
    assert!(ledger::pay(&app.db, &jeanne, c.territory.id, &too_much).await.is_err());
    assert_eq!(app.outbox_len().await, before + 1);

    // Units credited by bank transfer when the statement arrives.
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    ledger::request_issuance_with_reference(&app.db, &jeanne, c.territory.id, 2_000, "K7Q2-M9XD")
        .await
        .unwrap();
    let csv = "Date;Libellé;Montant\n17/03/2026;VIR JEANNE REF K7Q2-M9XD;20,00\n";
    let report =
        ledger::import_statement(&app.db, &boss, &boss.factor, c.territory.id, csv.as_bytes()).await.unwrap();
    assert_eq!(report.issued_count, 1);
    let (subject, body) = app.last_mail_to("jeanne@test.example").await.unwrap();
    assert_eq!(subject, "20,00\u{a0}B crédités sur votre compte");
    assert!(body.contains("par virement, code K7Q2-M9XD"), "{body}");
    app.stop().await;
}

/// A member of the territory with a display name.
async fn named(app: &TestApp, c: &Currency, email: &str, name: &str) -> User {
    let user = accounts::create_confirmed(&app.db, email, Some(name), PASSWORD, false).await.unwrap();
    accounts::join_territory(&app.db, &user, c.territory.id).await.unwrap();
    user
}

#[tokio::test]
async fn the_desk_finds_a_member_by_name_or_account_number_and_lists_the_days_operations() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let helene = named(&app, &c, "helene@test.example", "Hélène Dupont").await;
    let jeanne = named(&app, &c, "jeanne@test.example", "Jeanne Martin").await;
    let _paul = named(&app, &c, "paul@test.example", "Paul Martin").await;
    let jeanne_account = ledger::member_account(&app.db, &jeanne, c.territory.id).await.unwrap().id;
    let operator = exchange_operator(&app, &c).await;
    let desk = "/t/marguerittes/monnaie/bureau-de-change";
    step_up_to(&app, &operator, desk).await;
    let (_, html) = app.page(desk).await;
    assert!(crate::helpers::texts(&html, "#day-operations li").is_empty());

    // A name without its accents.
    let by_name = app
        .submit(desk, desk, &[("id", &uuid()), ("email", "helene"), ("amount", "30"), ("method", "cash")])
        .await;
    assert_eq!(by_name.status(), StatusCode::OK);
    let helene_account = ledger::member_account(&app.db, &helene, c.territory.id).await.unwrap().id;
    assert_eq!(balance(&app.db, helene_account).await, 3_000);

    // A name two members share: the desk lists them, the operator picks one.
    let id = uuid();
    let two = app
        .submit(desk, desk, &[("id", &id), ("email", "martin"), ("amount", "20"), ("method", "cheque")])
        .await;
    assert_eq!(two.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&two.text().await.unwrap());
    let choices = crate::helpers::texts(&html, "#candidates label");
    assert_eq!(choices.len(), 2, "{choices:?}");
    assert!(choices.iter().any(|l| l.contains("Jeanne Martin") && l.contains(&jeanne_account.to_string())));
    let picked = app
        .submit(
            desk,
            desk,
            &[
                ("id", &id),
                ("email", "martin"),
                ("choice", &jeanne_account.to_string()),
                ("amount", "20"),
                ("method", "cheque"),
            ],
        )
        .await;
    assert_eq!(picked.status(), StatusCode::OK);
    assert_eq!(balance(&app.db, jeanne_account).await, 2_000);

    // The account number, as written in the member's wallet.
    let number = format!("n° {jeanne_account}");
    let by_number = app
        .submit(desk, desk, &[("id", &uuid()), ("email", &number), ("amount", "5"), ("method", "cash")])
        .await;
    assert_eq!(by_number.status(), StatusCode::OK);
    assert_eq!(balance(&app.db, jeanne_account).await, 2_500);
    let unknown = app
        .submit(desk, desk, &[("id", &uuid()), ("email", "Zoé"), ("amount", "5"), ("method", "cash")])
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The day's operations, newest first, with the cash and the cheques to hand over.
    let (_, html) = app.page(desk).await;
    let day = crate::helpers::texts(&html, "#day-operations li");
    assert_eq!(day.len(), 3, "{day:?}");
    assert!(day[0].contains("Jeanne Martin") && day[0].contains("5,00"), "{day:?}");
    assert!(day[2].contains("Hélène Dupont") && day[2].contains("Espèces"), "{day:?}");
    let totals = crate::helpers::texts(&html, "#day-totals dd");
    assert!(totals[0].starts_with("35,00") && totals[1].starts_with("20,00"), "{totals:?}");
    app.stop().await;
}

#[tokio::test]
async fn the_treasury_journal_reads_in_french_words_and_euros() {
    let app = TestApp::spawn().await;
    let c = with_currency(&app).await;
    let jeanne = member(&app, &c, "jeanne@test.example").await;
    let operator = exchange_operator(&app, &c).await;
    fund(&app, &c, &operator, &jeanne, 3_000).await;
    let boss = treasurer(&app, &c, "tresorier@test.example").await;
    ledger::update_settings(&app.db, &boss, c.territory.id, false, 250).await.unwrap();
    step_up_to(&app, &boss, TREASURY).await;
    let (_, html) = app.page(TREASURY).await;
    let journal = crate::helpers::texts(&html, "section[aria-labelledby=log-title] li");
    assert!(
        journal.iter().any(|l| l.ends_with("Émission au bureau de change · espèces · 30,00 €")),
        "{journal:?}"
    );
    assert!(
        journal
            .iter()
            .any(|l| l
                .ends_with("Réglages · paiements entre membres interdits · frais de reconversion 2,50 %")),
        "{journal:?}"
    );
    assert!(
        !journal.iter().any(|l| l.contains("desk_") || l.contains("_changed") || l.contains("3000")),
        "{journal:?}"
    );
    app.stop().await;
}
