//! Background work, run in every server instance from the database: sending the outbox and
//! cleaning expired rows. A lease row makes sure only one instance cleans at a time.

mod store;

use std::time::Duration;

use tokio::sync::watch;

use crate::accounts;
use crate::app::AppState;
use crate::db::now;
use crate::mail::sender::Mailer;
use crate::web::{rate_limit, session};

pub use store::try_lease;

/// How often the cleaner runs.
const CLEAN_EVERY_SECS: i64 = 600;
/// Sent emails are kept this long, for support.
const KEEP_SENT_SECS: i64 = 30 * 24 * 3600;

/// Runs the jobs until `stop` turns true.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let mailer = match state.config.smtp_url.as_deref() {
        Some(url) => match Mailer::new(url, &state.config.smtp_from) {
            Ok(mailer) => Some(mailer),
            Err(err) => {
                tracing::error!(error = %err, "SMTP settings are invalid; emails stay in the outbox");
                None
            }
        },
        None => {
            tracing::info!("no SMTP server configured; emails stay in the outbox");
            None
        }
    };
    let holder = accounts::new_token();
    let interval = Duration::from_secs(state.config.job_interval_secs.max(1));
    loop {
        if let Some(mailer) = &mailer
            && let Err(err) = mailer.send_due(&state.db).await
        {
            tracing::warn!(error = %err, "outbox run failed");
        }
        if let Err(err) = clean(&state, &holder).await {
            tracing::warn!(error = %err, "cleaner failed");
        }
        if let Err(err) = crate::aid::jobs::run(&state, &holder).await {
            tracing::warn!(error = %err, "mutual aid jobs failed");
        }
        if let Err(err) =
            crate::orders::send_due_summaries(&state.db, &state.base_url, jiff::Timestamp::now()).await
        {
            tracing::warn!(error = %err, "shops' daily summaries failed");
        }
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

async fn clean(state: &AppState, holder: &str) -> anyhow::Result<()> {
    if !store::try_lease(&state.db, "cleaner", holder, CLEAN_EVERY_SECS).await? {
        return Ok(());
    }
    let now = now();
    session::purge_expired(&state.db, now).await?;
    rate_limit::purge(&state.db, now - 24 * 3600).await?;
    accounts::purge_email_tokens(&state.db, now - 24 * 3600).await?;
    crate::mail::purge_sent(&state.db, now - KEEP_SENT_SECS).await?;
    // Import files not confirmed within a day are forgotten.
    crate::directory::purge_imports(&state.db, now - 24 * 3600).await?;
    crate::catalog::purge_imports(&state.db, now - 24 * 3600).await?;
    crate::orders::purge_visitor_carts(&state.db, now - 30 * 24 * 3600).await?;
    Ok(())
}
