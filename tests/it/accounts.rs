//! Accounts through the web pages: registration, confirmation, login, reset, changes, deletion.

use reqwest::StatusCode;

use crate::helpers::*;

async fn register(app: &TestApp, email: &str) -> reqwest::Response {
    app.submit(
        "/register",
        "/register",
        &[("email", email), ("display_name", "Marie Dupont"), ("password", PASSWORD)],
    )
    .await
}

#[tokio::test]
async fn registering_sends_a_confirmation_link_and_login_waits_for_it() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;

    let response = register(&app, "Marie@Exemple.fr").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/register/done");
    let (_, done) = app.page("/register/done").await;
    assert_eq!(text(&done, "h1"), "Vérifiez votre boîte mail");

    // Not confirmed yet: the login explains why.
    let refused =
        app.submit("/login", "/login", &[("email", "marie@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = scraper::Html::parse_document(&refused.text().await.unwrap());
    assert!(text(&html, "[role=alert]").contains("pas encore confirmée"));

    let (subject, _) = app.last_mail_to("marie@exemple.fr").await.expect("a confirmation email");
    assert_eq!(subject, "Confirmez votre adresse e-mail");
    let link = app.link_in_mail("marie@exemple.fr", "/account/confirm?token=").await;
    let (status, confirmed) = page_with(&app.client, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&confirmed, "h1"), "Adresse confirmée");

    app.login("marie@exemple.fr", PASSWORD).await;
    let (_, account) = app.page("/account").await;
    assert_eq!(text(&account, "h1"), "Mon compte");
    assert!(text(&account, ".facts").contains("marie@exemple.fr"));
    // The only territory was joined at registration.
    assert!(text(&account, "main").contains("Marguerittes"));
}

#[tokio::test]
async fn a_confirmation_link_works_only_once() {
    let app = TestApp::spawn().await;
    register(&app, "paul@exemple.fr").await;
    let link = app.link_in_mail("paul@exemple.fr", "/account/confirm?token=").await;
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), StatusCode::OK);
    let (status, again) = page_with(&app.client, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(text(&again, "h1"), "Lien non valable");
    let (status, _) = app.page("/account/confirm?token=forged").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_short_password_is_refused_with_a_french_message_and_the_fields_kept() {
    let app = TestApp::spawn().await;
    let response = app
        .submit(
            "/register",
            "/register",
            &[("email", "a@exemple.fr"), ("display_name", "Anne"), ("password", "court")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(text(&html, "#password-error").contains("au moins 10 caractères"));
    assert_eq!(
        html.select(&scraper::Selector::parse("#email").unwrap()).next().unwrap().value().attr("value"),
        Some("a@exemple.fr")
    );
    assert_eq!(app.outbox_len().await, 0);
}

#[tokio::test]
async fn registering_a_taken_email_creates_nothing_reveals_nothing_and_tells_its_owner() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let taken = register(&app, "JEANNE@exemple.fr").await;
    let fresh = register(&app, "nouvelle@exemple.fr").await;
    // The person registering sees the same thing for a taken and a free address.
    assert_eq!(taken.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&taken), location(&fresh));
    let (subject, body) = app.last_mail_to("jeanne@exemple.fr").await.unwrap();
    assert_eq!(subject, "Vous avez déjà un compte Halle");
    assert!(body.contains("/password/forgot"), "{body}");
    assert_eq!(halle::accounts::list_users(&app.db, "jeanne", None, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_signs_nobody_in() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let response = app
        .submit(
            "/login",
            "/login",
            &[("email", "jeanne@exemple.fr"), ("password", "pas le bon mot de passe")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert_eq!(text(&html, "[role=alert]"), "Adresse e-mail ou mot de passe incorrect.");
    let account = app.get("/account").await;
    assert_eq!(account.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&account), "/login?next=%2Faccount");
    // An unknown address gets exactly the same answer.
    let unknown =
        app.submit("/login", "/login", &[("email", "personne@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_goes_back_to_a_local_page_only() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let response = app
        .submit(
            "/login",
            "/login",
            &[("email", "jeanne@exemple.fr"), ("password", PASSWORD), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&response), "/");
    let other = client();
    let response = submit_with(
        &other,
        &app.base,
        "/login",
        "/login",
        &[("email", "jeanne@exemple.fr"), ("password", PASSWORD), ("next", "/account")],
    )
    .await;
    assert_eq!(location(&response), "/account");
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_account() {
    let app = TestApp::spawn_with(|c| c.login_limit = 3).await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    for _ in 0..3 {
        let response = app
            .submit(
                "/login",
                "/login",
                &[("email", "jeanne@exemple.fr"), ("password", "mauvais mot de passe")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused until the window ends.
    let response =
        app.submit("/login", "/login", &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(text(&html, "[role=alert]").contains("Trop de tentatives"));
}

#[tokio::test]
async fn behind_a_proxy_the_left_most_forwarded_address_does_not_escape_the_login_limit() {
    let app = TestApp::spawn_with(|c| {
        c.login_limit = 1;
        c.trust_proxy = true;
    })
    .await;
    // Each attempt names another account and claims another address, but the proxy (this
    // test's client, on 127.0.0.1) says they all come from 203.0.113.7: three per address.
    let mut statuses = Vec::new();
    for attempt in 0..4 {
        let page = app.get("/login").await.text().await.unwrap();
        let token = csrf_token(&scraper::Html::parse_document(&page)).unwrap();
        let response = app
            .client
            .post(app.url("/login"))
            .header("x-forwarded-for", format!("192.0.2.{attempt}, 203.0.113.7"))
            .form(&[
                ("email", format!("personne{attempt}@exemple.fr").as_str()),
                ("password", "mauvais mot de passe"),
                ("_csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[..3], [StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn someone_else_failing_to_log_in_does_not_lock_the_account_from_its_owners_address() {
    let app = TestApp::spawn_with(|c| {
        c.login_limit = 2;
        c.trust_proxy = true;
    })
    .await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let attempt = |from: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let page = app.get("/login").await.text().await.unwrap();
            let token = csrf_token(&scraper::Html::parse_document(&page)).unwrap();
            app.client
                .post(app.url("/login"))
                .header("x-forwarded-for", from)
                .form(&[("email", "jeanne@exemple.fr"), ("password", password), ("_csrf", &token)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..2 {
        assert_eq!(attempt("203.0.113.66", "mauvais mot de passe").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(attempt("203.0.113.66", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    // Jeanne, from her own address, still gets in.
    assert_eq!(attempt("198.51.100.20", PASSWORD).await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn one_address_gets_at_most_three_reset_emails_an_hour_whoever_asks() {
    let app = TestApp::spawn_with(|c| {
        c.trust_proxy = true;
        c.register_limit = 100;
    })
    .await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    for from in 0..6 {
        let page = app.get("/password/forgot").await.text().await.unwrap();
        let token = csrf_token(&scraper::Html::parse_document(&page)).unwrap();
        let response = app
            .client
            .post(app.url("/password/forgot"))
            .header("x-forwarded-for", format!("203.0.113.{from}"))
            .form(&[("email", "jeanne@exemple.fr"), ("_csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "every request answers the same");
    }
    let queued = halle::mail::list_outbox(&app.db, None, None, 100).await.unwrap();
    let resets = queued.iter().filter(|m| m.to_address == "jeanne@exemple.fr").count();
    assert_eq!(resets, 3);
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    // A page visit gives the session a token, but the forged form does not carry it.
    app.get("/register").await;
    let response = app
        .client
        .post(app.url("/register"))
        .form(&[("email", "forge@exemple.fr"), ("display_name", "Forge"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    assert!(text(&html, "main").contains("Le formulaire a expiré"));
    let wrong = app
        .client
        .post(app.url("/register"))
        .form(&[
            ("email", "forge@exemple.fr"),
            ("display_name", "Forge"),
            ("password", PASSWORD),
            ("_csrf", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(halle::accounts::find_user_with_hash(&app.db, "forge@exemple.fr").await.unwrap().is_none());
}

#[tokio::test]
async fn logging_out_ends_the_session_and_needs_the_token() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let forged = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/account").await.status(), StatusCode::OK);
    let response = app.submit("/account", "/logout", &[]).await;
    assert_eq!(location(&response), "/");
    assert_eq!(app.get("/account").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_reset_link_sets_a_new_password_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    let elsewhere = client();
    submit_with(
        &elsewhere,
        &app.base,
        "/login",
        "/login",
        &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(elsewhere.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);

    let response =
        app.submit("/password/forgot", "/password/forgot", &[("email", "jeanne@exemple.fr")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    // An unknown address gets the same answer and no email.
    app.submit("/password/forgot", "/password/forgot", &[("email", "inconnu@exemple.fr")]).await;
    assert!(app.last_mail_to("inconnu@exemple.fr").await.is_none());

    // A forged link is refused as soon as it is opened.
    let (status, forged) = app.page("/password/reset?token=forged").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(text(&forged, "h1"), "Lien non valable");
    let link = app.link_in_mail("jeanne@exemple.fr", "/password/reset?token=").await;
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let response = app
        .submit(&path, "/password/reset", &[("token", &token), ("password", "un tout nouveau secret")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    assert_eq!(elsewhere.get(app.url("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let old = app.submit("/login", "/login", &[("email", "jeanne@exemple.fr"), ("password", PASSWORD)]).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login("jeanne@exemple.fr", "un tout nouveau secret").await;
    // The link cannot be used twice.
    let again = app
        .submit(&path, "/password/reset", &[("token", &token), ("password", "encore un autre secret")])
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_password_reset_evicts_an_intruders_keys_and_pending_email_change_and_tells_the_owner() {
    let app = TestApp::spawn().await;
    let jeanne = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    // The intruder knew the password: he made an API key and asked to move the account to his
    // own address, without opening that link yet.
    let key = halle::accounts::create_api_token(&app.db, &jeanne, "intrus").await.unwrap();
    let me = |key: String| {
        let app = &app;
        async move { app.client.get(app.url("/api/v1/me")).bearer_auth(key).send().await.unwrap().status() }
    };
    assert_eq!(me(key.clone()).await, StatusCode::OK);
    halle::accounts::request_email_change(&app.db, &app.base, &jeanne, PASSWORD, "intrus@exemple.fr")
        .await
        .unwrap();
    let takeover = app.link_in_mail("intrus@exemple.fr", "/account/confirm?token=").await;

    // Jeanne resets her password from her mailbox.
    app.submit("/password/forgot", "/password/forgot", &[("email", "jeanne@exemple.fr")]).await;
    let link = app.link_in_mail("jeanne@exemple.fr", "/password/reset?token=").await;
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let reset = app
        .submit(&path, "/password/reset", &[("token", &token), ("password", "un tout nouveau secret")])
        .await;
    assert_eq!(reset.status(), StatusCode::OK);

    assert_eq!(me(key).await, StatusCode::UNAUTHORIZED, "the key is revoked");
    let opened = app.client.get(&takeover).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::BAD_REQUEST, "the email change is cancelled");
    let user = halle::accounts::user_by_id(&app.db, jeanne.id).await.unwrap().unwrap();
    assert_eq!(user.email, "jeanne@exemple.fr");
    let (subject, body) = app.last_mail_to("jeanne@exemple.fr").await.unwrap();
    assert_eq!(subject, "Votre mot de passe a été changé");
    assert!(body.contains("clés d’accès à l’API révoquées"), "{body}");
}

#[tokio::test]
async fn changing_the_password_revokes_api_keys_and_keys_show_when_they_expire() {
    let app = TestApp::spawn().await;
    let jeanne = app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let key = halle::accounts::create_api_token(&app.db, &jeanne, "Tableur").await.unwrap();
    let (_, page) = app.page("/account").await;
    let row = text(&page, "section[aria-labelledby=tokens-title] tbody tr");
    let next_year = (jiff::Zoned::now().year() + 1).to_string();
    assert!(row.contains("Tableur") && row.contains(&next_year), "{row}");
    let changed = app
        .submit(
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "un tout nouveau secret")],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let me = app.client.get(app.url("/api/v1/me")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.last_mail_to("jeanne@exemple.fr").await.unwrap().0, "Votre mot de passe a été changé");
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_checks_the_current_one() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let wrong = app
        .submit(
            "/account",
            "/account/password",
            &[("current_password", "pas le bon"), ("new_password", "court")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Both problems are reported at once, each on its field.
    let html = scraper::Html::parse_document(&wrong.text().await.unwrap());
    assert!(text(&html, "#pw-current-error").contains("actuel est incorrect"));
    assert!(text(&html, "#new_password-error").contains("au moins 10 caractères"));
    let ok = app
        .submit(
            "/account",
            "/account/password",
            &[("current_password", PASSWORD), ("new_password", "nouveau secret 2026")],
        )
        .await;
    assert_eq!(location(&ok), "/account");
    let (status, page) = app.page("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&page, ".flash").contains("mot de passe est changé"));
}

#[tokio::test]
async fn changing_the_email_applies_when_the_new_address_confirms_it() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.user("pris@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let taken = app
        .submit(
            "/account",
            "/account/email",
            &[("new_email", "pris@exemple.fr"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .submit(
            "/account",
            "/account/email",
            &[("new_email", "Jeanne.M@exemple.fr"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&response), "/account");
    // Nothing changes until the link is opened.
    let (_, page) = app.page("/account").await;
    assert!(text(&page, ".facts").contains("jeanne@exemple.fr"));
    let link = app.link_in_mail("jeanne.m@exemple.fr", "/account/confirm?token=").await;
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), StatusCode::OK);
    let (_, page) = app.page("/account").await;
    assert!(text(&page, ".facts").contains("jeanne.m@exemple.fr"));
}

#[tokio::test]
async fn a_member_downloads_their_data_and_deletes_their_account() {
    let app = TestApp::spawn().await;
    app.territory("marguerittes", "Marguerittes").await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    app.submit("/", "/t/marguerittes/join", &[]).await;

    let export = app.get("/account/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let json: serde_json::Value = export.json().await.unwrap();
    assert_eq!(json["account"]["email"], "jeanne@exemple.fr");
    assert_eq!(json["memberships"][0]["territory_slug"], "marguerittes");
    assert!(json["account"].get("password_hash").is_none());

    let wrong = app.submit("/account/delete", "/account/delete", &[("current_password", "pas le bon")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = app.submit("/account/delete", "/account/delete", &[("current_password", PASSWORD)]).await;
    assert_eq!(location(&done), "/account/deleted");
    let (_, farewell) = app.page("/account/deleted").await;
    assert_eq!(text(&farewell, "h1"), "Compte supprimé");
    assert!(halle::accounts::find_user_with_hash(&app.db, "jeanne@exemple.fr").await.unwrap().is_none());
    assert_eq!(app.get("/account").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn personal_api_tokens_are_shown_once_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    app.user("jeanne@exemple.fr", PASSWORD, false).await;
    app.login("jeanne@exemple.fr", PASSWORD).await;
    let response = app.submit("/account", "/account/tokens", &[("name", "Tableur")]).await;
    assert_eq!(location(&response), "/account#tokens-title");
    let (_, html) = app.page("/account").await;
    let token = text(&html, "code.secret");
    assert!(token.starts_with("halle_"));
    let me = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);

    let (_, account) = app.page("/account").await;
    assert!(texts(&account, "code.secret").is_empty(), "the secret is never shown again");
    let action = {
        let selector = scraper::Selector::parse("form[action$='/revoke']").unwrap();
        account.select(&selector).next().unwrap().value().attr("action").unwrap().to_owned()
    };
    app.submit("/account", &action, &[]).await;
    let me = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_member_cannot_revoke_another_members_token() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@exemple.fr", PASSWORD, false).await;
    app.user("other@exemple.fr", PASSWORD, false).await;
    halle::accounts::create_api_token(&app.db, &owner, "Owner's").await.unwrap();
    let tokens = halle::accounts::api_tokens_of(&app.db, owner.id).await.unwrap();
    app.login("other@exemple.fr", PASSWORD).await;
    let response = app.submit("/account", &format!("/account/tokens/{}/revoke", tokens[0].id), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(halle::accounts::api_tokens_of(&app.db, owner.id).await.unwrap().len(), 1);
}
