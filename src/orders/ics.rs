//! The iCalendar (.ics) file of a pickup or delivery, attached to the confirmation email and
//! downloadable from the order's page, so the slot lands in the customer's phone calendar.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

/// What the calendar event says.
pub struct PickupEvent<'a> {
    /// Stable identifier of the event (the order's).
    pub uid: String,
    /// Title, e.g. "Retrait de la commande n° 12 — Boulangerie Lafont".
    pub summary: &'a str,
    /// Where: the pickup point's name and address, or the delivery address.
    pub location: &'a str,
    /// Details: what was ordered and the total.
    pub description: &'a str,
    /// Start (Unix seconds).
    pub starts_at: i64,
    /// End (Unix seconds).
    pub ends_at: i64,
    /// When the file is made (Unix seconds).
    pub stamp: i64,
    /// The order was cancelled: the file cancels the event it first added (same UID, a later
    /// sequence, `STATUS:CANCELLED` in a `METHOD:CANCEL` calendar).
    pub cancelled: bool,
}

fn utc(seconds: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The .ics text (UTC times: every calendar shows them in the phone's own time zone).
pub fn calendar(event: &PickupEvent<'_>) -> String {
    let mut entry = Event::new();
    entry
        .uid(&event.uid)
        .summary(event.summary)
        .location(event.location)
        .description(event.description)
        .starts(utc(event.starts_at))
        .ends(utc(event.ends_at))
        .timestamp(utc(event.stamp));
    let mut calendar = Calendar::new();
    calendar.name(event.summary);
    if event.cancelled {
        entry.status(EventStatus::Cancelled).sequence(1);
        calendar.append_property(("METHOD", "CANCEL"));
    } else {
        calendar.append_property(("METHOD", "PUBLISH"));
    }
    calendar.push(entry.done()).done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_carries_the_slot_in_utc_and_escapes_text() {
        let text = calendar(&PickupEvent {
            uid: "order-12@halle.example".to_owned(),
            summary: "Retrait, commande n° 12",
            location: "Boulangerie Lafont; 3 rue de la Poste",
            description: "2 × Baguette",
            starts_at: 1_773_734_400, // 2026-03-17 08:00 UTC
            ends_at: 1_773_736_200,
            stamp: 1_773_600_000,
            cancelled: false,
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("DTSTART:20260317T080000Z"), "{text}");
        assert!(text.contains("DTEND:20260317T083000Z"), "{text}");
        assert!(text.contains("UID:order-12@halle.example"), "{text}");
        assert!(text.contains("SUMMARY:Retrait\\, commande n° 12"), "{text}");
        assert!(text.contains("LOCATION:Boulangerie Lafont\\; 3 rue de la Poste"), "{text}");
        assert!(text.contains("METHOD:PUBLISH"), "{text}");
        assert!(!text.contains("CANCELLED"), "{text}");
        assert!(text.trim_end().ends_with("END:VCALENDAR"));
    }

    #[test]
    fn a_cancelled_order_cancels_the_same_event() {
        let text = calendar(&PickupEvent {
            uid: "order-12@halle.example".to_owned(),
            summary: "Annulée : retrait de la commande n° 12",
            location: "Boulangerie Lafont",
            description: "2 × Baguette",
            starts_at: 1_773_734_400,
            ends_at: 1_773_736_200,
            stamp: 1_773_700_000,
            cancelled: true,
        });
        assert!(text.contains("METHOD:CANCEL\r\n"), "{text}");
        assert!(text.contains("STATUS:CANCELLED"), "{text}");
        assert!(text.contains("SEQUENCE:1"), "{text}");
        assert!(text.contains("UID:order-12@halle.example"), "{text}");
        assert!(text.contains("DTSTAMP:20260316T222640Z"), "{text}");
    }
}
