//! Mutual aid's alerts: the unread badge on "Messages", the moderators alerted of a report and
//! the reporter told the outcome, and ads for a dated need leaving the lists after their date.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::aid::{CARE_HOME, DRIVER, api, contact, post_ad, setup, transport_offer};
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
    assert_eq!(text(&html, "#messages-link"), "Messages1, 1 conversation non lue");
    assert_eq!(text(&html, "#messages-link .visually-hidden"), ", 1 conversation non lue");

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
