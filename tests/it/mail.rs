//! The outbox sender: delivery over SMTP, retries with backoff while the server is down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::*;

/// A minimal SMTP server that accepts every message and keeps its raw DATA.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

async fn wait_for(mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn queued_emails_are_delivered_over_smtp_and_marked_sent() {
    let (port, received) = smtp_sink().await;
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_from = "Halle <halle@exemple.fr>".into();
    })
    .await;
    app.submit(
        "/register",
        "/register",
        &[("email", "marie@exemple.fr"), ("display_name", "Marie"), ("password", PASSWORD)],
    )
    .await;
    let db = app.db.clone();
    let sent =
        wait_for(async || halle::mail::list_outbox(&db, Some("sent"), None, 10).await.unwrap().len() == 1)
            .await;
    assert!(sent, "the message was not marked sent");
    let raw = received.lock().unwrap().join("\n");
    assert!(raw.contains("marie@exemple.fr"));
    assert!(raw.contains("Subject:"));
    app.stop().await;
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_the_email_pending_with_a_later_retry() {
    // A server that hangs up at once: the SMTP greeting never comes. (A port merely left free
    // could be taken meanwhile by another test's server, which would then hang the client.)
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    let app = TestApp::spawn_with(|c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.submit(
        "/register",
        "/register",
        &[("email", "marie@exemple.fr"), ("display_name", "Marie"), ("password", PASSWORD)],
    )
    .await;
    let db = app.db.clone();
    let retried = wait_for(async || {
        let messages = halle::mail::list_outbox(&db, None, None, 10).await.unwrap();
        messages.first().is_some_and(|m| m.attempts == 1)
    })
    .await;
    assert!(retried, "no failed attempt recorded");
    let message = halle::mail::list_outbox(&app.db, None, None, 10).await.unwrap().remove(0);
    assert_eq!(message.status, "pending");
    assert!(message.last_error.is_some());
    assert!(message.next_attempt_at >= halle::db::now() + 20, "the retry waits (backoff)");
    app.stop().await;
}

#[tokio::test]
async fn two_instances_never_claim_the_same_email() {
    let app = TestApp::spawn().await;
    for n in 0..30 {
        let mut tx = app.db.begin().await.unwrap();
        halle::mail::enqueue(&mut tx, &halle::mail::Email::new(&format!("n{n}@exemple.fr"), "s", "b".into()))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let (a, b) =
        tokio::join!(halle::mail::claim_due(&app.db, 20, 60), halle::mail::claim_due(&app.db, 20, 60));
    let mut ids: Vec<i64> = a.unwrap().into_iter().chain(b.unwrap()).map(|m| m.id).collect();
    // Whatever is left is claimed by later runs; nothing is ever claimed twice.
    loop {
        let more = halle::mail::claim_due(&app.db, 20, 60).await.unwrap();
        if more.is_empty() {
            break;
        }
        ids.extend(more.into_iter().map(|m| m.id));
    }
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "a message was claimed twice");
    assert_eq!(count, 30);
}
