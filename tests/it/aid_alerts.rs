//! Mutual aid's alerts: the unread badge on "Messages", the moderators alerted of a report and
//! the reporter told the outcome, and ads for a dated need leaving the lists after their date.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::aid::{CARE_HOME, DRIVER, MODERATOR, api, contact, post_ad, setup, transport_offer};
use crate::helpers::*;

#[tokio::test]
async fn the_messages_link_counts_unread_conversations_until_they_are_read() {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    s.app.login(DRIVER, PASSWORD).await;
    let (_, html) = s.app.page("/t/marguerittes/entraide").await;
    assert_eq!(text(&html, "#messages-link"), "Messages", "no badge without a message");

    let id =
        contact(&s, &s.care_home, ad, "Bonjour").await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    contact(&s, &s.care_home, ad, "Vous êtes là ?").await;
    let (_, html) = s.app.page("/t/marguerittes/entraide").await;
    assert_eq!(text(&html, "#messages-link .badge"), "1", "one conversation, however many messages");
    assert_eq!(text(&html, "#messages-link .visually-hidden"), "(1 conversation non lue)");
    assert_eq!(text(&html, "#messages-link"), "Messages1 (1 conversation non lue)");

    // The list marks it, with the count of its unread messages.
    let (_, html) = s.app.page("/messages").await;
    assert_eq!(texts(&html, ".conversations .unread").len(), 1);
    assert_eq!(text(&html, ".conversations .unread .unread-count"), "2 messages non lus");

    // Opening it reads it: its own page already shows no badge, nor does the list.
    let (status, html) = s.app.page(&format!("/messages/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(texts(&html, "#messages-link .badge").is_empty());
    let (_, html) = s.app.page("/messages").await;
    assert!(texts(&html, ".conversations .unread").is_empty());
    assert!(texts(&html, "#messages-link .badge").is_empty());

    // A reply in the driver's own name never counts for the driver; one from the other does.
    let url = s.app.url(&format!("/api/v1/conversations/{id}/messages"));
    api(&s.driver).post(&url).json(&json!({"body": "Oui"})).send().await.unwrap();
    let (_, html) = s.app.page("/messages").await;
    assert!(texts(&html, "#messages-link .badge").is_empty());
    api(&s.care_home).post(&url).json(&json!({"body": "Merci"})).send().await.unwrap();
    let (_, html) = s.app.page("/messages").await;
    assert_eq!(text(&html, "#messages-link .badge"), "1");
    assert_eq!(text(&html, ".conversations .unread .unread-count"), "1 message non lu");

    // The other member's header counts nothing: they wrote every message they have.
    let other = client();
    submit_with(&other, &s.app.base, "/login", "/login", &[("email", CARE_HOME), ("password", PASSWORD)])
        .await;
    let (_, html) = page_with(&other, &s.app.url("/messages")).await;
    assert!(texts(&html, "#messages-link .badge").is_empty());
}

#[tokio::test]
async fn a_report_alerts_the_moderators_once_shows_the_conversation_around_it_and_its_outcome_reaches_the_reporter()
 {
    let s = setup().await;
    let ad = post_ad(&s, &s.driver, transport_offer()).await["id"].as_i64().unwrap();
    let id = contact(&s, &s.care_home, ad, "Message 0").await.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let url = s.app.url(&format!("/api/v1/conversations/{id}/messages"));
    for n in 1..8 {
        let token = if n % 2 == 0 { &s.care_home } else { &s.driver };
        api(token).post(&url).json(&json!({"body": format!("Message {n}")})).send().await.unwrap();
    }
    let read: Value = api(&s.driver).get(&url).send().await.unwrap().json().await.unwrap();
    let reported = read["items"][4]["id"].as_i64().unwrap();
    assert_eq!(read["items"][4]["body"], "Message 4");
    let before = s.app.outbox_len().await;
    let filed = api(&s.driver)
        .post(s.app.url("/api/v1/reports"))
        .json(&json!({"target": "message", "target_id": reported, "reason": "Propos blessants"}))
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), StatusCode::CREATED);
    let report_id = filed.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // One email, to the moderator only, saying what and why, never who reported.
    assert_eq!(s.app.outbox_len().await, before + 1);
    let (subject, body) = s.app.last_mail_to(MODERATOR).await.unwrap();
    assert_eq!(subject, "Nouveau signalement à examiner");
    assert!(body.contains("Propos blessants") && body.contains("(message)"), "{body}");
    assert!(body.contains("/t/marguerittes/entraide/moderation"), "{body}");
    assert!(!body.contains("chauffeur") && !body.contains(DRIVER), "{body}");

    // The moderator sees the count by the link to the queue; members see no link.
    s.app.login(DRIVER, PASSWORD).await;
    let (_, html) = s.app.page("/t/marguerittes/entraide").await;
    assert!(texts(&html, "#moderation-link").is_empty());
    let moderator = client();
    submit_with(&moderator, &s.app.base, "/login", "/login", &[("email", MODERATOR), ("password", PASSWORD)])
        .await;
    let (_, html) = page_with(&moderator, &s.app.url("/t/marguerittes/entraide")).await;
    assert_eq!(text(&html, "#moderation-link .badge"), "1");
    assert_eq!(text(&html, "#moderation-link .visually-hidden"), "(1 signalement à examiner)");

    // The report comes with three messages before and three after the reported one.
    let queue = "/t/marguerittes/entraide/moderation";
    let (_, html) = page_with(&moderator, &s.app.url(queue)).await;
    let context = texts(&html, ".report-context li");
    assert_eq!(context.len(), 7, "{context:?}");
    assert!(context[0].ends_with("Message 1") && context[6].ends_with("Message 7"), "{context:?}");
    assert!(text(&html, ".report-context .reported").contains("Message signalé"));
    assert!(text(&html, ".report-context .reported").ends_with("Message 4"));

    // Dismissed: the reporter is told, and the count is gone.
    let done = submit_with(
        &moderator,
        &s.app.base,
        queue,
        &format!("{queue}/signalements/{report_id}"),
        &[("reason", "")],
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (subject, body) = s.app.last_mail_to(DRIVER).await.unwrap();
    assert_eq!(subject, "Votre signalement a été examiné");
    assert!(body.contains("n’y ont pas donné suite") && body.contains("Propos blessants"), "{body}");
    let (_, html) = page_with(&moderator, &s.app.url("/t/marguerittes/entraide")).await;
    assert!(texts(&html, "#moderation-link .badge").is_empty());
    assert!(!text(&html, "#moderation-link").is_empty());

    // Upheld: an ad reported by another member is hidden, and that member is told so.
    let filed: Value = api(&s.care_home)
        .post(s.app.url("/api/v1/reports"))
        .json(&json!({"target": "ad", "target_id": ad, "reason": "Annonce commerciale"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let decision = s.app.url(&format!("/api/v1/reports/{}/decision", filed["id"]));
    let decided =
        api(&s.moderator).post(&decision).json(&json!({"hide": true, "reason": "Hors sujet"})).send().await;
    assert_eq!(decided.unwrap().status(), StatusCode::NO_CONTENT);
    let (subject, body) = s.app.last_mail_to(CARE_HOME).await.unwrap();
    assert_eq!(subject, "Votre signalement a été examiné");
    assert!(body.contains("ont pris des mesures") && body.contains("(annonce"), "{body}");
    assert!(!body.contains("Hors sujet"), "the moderators' reason is for the member concerned");
}

#[tokio::test]
async fn an_ad_for_a_dated_need_leaves_the_lists_the_day_after_its_date_but_its_author_still_sees_it() {
    let s = setup().await;
    let today = halle::aid::today_in(&s.territory, halle::db::now());
    let date: jiff::civil::Date = today.parse().unwrap();
    let yesterday = date.yesterday().unwrap().to_string();
    let dated = |title: &str, ends_on: Option<&str>| {
        let mut body = transport_offer();
        body["title"] = json!(title);
        body["ends_on"] = json!(ends_on);
        body
    };
    let ended = post_ad(&s, &s.driver, dated("Courses de mardi dernier", Some(&yesterday))).await["id"]
        .as_i64()
        .unwrap();
    let last_day =
        post_ad(&s, &s.driver, dated("Courses de ce jour", Some(&today))).await["id"].as_i64().unwrap();
    let ongoing =
        post_ad(&s, &s.driver, dated("Transport chaque semaine", None)).await["id"].as_i64().unwrap();

    // Listed through its last day, in the API and on the page; not the day after.
    let mut found = crate::aid::search(&s, "territory=marguerittes").await;
    found.sort_unstable();
    assert_eq!(found, [last_day, ongoing]);
    assert!(crate::aid::search(&s, "q=courses").await == [last_day]);
    let (_, html) = s.app.page("/t/marguerittes/entraide").await;
    let cards = texts(&html, ".ad-card h3");
    assert_eq!(cards.len(), 2, "{cards:?}");
    assert!(!cards.iter().any(|c| c.contains("mardi dernier")));

    // Nobody can answer it any more; its page says why.
    problem(contact(&s, &s.care_home, ended, "Encore besoin ?").await, StatusCode::CONFLICT).await;
    s.app.login(CARE_HOME, PASSWORD).await;
    let (status, html) = s.app.page(&format!("/t/marguerittes/entraide/{ended}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html, "#contact-title + p").contains("sa date est passée"));
    assert!(texts(&html, "#body").is_empty(), "no contact form");

    // Its author still has it, marked as ended.
    let author = client();
    submit_with(&author, &s.app.base, "/login", "/login", &[("email", DRIVER), ("password", PASSWORD)]).await;
    let (_, html) = page_with(&author, &s.app.url("/mes-annonces")).await;
    let mine = texts(&html, ".ad-card");
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().any(|c| c.contains("mardi dernier") && c.contains("Terminée")), "{mine:?}");
    assert_eq!(texts(&html, ".ad-card .ended").len(), 1);
}
