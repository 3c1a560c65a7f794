//! Instance administration: the email outbox, accounts and their roles, territories and their
//! communes. Every function checks that the actor is an instance administrator.

pub mod http;

use crate::accounts::MembershipRow;
use crate::accounts::{self, User};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::mail::{self as outbox, OutboxMessage};

/// Rows per page of the admin lists.
pub const PAGE_SIZE: i64 = 50;

fn require_admin(actor: &User) -> AppResult<()> {
    if actor.is_admin { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A page of the outbox, newest first.
pub async fn outbox_page(
    db: &Db,
    actor: &User,
    status: Option<&str>,
    before_id: Option<i64>,
) -> AppResult<Vec<OutboxMessage>> {
    require_admin(actor)?;
    let status = status.filter(|s| matches!(*s, "pending" | "sent" | "failed"));
    outbox::list_outbox(db, status, before_id, PAGE_SIZE).await
}

/// How many messages wait and how many were given up.
pub async fn outbox_counts(db: &Db, actor: &User) -> AppResult<(i64, i64)> {
    require_admin(actor)?;
    let counts = outbox::count_by_status(db).await?;
    let of = |status: &str| counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
    Ok((of("pending"), of("failed")))
}

/// One message of the outbox.
pub async fn outbox_message(db: &Db, actor: &User, id: i64) -> AppResult<OutboxMessage> {
    require_admin(actor)?;
    let mut message = outbox::outbox_message(db, id).await?.ok_or(AppError::NotFound)?;
    message.body_text = mask_link_tokens(&message.body_text);
    Ok(message)
}

/// The text with the secret of every link masked (`token=…`): a reset or confirmation link in
/// the outbox would let whoever reads it take the account. The admin sees that a link was sent,
/// not the link.
pub fn mask_link_tokens(text: &str) -> String {
    const MARK: &str = "token=";
    let mut masked = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        masked.push_str(before);
        let end = after.find(|c: char| c.is_whitespace() || c == '&').unwrap_or(after.len());
        if end > 0 {
            masked.push('…');
        }
        rest = &after[end..];
    }
    masked.push_str(rest);
    masked
}

/// Puts a failed message back in the queue.
pub async fn retry_message(db: &Db, actor: &User, id: i64) -> AppResult<()> {
    require_admin(actor)?;
    if outbox::retry(db, id).await? { Ok(()) } else { Err(AppError::Conflict("admin.outbox.not_failed")) }
}

/// A page of accounts matching `query`, each with its roles (two queries in all).
pub async fn users_page(
    db: &Db,
    actor: &User,
    query: &str,
    before_id: Option<i64>,
) -> AppResult<Vec<(User, Vec<MembershipRow>)>> {
    require_admin(actor)?;
    let users = accounts::list_users(db, query, before_id, PAGE_SIZE).await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut roles = accounts::memberships_of_many(db, &ids).await?;
    Ok(users
        .into_iter()
        .map(|user| {
            let mine = roles.extract_if(.., |(owner, _)| *owner == user.id).map(|(_, row)| row).collect();
            (user, mine)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::mask_link_tokens;

    #[test]
    fn link_secrets_are_masked_and_the_rest_kept() {
        let body = "Ouvrez :\n\nhttps://halle.example/password/reset?token=abc123DEF&x=1\n\nMerci token=";
        assert_eq!(
            mask_link_tokens(body),
            "Ouvrez :\n\nhttps://halle.example/password/reset?token=…&x=1\n\nMerci token="
        );
        assert_eq!(mask_link_tokens("rien à cacher"), "rien à cacher");
    }
}
