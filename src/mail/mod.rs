//! Transactional email: messages are written to the `outbox` table inside the transaction of
//! the action that causes them, then sent over SMTP by a background job with retries.

pub mod sender;
mod store;

use serde::{Deserialize, Serialize};
pub use store::{
    OutboxMessage, claim_due, count_by_status, drop_pending_to, enqueue, get as outbox_message,
    list as list_outbox, purge_sent, retry,
};

/// A file attached to an email (e.g. an iCalendar invitation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name shown to the recipient.
    pub filename: String,
    /// MIME type, e.g. `text/calendar`.
    pub content_type: String,
    /// The content.
    pub content: String,
}

/// An email to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
}

impl Email {
    /// A plain-text email without attachments.
    pub fn new(to: &str, subject: &str, body_text: String) -> Self {
        Self { to: to.to_owned(), subject: subject.to_owned(), body_text, attachments: Vec::new() }
    }
}

/// Delay before the next attempt after `attempts` failures: 30 s doubling, at most 6 hours.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    (30_i64 << exponent).min(6 * 3600)
}

/// Failed attempts after which a message is given up.
pub const MAX_ATTEMPTS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_six_hours() {
        assert_eq!(backoff_secs(0), 30);
        assert_eq!(backoff_secs(1), 60);
        assert_eq!(backoff_secs(3), 240);
        assert_eq!(backoff_secs(11), 6 * 3600);
        assert_eq!(backoff_secs(100), 6 * 3600);
    }
}
