//! Mutual aid: ads and their search by radius and text, expiry, conversations and their
//! permissions, blocking, rate limits, reports and moderation, and email privacy.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A territory with a moderator, a volunteer driver, a care home and a stranger, each with an
/// API token.
pub(crate) struct Setup {
    pub app: TestApp,
    pub territory: halle::territory::Territory,
    pub moderator: String,
    pub driver: String,
    pub care_home: String,
    pub stranger: String,
    pub driver_user: halle::accounts::User,
    pub care_home_user: halle::accounts::User,
}

pub(crate) const MODERATOR: &str = "animation@exemple.fr";
pub(crate) const DRIVER: &str = "chauffeur@exemple.fr";
pub(crate) const CARE_HOME: &str = "ehpad@exemple.fr";
pub(crate) const STRANGER: &str = "curieux@exemple.fr";

pub(crate) async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let territory = app.territory("marguerittes", "Marguerittes").await;
    let moderator = app.user(MODERATOR, PASSWORD, false).await;
    let driver = app.user(DRIVER, PASSWORD, false).await;
    let care_home = app.user(CARE_HOME, PASSWORD, false).await;
    let stranger = app.user(STRANGER, PASSWORD, false).await;
    let mut tx = app.db.begin().await.unwrap();
    use halle::accounts::{Role, grant_role_in_tx as grant_role};
    grant_role(&mut tx, moderator.id, territory.id, Role::Moderator).await.unwrap();
    for user in [&driver, &care_home, &stranger] {
        grant_role(&mut tx, user.id, territory.id, Role::Member).await.unwrap();
    }
    tx.commit().await.unwrap();
    let token = |user: halle::accounts::User| {
        let db = app.db.clone();
        async move { halle::accounts::create_api_token(&db, &user, "t").await.unwrap() }
    };
    Setup {
        moderator: token(moderator).await,
        driver: token(driver.clone()).await,
        care_home: token(care_home.clone()).await,
        stranger: token(stranger).await,
        app,
        territory,
        driver_user: driver,
        care_home_user: care_home,
    }
}

pub(crate) fn api(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

pub(crate) fn transport_offer() -> Value {
    json!({"kind": "offer", "domain": "transport", "title": "Transport vers Nîmes le mardi",
           "description": "Voiture 5 places.\n\nRendez-vous médicaux, marché.", "latitude": 43.86, "longitude": 4.44})
}

pub(crate) async fn post_ad(s: &Setup, token: &str, body: Value) -> Value {
    let response =
        api(token).post(s.app.url("/api/v1/territories/marguerittes/ads")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

pub(crate) async fn contact(s: &Setup, token: &str, ad: i64, body: &str) -> reqwest::Response {
    api(token)
        .post(s.app.url(&format!("/api/v1/ads/{ad}/conversations")))
        .json(&json!({"body": body}))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn ids(response: reqwest::Response) -> Vec<i64> {
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

pub(crate) async fn search(s: &Setup, query: &str) -> Vec<i64> {
    ids(reqwest::get(s.app.url(&format!("/api/v1/ads?{query}"))).await.unwrap()).await
}

/// 9 km north of the commune's centre (43.86, 4.44).
const NINE_KM_NORTH: f64 = 43.86 + 9.0 / 111.195;

#[tokio::test]
async fn an_ad_nine_kilometres_away_is_in_a_ten_km_search_and_out_of_a_five_km_one() {
    let s = setup().await;
    let mut far = transport_offer();
    far["latitude"] = json!(NINE_KM_NORTH);
    let far = post_ad(&s, &s.driver, far).await["id"].as_i64().unwrap();
    let near = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();

    let within =
        |km: u32| format!("q=transport&domain=transport&near=43.86,4.44&radius_km={km}&sort=nearest");
    assert_eq!(search(&s, &within(10)).await, vec![near, far], "nearest first");
    assert_eq!(search(&s, &within(5)).await, vec![near]);

    // The web search measures from the chosen commune.
    let commune = halle::territory::communes(&s.app.db, s.territory.id).await.unwrap()[0].id;
    let (_, html) =
        s.app.page(&format!("/t/marguerittes/entraide?q=transport&commune={commune}&rayon=10")).await;
    assert_eq!(texts(&html, ".ad-card h3").len(), 2);
    let (_, html) =
        s.app.page(&format!("/t/marguerittes/entraide?q=transport&commune={commune}&rayon=5")).await;
    assert_eq!(texts(&html, ".ad-card h3").len(), 1);
    assert!(text(&html, ".ad-card").contains("Transport vers Nîmes le mardi"));
}

#[tokio::test]
async fn text_search_ignores_case_and_accents_and_filters_by_domain_kind_and_territory() {
    let s = setup().await;
    let offer = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let request = post_ad(
        &s,
        &s.care_home,
        json!({"kind": "request", "domain": "socio-educational", "title": "Lecture à voix haute",
               "description": "Une heure par semaine.", "latitude": 43.87, "longitude": 4.45, "is_urgent": true}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // Another territory's ad shows only in a search across territories.
    let other = s.app.territory("poulx", "Poulx").await;
    let elsewhere = halle::aid::post_ad(
        &s.app.db,
        "",
        &s.driver_user,
        &other,
        &serde_json::from_value(transport_offer()).unwrap(),
    )
    .await
    .unwrap()
    .id;

    assert_eq!(search(&s, "q=NIMES&territory=marguerittes").await, vec![offer]);
    assert_eq!(search(&s, "q=lecture%20voix").await, vec![request]);
    assert_eq!(search(&s, "kind=request").await, vec![request]);
    assert_eq!(search(&s, "urgent=true").await, vec![request]);
    assert_eq!(search(&s, "domain=transport&territory=marguerittes").await, vec![offer]);
    let mut everywhere = search(&s, "domain=transport").await;
    everywhere.sort_unstable();
    assert_eq!(everywhere, vec![offer, elsewhere]);
    // Bad filters are problems, in French.
    let bad = reqwest::get(s.app.url("/api/v1/ads?radius_km=10")).await.unwrap();
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "radius_km");
    let unknown = reqwest::get(s.app.url("/api/v1/ads?territory=nulle-part")).await.unwrap();
    problem(unknown, StatusCode::NOT_FOUND).await;
    // Pagination.
    let first: Value = reqwest::get(s.app.url("/api/v1/ads?limit=1")).await.unwrap().json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert_eq!(first["next"], "1");
}

#[tokio::test]
async fn an_ad_form_with_mistakes_is_shown_again_with_french_errors_and_the_typed_text() {
    let s = setup().await;
    s.app.login(DRIVER, PASSWORD).await;
    let response = s
        .app
        .submit(
            "/t/marguerittes/entraide/publier",
            "/t/marguerittes/entraide/publier",
            &[
                ("type", "offer"),
                ("domain", "astrologie"),
                ("title", "Covoiturage du matin"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = scraper::Html::parse_document(&response.text().await.unwrap());
    let errors = texts(&html, ".error-summary li");
    assert!(errors.contains(&"Choisissez un domaine dans la liste.".to_owned()), "{errors:?}");
    assert!(errors.contains(&"Décrivez ce que vous proposez ou cherchez.".to_owned()));
    assert!(errors.contains(&"Choisissez une commune (ou indiquez un point approximatif).".to_owned()));
    let title = scraper::Selector::parse("#title").unwrap();
    assert_eq!(html.select(&title).next().unwrap().value().attr("value"), Some("Covoiturage du matin"));

    // Corrected, it is published and shown with its commune.
    let commune = halle::territory::communes(&s.app.db, s.territory.id).await.unwrap()[0].id.to_string();
    let response = s
        .app
        .submit(
            "/t/marguerittes/entraide/publier",
            "/t/marguerittes/entraide/publier",
            &[
                ("type", "offer"),
                ("domain", "transport"),
                ("title", "Covoiturage du matin"),
                ("description", "Départ 7 h 45."),
                ("commune_id", &commune),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, html) = s.app.page(&location(&response)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&html, "h1"), "Covoiturage du matin");
    assert!(text(&html, ".facts").contains("Marguerittes"));
    assert!(text(&html, ".flash").contains("Votre annonce est publiée"));
}

#[tokio::test]
async fn an_expired_ad_leaves_the_search_cannot_be_answered_and_its_author_is_reminded_once() {
    let s = setup().await;
    let id = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let ad = halle::aid::ad_by_id(&s.app.db, id).await.unwrap().unwrap();
    assert_eq!(ad.expires_at - ad.created_at, 30 * 24 * 3600, "30 days by default");

    // Two days before expiry, the job reminds the author, once.
    let soon = ad.expires_at - 2 * 24 * 3600;
    let done = halle::aid::jobs::run_due(&s.app.db, "http://halle.test", soon).await.unwrap();
    assert_eq!(done.reminders, 1);
    let (subject, body) = s.app.last_mail_to(DRIVER).await.unwrap();
    assert_eq!(subject, "Votre annonce va expirer");
    assert!(body.contains(&format!("http://halle.test/t/marguerittes/entraide/{id}")));
    let again = halle::aid::jobs::run_due(&s.app.db, "http://halle.test", soon + 60).await.unwrap();
    assert_eq!(again.reminders, 0);

    // Once expired it is out of the search and closed to answers.
    set_expiry(&s, id, halle::db::now() - 1).await;
    assert!(search(&s, "q=transport").await.is_empty());
    let refused = contact(&s, &s.care_home, id, "Bonjour").await;
    let body = problem(refused, StatusCode::CONFLICT).await;
    assert_eq!(body["detail"], "Cette annonce est close ou expirée : on ne peut plus y répondre.");

    // Renewed by its author, it is back for 30 days.
    let renewed = api(&s.driver)
        .patch(s.app.url(&format!("/api/v1/ads/{id}")))
        .json(&json!({"renew": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);
    assert_eq!(search(&s, "q=transport").await, vec![id]);
}

async fn set_expiry(s: &Setup, id: i64, at: i64) {
    match &s.app.db {
        halle::db::Db::Sqlite(pool, _) => {
            sqlx::query("update ad set expires_at = $1 where id = $2")
                .bind(at)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
        halle::db::Db::Postgres(pool) => {
            sqlx::query("update ad set expires_at = $1 where id = $2")
                .bind(at)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn only_its_author_changes_an_ad_and_a_fulfilled_ad_leaves_the_search() {
    let s = setup().await;
    let id = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let url = s.app.url(&format!("/api/v1/ads/{id}"));
    let stranger = api(&s.stranger).patch(&url).json(&json!({"title": "Piratée"})).send().await.unwrap();
    problem(stranger, StatusCode::FORBIDDEN).await;
    let anonymous =
        reqwest::Client::new().patch(&url).json(&json!({"title": "Piratée"})).send().await.unwrap();
    problem(anonymous, StatusCode::UNAUTHORIZED).await;
    s.app.login(STRANGER, PASSWORD).await;
    assert_eq!(
        s.app.get(&format!("/t/marguerittes/entraide/{id}/modifier")).await.status(),
        StatusCode::FORBIDDEN
    );

    let changed =
        api(&s.driver).patch(&url).json(&json!({"title": "Transport le jeudi"})).send().await.unwrap();
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["title"], "Transport le jeudi");
    assert_eq!(changed["domain"], "transport", "fields not in the patch keep their value");
    let done = api(&s.driver).patch(&url).json(&json!({"status": "fulfilled"})).send().await.unwrap();
    assert_eq!(done.json::<Value>().await.unwrap()["status"], "fulfilled");
    assert!(search(&s, "domain=transport").await.is_empty());
}

#[tokio::test]
async fn a_conversation_is_read_only_by_its_two_members_on_the_web_and_in_the_api() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let created = contact(&s, &s.care_home, ad, "Bonjour, seriez-vous libre mardi ?").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let conversation: Value = created.json().await.unwrap();
    let id = conversation["id"].as_i64().unwrap();
    assert_eq!(conversation["with"]["display_name"], "chauffeur");

    // The driver sees it, unread, and answers.
    let list: Value =
        api(&s.driver).get(s.app.url("/api/v1/conversations")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["unread"], 1);
    let messages = s.app.url(&format!("/api/v1/conversations/{id}/messages"));
    let read: Value = api(&s.driver).get(&messages).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["items"][0]["body"], "Bonjour, seriez-vous libre mardi ?");
    let sent = api(&s.driver).post(&messages).json(&json!({"body": "Oui, à 9 h."})).send().await.unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let list: Value =
        api(&s.driver).get(s.app.url("/api/v1/conversations")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"][0]["unread"], 0, "read once opened");

    // A third member gets "not found", whatever the way in.
    problem(api(&s.stranger).get(&messages).send().await.unwrap(), StatusCode::NOT_FOUND).await;
    let intrusion = api(&s.stranger).post(&messages).json(&json!({"body": "Coucou"})).send().await.unwrap();
    problem(intrusion, StatusCode::NOT_FOUND).await;
    let theirs: Value =
        api(&s.stranger).get(s.app.url("/api/v1/conversations")).send().await.unwrap().json().await.unwrap();
    assert!(theirs["items"].as_array().unwrap().is_empty());
    problem(reqwest::get(&messages).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    s.app.login(STRANGER, PASSWORD).await;
    assert_eq!(s.app.get(&format!("/messages/{id}")).await.status(), StatusCode::NOT_FOUND);
    let forged =
        submit_with(&s.app.client, &s.app.base, "/messages", &format!("/messages/{id}"), &[("body", "x")])
            .await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    // Its members read it on the web, without JavaScript.
    let home = client();
    submit_with(&home, &s.app.base, "/login", "/login", &[("email", CARE_HOME), ("password", PASSWORD)])
        .await;
    let (status, html) = page_with(&home, &s.app.url(&format!("/messages/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, ".message-body"), ["Bonjour, seriez-vous libre mardi ?", "Oui, à 9 h."]);
}

#[tokio::test]
async fn contacting_from_the_ad_page_opens_the_conversation_and_a_second_contact_continues_it() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    s.app.login(CARE_HOME, PASSWORD).await;
    let page = format!("/t/marguerittes/entraide/{ad}");
    let empty = s.app.submit(&page, &format!("{page}/contacter"), &[("body", "  ")]).await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().await.unwrap().contains("Écrivez votre message."));
    let first = s.app.submit(&page, &format!("{page}/contacter"), &[("body", "Bonjour !")]).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let conversation = location(&first);
    let second = s.app.submit(&page, &format!("{page}/contacter"), &[("body", "Encore moi.")]).await;
    assert_eq!(location(&second), conversation);
    let (_, html) = s.app.page(&conversation).await;
    assert_eq!(texts(&html, ".message-body"), ["Bonjour !", "Encore moi."]);
    // The author cannot answer their own ad as a new conversation.
    let own = contact(&s, &s.driver, ad, "moi").await;
    problem(own, StatusCode::FORBIDDEN).await;
    // The live update returns only what is new.
    let after = texts(&html, ".message").len();
    assert_eq!(after, 2);
    let fragment = s
        .app
        .client
        .get(s.app.url(&format!("{conversation}?apres=0")))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!fragment.contains("<html"));
    assert!(fragment.contains("Encore moi."));
}

#[tokio::test]
async fn a_blocked_member_cannot_write_until_unblocked() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let id =
        contact(&s, &s.care_home, ad, "Bonjour").await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let messages = s.app.url(&format!("/api/v1/conversations/{id}/messages"));
    // The driver blocks the care home.
    let blocked = api(&s.driver)
        .put(s.app.url(&format!("/api/v1/members/{}/block", s.care_home_user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::NO_CONTENT);
    let refused =
        api(&s.care_home).post(&messages).json(&json!({"body": "Vous êtes là ?"})).send().await.unwrap();
    let body = problem(refused, StatusCode::FORBIDDEN).await;
    assert_eq!(body["detail"], "Vous ne pouvez pas écrire à ce membre : l’un de vous a bloqué l’autre.");
    // Nor through a new ad of theirs, nor on the web; the blocker cannot write either.
    let another = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    problem(contact(&s, &s.care_home, another, "Bonjour").await, StatusCode::FORBIDDEN).await;
    let back = api(&s.driver).post(&messages).json(&json!({"body": "Non."})).send().await.unwrap();
    problem(back, StatusCode::FORBIDDEN).await;
    s.app.login(CARE_HOME, PASSWORD).await;
    let (_, html) = s.app.page(&format!("/messages/{id}")).await;
    assert!(texts(&html, "textarea#body").is_empty(), "no reply form");
    assert!(text(&html, ".notice").contains("bloqué"));
    // Unblocked, they can write again.
    let unblocked = api(&s.driver)
        .delete(s.app.url(&format!("/api/v1/members/{}/block", s.care_home_user.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(unblocked.status(), StatusCode::NO_CONTENT);
    let sent = api(&s.care_home).post(&messages).json(&json!({"body": "Merci !"})).send().await.unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_account_posts_five_ads_and_starts_ten_conversations_a_day_at_most() {
    let s = setup().await;
    let mut ads = Vec::new();
    for _ in 0..5 {
        ads.push(post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap());
    }
    let sixth = api(&s.driver)
        .post(s.app.url("/api/v1/territories/marguerittes/ads"))
        .json(&transport_offer())
        .send()
        .await
        .unwrap();
    problem(sixth, StatusCode::TOO_MANY_REQUESTS).await;
    for _ in 0..5 {
        ads.push(post_ad(&s, &s.moderator, transport_offer()).await["id"].as_i64().unwrap());
    }
    let extra = post_ad(&s, &s.stranger, transport_offer()).await["id"].as_i64().unwrap();
    for ad in &ads {
        assert_eq!(contact(&s, &s.care_home, *ad, "Bonjour").await.status(), StatusCode::CREATED);
    }
    problem(contact(&s, &s.care_home, extra, "Bonjour").await, StatusCode::TOO_MANY_REQUESTS).await;
    // Continuing an existing conversation is not a new one.
    assert_eq!(contact(&s, &s.care_home, ads[0], "Encore").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn message_emails_are_grouped_to_one_per_conversation_per_hour() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let id =
        contact(&s, &s.care_home, ad, "Premier").await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let (subject, body) = s.app.last_mail_to(DRIVER).await.unwrap();
    assert_eq!(subject, "Nouveau message sur Halle");
    assert!(body.contains(&format!("/messages/{id}")));
    assert!(!body.contains(CARE_HOME), "never the sender's address");
    let messages = s.app.url(&format!("/api/v1/conversations/{id}/messages"));
    for text in ["Deuxième", "Troisième"] {
        api(&s.care_home).post(&messages).json(&json!({"body": text})).send().await.unwrap();
    }
    let to_driver = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            halle::mail::list_outbox(&db, None, None, 100)
                .await
                .unwrap()
                .iter()
                .filter(|m| m.to_address == DRIVER)
                .count()
        }
    };
    assert_eq!(to_driver(&s.app).await, 1, "one email in the hour");
    let now = halle::db::now();
    assert_eq!(halle::aid::jobs::run_due(&s.app.db, "", now + 600).await.unwrap().notices, 0);
    // After the hour, one email for what is still unread.
    assert_eq!(halle::aid::jobs::run_due(&s.app.db, "", now + 3700).await.unwrap().notices, 1);
    assert_eq!(to_driver(&s.app).await, 2);
    assert_eq!(halle::aid::jobs::run_due(&s.app.db, "", now + 7400).await.unwrap().notices, 0);
}

#[tokio::test]
async fn reports_reach_the_moderators_who_hide_suspend_and_log_it() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let report = api(&s.care_home)
        .post(s.app.url("/api/v1/reports"))
        .json(&json!({"target": "ad", "target_id": ad, "reason": "Annonce commerciale déguisée"}))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::CREATED);
    let report: Value = report.json().await.unwrap();
    let report_id = report["id"].as_i64().unwrap();
    let no_reason = api(&s.care_home)
        .post(s.app.url("/api/v1/reports"))
        .json(&json!({"target": "ad", "target_id": ad, "reason": ""}))
        .send()
        .await
        .unwrap();
    problem(no_reason, StatusCode::UNPROCESSABLE_ENTITY).await;

    // Members cannot see the queue nor decide.
    let queue_url = s.app.url("/api/v1/territories/marguerittes/reports");
    problem(api(&s.stranger).get(&queue_url).send().await.unwrap(), StatusCode::FORBIDDEN).await;
    let decision = s.app.url(&format!("/api/v1/reports/{report_id}/decision"));
    let forbidden =
        api(&s.driver).post(&decision).json(&json!({"hide": true, "reason": "non"})).send().await.unwrap();
    problem(forbidden, StatusCode::FORBIDDEN).await;
    let queue: Value = api(&s.moderator).get(&queue_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(queue["items"][0]["id"], report_id);
    // A reason is required to act.
    let bare = api(&s.moderator).post(&decision).json(&json!({"hide": true})).send().await.unwrap();
    problem(bare, StatusCode::UNPROCESSABLE_ENTITY).await;
    let done = api(&s.moderator)
        .post(&decision)
        .json(&json!({"hide": true, "sanction": "suspend", "reason": "Publicité répétée"}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    problem(
        api(&s.moderator).post(&decision).json(&json!({"reason": "x"})).send().await.unwrap(),
        StatusCode::CONFLICT,
    )
    .await;

    // Hidden from everyone but its author and the moderators.
    problem(reqwest::get(s.app.url(&format!("/api/v1/ads/{ad}"))).await.unwrap(), StatusCode::NOT_FOUND)
        .await;
    assert_eq!(
        api(&s.driver).get(s.app.url(&format!("/api/v1/ads/{ad}"))).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert!(search(&s, "q=transport").await.is_empty());
    // The suspended author can no longer post nor write, and was told why.
    let again = api(&s.driver)
        .post(s.app.url("/api/v1/territories/marguerittes/ads"))
        .json(&transport_offer())
        .send()
        .await
        .unwrap();
    problem(again, StatusCode::FORBIDDEN).await;
    let (subject, body) = s.app.last_mail_to(DRIVER).await.unwrap();
    assert_eq!(subject, "Votre compte est suspendu");
    assert!(body.contains("Publicité répétée"));
    let other_ad = post_ad(&s, &s.care_home, transport_offer()).await["id"].as_i64().unwrap();
    problem(contact(&s, &s.driver, other_ad, "Bonjour").await, StatusCode::FORBIDDEN).await;

    // Everything is in the audit log, on the moderators' page.
    s.app.login(MODERATOR, PASSWORD).await;
    let (status, html) = s.app.page("/t/marguerittes/entraide/moderation").await;
    assert_eq!(status, StatusCode::OK);
    let log = texts(&html, "table tbody tr");
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log.iter().any(|l| l.contains("Compte suspendu") && l.contains("Publicité répétée")));
    assert!(log.iter().any(|l| l.contains("Contenu masqué")));
    assert!(text(&html, "#suspended-title + ul").contains("chauffeur"));
    let member = client();
    submit_with(&member, &s.app.base, "/login", "/login", &[("email", STRANGER), ("password", PASSWORD)])
        .await;
    let (status, _) = page_with(&member, &s.app.url("/t/marguerittes/entraide/moderation")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_message_is_reported_only_by_a_member_of_its_conversation_and_can_be_hidden() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let id = contact(&s, &s.care_home, ad, "Message déplacé").await.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let messages: Value = api(&s.driver)
        .get(s.app.url(&format!("/api/v1/conversations/{id}/messages")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = messages["items"][0]["id"].as_i64().unwrap();
    let report = |token: &str| {
        api(token)
            .post(s.app.url("/api/v1/reports"))
            .json(&json!({"target": "message", "target_id": message, "reason": "Propos insultants"}))
            .send()
    };
    problem(report(&s.stranger).await.unwrap(), StatusCode::NOT_FOUND).await;
    problem(report(&s.care_home).await.unwrap(), StatusCode::BAD_REQUEST).await;
    let filed: Value = report(&s.driver).await.unwrap().json().await.unwrap();
    // Through the web page: the moderator hides it and warns its author.
    s.app.login(MODERATOR, PASSWORD).await;
    let queue = "/t/marguerittes/entraide/moderation";
    let (_, html) = s.app.page(queue).await;
    assert!(text(&html, "#reports-title ~ article").contains("Message déplacé"));
    let done = s
        .app
        .submit(
            queue,
            &format!("{queue}/signalements/{}", filed["id"]),
            &[("hide", "1"), ("sanction", "warn"), ("reason", "Restez courtois")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (subject, _) = s.app.last_mail_to(CARE_HOME).await.unwrap();
    assert_eq!(subject, "Avertissement des animateurs");
    let read: Value = api(&s.driver)
        .get(s.app.url(&format!("/api/v1/conversations/{id}/messages")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["items"][0]["body"], Value::Null);
}

#[tokio::test]
async fn first_ads_wait_for_a_moderator_when_the_territory_says_so() {
    let s = setup().await;
    let moderator = halle::accounts::user_for_api_token(&s.app.db, &s.moderator).await.unwrap();
    halle::aid::set_mode(&s.app.db, &moderator, s.territory.id, halle::aid::ModerationMode::FirstPost)
        .await
        .unwrap();
    let member = halle::accounts::user_for_api_token(&s.app.db, &s.stranger).await.unwrap();
    assert!(matches!(
        halle::aid::set_mode(&s.app.db, &member, s.territory.id, halle::aid::ModerationMode::Open).await,
        Err(halle::error::AppError::Forbidden)
    ));

    let first = post_ad(&s, &s.driver, transport_offer()).await;
    assert_eq!(first["state"], "pending");
    let id = first["id"].as_i64().unwrap();
    assert!(search(&s, "q=transport").await.is_empty());
    problem(
        api(&s.stranger).get(s.app.url(&format!("/api/v1/ads/{id}"))).send().await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(s.app.last_mail_to(MODERATOR).await.unwrap().0, "Une annonce attend votre validation");
    // Approved from the moderators' page.
    s.app.login(MODERATOR, PASSWORD).await;
    let queue = "/t/marguerittes/entraide/moderation";
    let approved = s.app.submit(queue, &format!("{queue}/annonces/{id}/approuver"), &[]).await;
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(search(&s, "q=transport").await, vec![id]);
    assert_eq!(s.app.last_mail_to(DRIVER).await.unwrap().0, "Votre annonce est publiée");
    // The author's next ad is published at once; everyone's waits in "all" mode.
    assert_eq!(post_ad(&s, &s.driver, transport_offer()).await["state"], "published");
    halle::aid::set_mode(&s.app.db, &moderator, s.territory.id, halle::aid::ModerationMode::All)
        .await
        .unwrap();
    assert_eq!(post_ad(&s, &s.driver, transport_offer()).await["state"], "pending");
    assert_eq!(post_ad(&s, &s.moderator, transport_offer()).await["state"], "published");
}

#[tokio::test]
async fn moderators_add_domains_that_ads_can_then_use() {
    let s = setup().await;
    let mut printing = transport_offer();
    printing["domain"] = json!("impression-3d");
    let refused = api(&s.driver)
        .post(s.app.url("/api/v1/territories/marguerittes/ads"))
        .json(&printing)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"], "domain");
    s.app.login(MODERATOR, PASSWORD).await;
    let queue = "/t/marguerittes/entraide/moderation";
    s.app.submit(queue, &format!("{queue}/domaines"), &[("name", "Impression 3D")]).await;
    assert_eq!(post_ad(&s, &s.driver, printing).await["domain"], "impression-3d");
    let (_, html) = s.app.page("/t/marguerittes/entraide").await;
    assert!(texts(&html, "#domaine option").contains(&"Impression 3D".to_owned()));
}

#[tokio::test]
async fn no_page_or_api_answer_shows_another_members_email() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let id =
        contact(&s, &s.care_home, ad, "Bonjour").await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    halle::aid::update_profile(
        &s.app.db,
        &s.driver_user,
        &halle::aid::ProfileInput {
            presentation: "Retraité".into(),
            skills: "conduite".into(),
            commune_id: None,
        },
    )
    .await
    .unwrap();
    api(&s.care_home)
        .post(s.app.url("/api/v1/reports"))
        .json(&json!({"target": "profile", "target_id": s.driver_user.id, "reason": "Faux profil"}))
        .send()
        .await
        .unwrap();
    let others = [DRIVER, MODERATOR, STRANGER];
    let check = |body: String, what: &str| {
        for email in others {
            assert!(!body.contains(email), "{what} shows {email}");
        }
        assert!(!body.contains("password_hash"));
    };
    // The care home's view of everything it can reach.
    s.app.login(CARE_HOME, PASSWORD).await;
    for path in [
        "/t/marguerittes/entraide".to_owned(),
        format!("/t/marguerittes/entraide/{ad}"),
        format!("/membres/{}", s.driver_user.id),
        "/messages".to_owned(),
        format!("/messages/{id}"),
        "/mes-annonces".to_owned(),
    ] {
        let response = s.app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        check(response.text().await.unwrap(), &path);
    }
    for path in [
        "/api/v1/ads".to_owned(),
        format!("/api/v1/ads/{ad}"),
        "/api/v1/conversations".to_owned(),
        format!("/api/v1/conversations/{id}/messages"),
    ] {
        let response = api(&s.care_home).get(s.app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        check(response.text().await.unwrap(), &path);
    }
    // Nor the moderators' page, which names the people involved.
    let moderator = client();
    submit_with(&moderator, &s.app.base, "/login", "/login", &[("email", MODERATOR), ("password", PASSWORD)])
        .await;
    let body = moderator
        .get(s.app.url("/t/marguerittes/entraide/moderation"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("Faux profil"));
    assert!(!body.contains(DRIVER) && !body.contains(CARE_HOME));
}

#[tokio::test]
async fn a_saved_search_sends_a_daily_digest_of_new_matching_ads() {
    let s = setup().await;
    s.app.login(CARE_HOME, PASSWORD).await;
    let page = "/t/marguerittes/entraide?q=transport&type=offer";
    let saved = s
        .app
        .submit(page, "/t/marguerittes/entraide/recherches", &[("query", "q=transport&type=offer")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, html) = s.app.page("/mes-annonces").await;
    assert_eq!(texts(&html, "#searches-title + ul li a").len(), 1);
    post_ad(&s, &s.driver, transport_offer()).await;
    let mut other = transport_offer();
    other["kind"] = json!("request");
    post_ad(&s, &s.driver, other).await;
    let done = halle::aid::jobs::run_due(&s.app.db, "http://halle.test", halle::db::now() + 24 * 3600 + 5)
        .await
        .unwrap();
    assert_eq!(done.digests, 1);
    let (subject, body) = s.app.last_mail_to(CARE_HOME).await.unwrap();
    assert_eq!(subject, "Nouvelles annonces d’entraide");
    assert_eq!(body.matches("Transport vers Nîmes le mardi").count(), 1, "only the offer: {body}");
    // Nothing new the next day: no email.
    let next = halle::aid::jobs::run_due(&s.app.db, "", halle::db::now() + 2 * 24 * 3600 + 10).await.unwrap();
    assert_eq!(next.digests, 0);
}

#[tokio::test]
async fn profiles_show_presentation_skills_and_structures_but_nothing_sensitive() {
    let s = setup().await;
    s.app.login(DRIVER, PASSWORD).await;
    let saved = s
        .app
        .submit(
            "/profil",
            "/profil",
            &[("presentation", "Retraité, j’ai une voiture."), ("skills", "conduite")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let too_long = "x".repeat(1001);
    let refused = s.app.submit("/profil", "/profil", &[("presentation", &too_long)]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Profiles are for signed-in members: a visitor is sent to the login page.
    let visitor = client();
    let anonymous = visitor.get(s.app.url(&format!("/membres/{}", s.driver_user.id))).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/login"), "{}", location(&anonymous));
    submit_with(&visitor, &s.app.base, "/login", "/login", &[("email", CARE_HOME), ("password", PASSWORD)])
        .await;
    let (status, html) = page_with(&visitor, &s.app.url(&format!("/membres/{}", s.driver_user.id))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&html, "h1"), "chauffeur");
    assert!(text(&html, "main").contains("Retraité, j’ai une voiture."));
    assert!(text(&html, ".facts").contains("conduite"));
    assert_eq!(page_with(&visitor, &s.app.url("/membres/999999")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_openapi_document_lists_the_aid_paths() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in [
        "/ads",
        "/territories/{slug}/ads",
        "/ads/{id}",
        "/ads/{id}/conversations",
        "/conversations",
        "/conversations/{id}/messages",
        "/reports",
        "/reports/{id}/decision",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["paths"]["/ads/{id}"]["patch"].is_object());
    assert!(doc["paths"]["/conversations/{id}/messages"]["post"].is_object());
}
