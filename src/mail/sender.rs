//! Sends the outbox over SMTP. Without SMTP settings nothing is sent and the messages wait,
//! visible to admins.

use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::store::{self, OutboxMessage};
use crate::db::Db;

/// An SMTP connection pool and the sender address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Builds a mailer from an `smtp://` or `smtps://` URL and a `From` mailbox.
    pub fn new(smtp_url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)?.build();
        Ok(Self { transport, from: from.parse()? })
    }

    fn build(&self, message: &OutboxMessage) -> anyhow::Result<Message> {
        let builder = Message::builder()
            .from(self.from.clone())
            .to(message.to_address.parse()?)
            .subject(&message.subject);
        let attachments = message.attachment_list();
        if attachments.is_empty() {
            return Ok(builder.header(ContentType::TEXT_PLAIN).body(message.body_text.clone())?);
        }
        let mut multipart = MultiPart::mixed().singlepart(SinglePart::plain(message.body_text.clone()));
        for file in attachments {
            let content_type = ContentType::parse(&file.content_type)?;
            multipart = multipart.singlepart(
                LettreAttachment::new(file.filename).body(file.content.into_bytes(), content_type),
            );
        }
        Ok(builder.multipart(multipart)?)
    }

    /// Sends the due messages of the outbox once; returns how many were sent.
    pub async fn send_due(&self, db: &Db) -> anyhow::Result<usize> {
        let batch = store::claim_due(db, 20, 120).await?;
        let mut sent = 0;
        for message in batch {
            let outcome = match self.build(&message) {
                Ok(email) => self.transport.send(email).await.map(|_| ()).map_err(anyhow::Error::from),
                Err(err) => Err(err),
            };
            match outcome {
                Ok(()) => {
                    store::mark_sent(db, message.id).await?;
                    sent += 1;
                }
                Err(err) => {
                    // The recipient is personal data: log the message id only.
                    tracing::warn!(outbox_id = message.id, error = %err, "email not sent, will retry");
                    store::mark_failed(db, message.id, message.attempts, &err.to_string()).await?;
                }
            }
        }
        Ok(sent)
    }
}
