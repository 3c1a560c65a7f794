//! Two-factor authentication with time-based one-time codes (TOTP, RFC 6238), required for
//! treasurers and exchange operators: set-up (secret shown as a QR code), verification on the
//! web (kept [`FRESH_SECS`] by the session) or with each API call, protection against replaying
//! a code, and the [`FreshFactor`] proof that money operations ask for. Its table is `user_totp`.

use axum::response::Response;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};
use tower_sessions::Session;

use super::User;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::web::auth::session_error;
use crate::web::rate_limit;
use crate::web::see_other;

/// The session key holding who gave a valid code in this session and when: (user id, Unix
/// seconds). (Another name than the former `totp_ok`, which held the id alone.)
const VERIFIED_KEY: &str = "totp_verified";
/// Seconds per code.
const STEP: u64 = 30;
/// Recovery codes made when a set-up is confirmed.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (no 0, O, 1 or I to misread), 16 of them: 80 bits.
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_LEN: usize = 16;
/// How long a code given on the web proves the second factor: after that, the step-up page asks
/// again before any page or operation that needs it.
pub const FRESH_SECS: i64 = 15 * 60;

/// Proof that a member gave a valid second-factor code lately: built only by checking a code
/// ([`fresh_from_code`]) or from a session that checked one less than [`FRESH_SECS`] ago
/// ([`fresh_from_session`]). Money operations take it and check it belongs to the actor.
#[derive(Clone, Debug)]
pub struct FreshFactor {
    user_id: i64,
    verified_at: i64,
}

impl FreshFactor {
    /// The member who gave the code.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// True when the code was given by `user` less than [`FRESH_SECS`] ago.
    pub fn proves(&self, user: &User) -> bool {
        self.user_id == user.id && now() - self.verified_at < FRESH_SECS
    }
}

fn totp_for(secret: &[u8], label: &str) -> AppResult<TOTP> {
    let label = label.replace(':', " ");
    TOTP::new(Algorithm::SHA1, 6, 1, STEP, secret.to_vec(), Some("Halle".to_owned()), label)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("totp: {e:?}")))
}

/// The stored secret of `user_id` and whether it is confirmed.
async fn stored(db: &Db, user_id: i64) -> AppResult<Option<(Vec<u8>, bool)>> {
    let row = super::store::totp_secret(db, user_id).await?;
    Ok(row.and_then(|(secret, confirmed)| hex::decode(secret).ok().map(|s| (s, confirmed.is_some()))))
}

/// True when the member has a confirmed second factor.
pub async fn is_enabled(db: &Db, user_id: i64) -> AppResult<bool> {
    Ok(stored(db, user_id).await?.is_some_and(|(_, confirmed)| confirmed))
}

/// Starts (or restarts, while unconfirmed) the set-up: returns the `otpauth://` address and the
/// secret in base 32 for typing by hand. A confirmed factor is kept.
pub async fn begin_setup(db: &Db, user: &User) -> AppResult<(String, String)> {
    if let Some((secret, _)) = stored(db, user.id).await? {
        let totp = totp_for(&secret, &user.email)?;
        return Ok((totp.get_url(), totp.get_secret_base32()));
    }
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    super::store::insert_totp_secret(db, user.id, &hex::encode(&secret)).await?;
    let (secret, _) = stored(db, user.id).await?.ok_or(AppError::NotFound)?;
    let totp = totp_for(&secret, &user.email)?;
    Ok((totp.get_url(), totp.get_secret_base32()))
}

/// Checks a code for `user`: valid in the current 30-second step or the one just before or
/// after, and newer than the last code accepted (a code works once); or one of the member's
/// unused recovery codes, which is used up by the same statement that accepts it. Confirms a
/// set-up on first success. At most 10 tries per member per 15 minutes.
pub async fn verify(db: &Db, user: &User, code: &str) -> AppResult<()> {
    rate_limit::check(db, &format!("totp:{}", user.id), 10, 900).await?;
    let (secret, _) =
        stored(db, user.id).await?.ok_or(AppError::invalid("code", "accounts.totp.error.code"))?;
    let typed: String =
        code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if typed.len() == RECOVERY_LEN {
        let used = super::store::use_recovery_code(db, user.id, &recovery_hash(&typed)).await?;
        return if used { Ok(()) } else { Err(AppError::invalid("code", "accounts.totp.error.code")) };
    }
    let totp = totp_for(&secret, &user.email)?;
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let current = u64::try_from(now()).unwrap_or_default() / STEP;
    let matched = [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| totp.generate(step * STEP) == code)
        .ok_or(AppError::invalid("code", "accounts.totp.error.code"))?;
    let step = i64::try_from(matched).unwrap_or(i64::MAX);
    let accepted = super::store::accept_totp_step(db, user.id, step).await?;
    if accepted { Ok(()) } else { Err(AppError::invalid("code", "accounts.totp.error.code")) }
}

/// Checks a code like [`verify`] (which confirms a set-up on first success) and returns the
/// proof. Errors as [`verify`]; callers that must not confirm a set-up check [`is_enabled`]
/// first (the API does).
pub async fn fresh_from_code(db: &Db, user: &User, code: &str) -> AppResult<FreshFactor> {
    verify(db, user, code).await?;
    Ok(FreshFactor { user_id: user.id, verified_at: now() })
}

/// Confirms a set-up with a code (as [`verify`]) and, when the factor was not confirmed before,
/// makes its [`RECOVERY_CODES`] recovery codes: returned to be shown once, only their hashes
/// kept. Empty when the factor was already confirmed.
pub async fn confirm_setup(db: &Db, user: &User, code: &str) -> AppResult<Vec<String>> {
    let was_enabled = is_enabled(db, user.id).await?;
    verify(db, user, code).await?;
    if was_enabled {
        return Ok(Vec::new());
    }
    new_recovery_codes(db, user).await
}

/// How many of the member's recovery codes are still unused.
pub async fn recovery_codes_left(db: &Db, user: &User) -> AppResult<i64> {
    super::store::unused_recovery_codes(db, user.id).await
}

/// Replaces the member's recovery codes by [`RECOVERY_CODES`] new ones, given a valid code of
/// the factor (as [`verify`]): the old codes stop working, the new ones are returned to be shown
/// once. `403` when the factor is not set up.
pub async fn regenerate_recovery_codes(db: &Db, user: &User, code: &str) -> AppResult<Vec<String>> {
    if !is_enabled(db, user.id).await? {
        return Err(AppError::Forbidden);
    }
    verify(db, user, code).await?;
    new_recovery_codes(db, user).await
}

/// Makes and stores a new set of recovery codes (only their hashes kept), replacing the old.
async fn new_recovery_codes(db: &Db, user: &User) -> AppResult<Vec<String>> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(&c.replace('-', ""))).collect();
    super::store::replace_recovery_codes(db, user.id, &hashes).await?;
    Ok(codes)
}

/// A new recovery code, in groups of four: `ABCD-EFGH-JKLM-NPQR`.
fn new_recovery_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..RECOVERY_LEN)
        .map(|_| char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]))
        .collect();
    chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The stored form of a recovery code (upper case, without dashes): its SHA-256, in hex. The
/// codes are random enough (80 bits) not to need a slow hash.
fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// Turns the factor off (an instance admin, for a member who lost their phone).
pub async fn reset(db: &Db, actor: &User, user_id: i64) -> AppResult<()> {
    if !actor.is_admin {
        return Err(AppError::Forbidden);
    }
    super::store::delete_totp(db, user_id).await?;
    Ok(())
}

/// Records in the session that `user` just gave a valid code.
pub async fn mark_session_verified(session: &Session, user: &User) -> AppResult<()> {
    session.insert(VERIFIED_KEY, (user.id, now())).await.map_err(session_error)
}

/// The proof held by this session: `user` gave a valid code in it less than [`FRESH_SECS`] ago.
pub async fn fresh_from_session(session: &Session, user: &User) -> AppResult<Option<FreshFactor>> {
    let stored = session.get::<(i64, i64)>(VERIFIED_KEY).await.map_err(session_error)?;
    Ok(stored
        .map(|(user_id, verified_at)| FreshFactor { user_id, verified_at })
        .filter(|factor| factor.proves(user)))
}

/// True when this session's member gave a valid code less than [`FRESH_SECS`] ago.
pub async fn session_verified(session: &Session, user: &User) -> AppResult<bool> {
    Ok(fresh_from_session(session, user).await?.is_some())
}

/// The proof of a recent second factor for a page or a form that needs one, or where to send
/// the member first: the set-up page (no confirmed factor) or the code page, coming back to
/// `next` (a page to show, never the address of a form's POST).
pub async fn step_up(
    db: &Db,
    session: Option<&Session>,
    user: &User,
    next: &str,
) -> AppResult<Result<FreshFactor, Response>> {
    let enabled = is_enabled(db, user.id).await?;
    if enabled
        && let Some(session) = session
        && let Some(factor) = fresh_from_session(session, user).await?
    {
        return Ok(Ok(factor));
    }
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    let target = if enabled { "/account/2fa/verify" } else { "/account/2fa" };
    Ok(Err(see_other(&format!("{target}?{query}"))))
}

/// The current code of a base-32 secret (for tests and the browser journey's helper).
pub fn code_for_secret(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned()).to_bytes().ok()?;
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, STEP, secret, None, String::new()).ok()?;
    Some(totp.generate(unix_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238's SHA-1 test vector: secret "12345678901234567890", T = 59 → 94287082 (8 digits);
        // its last 6 digits are what a 6-digit authenticator shows.
        let secret = totp_rs::Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        assert_eq!(code_for_secret(&secret, 59).as_deref(), Some("287082"));
    }

    fn user(id: i64) -> User {
        User {
            id,
            email: format!("{id}@test.example"),
            display_name: String::new(),
            is_admin: true,
            locale: "fr".to_owned(),
            email_confirmed_at: None,
            session_version: 0,
            created_at: 0,
        }
    }

    #[test]
    fn recovery_codes_are_four_groups_of_four_readable_characters() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 19);
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(code.replace('-', "").bytes().all(|b| RECOVERY_ALPHABET.contains(&b)), "{code}");
        assert_ne!(new_recovery_code(), code);
    }

    #[test]
    fn a_proof_is_worth_fifteen_minutes_and_only_for_its_member() {
        let fresh = FreshFactor { user_id: 1, verified_at: now() - FRESH_SECS + 5 };
        assert!(fresh.proves(&user(1)));
        assert!(!fresh.proves(&user(2)), "an admin is no exception");
        let stale = FreshFactor { user_id: 1, verified_at: now() - FRESH_SECS };
        assert!(!stale.proves(&user(1)));
    }
}
