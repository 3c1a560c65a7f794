//! Member accounts: registration, email confirmation, login, password reset, email and password
//! changes, roles per territory, personal API tokens, data export and deletion.

pub mod api;
pub mod http;
mod store;
mod tokens;
pub mod totp;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use serde::Serialize;
pub use store::{
    MembershipRow, api_tokens_of, find_user_with_hash, grant_role as grant_role_in_tx, list_users,
    memberships_of, memberships_of_many, purge_email_tokens, user_by_id, users_by_ids, users_with_role,
};

use crate::db::{Db, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::{self, Email};
use crate::web::i18n::{Lang, Tr};
use crate::web::rate_limit;

pub use tokens::{hash_token, new_token};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in characters (hashing is costly; refuse absurd inputs).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// How long an email confirmation link is valid.
pub const CONFIRM_TTL_SECS: i64 = 3 * 24 * 3600;
/// How long a password reset link is valid.
pub const RESET_TTL_SECS: i64 = 3600;
/// How long a personal API token works (a year; its owner makes a new one).
pub const API_TOKEN_TTL_SECS: i64 = 365 * 24 * 3600;

/// A member's account.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct User {
    /// Identifier.
    pub id: i64,
    /// Lowercased email address.
    pub email: String,
    /// The name other members see.
    pub display_name: String,
    /// Instance administrator.
    pub is_admin: bool,
    /// Preferred language for emails (`fr` or `en`).
    pub locale: String,
    /// When the address was confirmed (Unix seconds), if it was.
    pub email_confirmed_at: Option<i64>,
    /// Bumped on every password change, which signs out every session.
    #[serde(skip)]
    pub session_version: i64,
    /// Creation time (Unix seconds).
    pub created_at: i64,
}

impl User {
    /// The language of this member's emails.
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.locale).unwrap_or(Lang::Fr)
    }
}

/// A role in a territory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A resident or any member.
    Member,
    /// Runs a business of the directory.
    Merchant,
    /// Validates listings and moderates content.
    Moderator,
    /// Runs the local currency.
    Treasurer,
    /// Exchanges euros for local currency at a desk.
    ExchangeOperator,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 5] =
        [Self::Member, Self::Merchant, Self::Moderator, Self::Treasurer, Self::ExchangeOperator];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Merchant => "merchant",
            Self::Moderator => "moderator",
            Self::Treasurer => "treasurer",
            Self::ExchangeOperator => "exchange_operator",
        }
    }

    /// Parses a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The i18n key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Member => "role.member",
            Self::Merchant => "role.merchant",
            Self::Moderator => "role.moderator",
            Self::Treasurer => "role.treasurer",
            Self::ExchangeOperator => "role.exchange_operator",
        }
    }
}

/// What a person types to register.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct Registration {
    /// Email address (the login).
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Password, 10 characters or more.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// Name shown to other members.
    #[schema(max_length = 60, pattern = r"\S")]
    pub display_name: String,
}

/// Trims and lowercases an email address.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn check_email(email: &str, errors: &mut Vec<FieldError>) {
    if email.is_empty() {
        errors.push(FieldError { field: "email", message: "accounts.error.email_required" });
    } else if email.len() > 254 || !email_address::EmailAddress::is_valid(email) {
        errors.push(FieldError { field: "email", message: "accounts.error.email_invalid" });
    }
}

fn check_password(field: &'static str, password: &str, errors: &mut Vec<FieldError>) {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        errors.push(FieldError { field, message: "accounts.error.password_short" });
    } else if chars > MAX_PASSWORD_CHARS {
        errors.push(FieldError { field, message: "accounts.error.password_long" });
    }
}

/// Validates and cleans a display name.
pub fn clean_display_name(name: &str) -> Result<String, &'static str> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("accounts.error.name_required")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err("accounts.error.name_long")
    } else {
        Ok(name)
    }
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// True when `password` matches the stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of a password nobody has, checked when the account does not exist so that a login
/// takes as long for an unknown address as for a known one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a password anyone has").unwrap_or_default())
}

/// Runs argon2 off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.into()))
}

/// Counts a login attempt, refused once in 15 minutes the account from this address made `limit`
/// attempts, the address three times that over any accounts (it may be shared), or the account
/// ten times that from everywhere (a guessing spread over many addresses). Someone who knows a
/// person's email can therefore not lock them out from his own address.
pub async fn count_login_attempt(db: &Db, client_ip: &str, email: &str, limit: i64) -> AppResult<()> {
    let email = normalize_email(email);
    rate_limit::check(db, &format!("login-ip:{client_ip}"), limit * 3, 900).await?;
    rate_limit::check(db, &format!("login-email-ip:{email}:{client_ip}"), limit, 900).await?;
    rate_limit::check(db, &format!("login-email:{email}"), limit * 10, 900).await
}

/// Emails of one kind (confirmation, reset) sent to one address per hour at most, whoever asks:
/// more would let anyone flood a mailbox from many addresses.
const MAILS_PER_RECIPIENT_PER_HOUR: i64 = 3;

/// Counts an email of `kind` to `email`; false once the address got enough of them this hour
/// (the request then answers as usual and sends nothing).
async fn recipient_allows(db: &Db, kind: &str, email: &str) -> AppResult<bool> {
    let sent = rate_limit::hit(db, &format!("mail-to:{kind}:{email}"), 3600).await?;
    Ok(sent <= MAILS_PER_RECIPIENT_PER_HOUR)
}

/// Counts an action that sends an email to a typed address (registration, new link), refused
/// past `limit` per client address per hour.
pub async fn count_email_request(db: &Db, client_ip: &str, action: &str, limit: i64) -> AppResult<()> {
    rate_limit::check(db, &format!("{action}:{client_ip}"), limit, 3600).await
}

/// Creates an account (and a membership of `territory_id`, when given), and queues the
/// confirmation email, all in one transaction. `return_to`, a local path (the checkout the
/// person registered from), rides on the confirmation link so that signing in leads back there. When the address already has an account, nothing
/// is created and its owner gets a note instead (`None`): the answer to the person registering
/// is the same either way, so the form does not tell who has an account.
pub async fn register(
    db: &Db,
    base_url: &str,
    input: &Registration,
    lang: Lang,
    territory_id: Option<i64>,
    return_to: Option<&str>,
) -> AppResult<Option<User>> {
    let email = normalize_email(&input.email);
    let mut errors = Vec::new();
    check_email(&email, &mut errors);
    check_password("password", &input.password, &mut errors);
    let name = clean_display_name(&input.display_name)
        .map_err(|message| errors.push(FieldError { field: "display_name", message }))
        .ok();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = input.password.clone();
    let hash = blocking(move || hash_password(&password)).await??;
    let mut tx = db.begin().await?;
    let Some(user) =
        store::insert_user(&mut tx, &email, name.as_deref().unwrap_or_default(), &hash, lang).await?
    else {
        drop(tx);
        tell_owner_of_registration_attempt(db, base_url, &email).await?;
        return Ok(None);
    };
    if let Some(territory_id) = territory_id {
        store::grant_role(&mut tx, user.id, territory_id, Role::Member).await?;
    }
    let link = confirmation_link(base_url, return_to);
    queue_confirmation(&mut tx, &link, &user, None).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, "account registered");
    Ok(Some(user))
}

/// Tells the owner of `email` that someone tried to register with it (at most a few times an
/// hour): if it was them, they log in or reset their password.
async fn tell_owner_of_registration_attempt(db: &Db, base_url: &str, email: &str) -> AppResult<()> {
    let Some((owner, _)) = store::find_user_with_hash(db, email).await? else { return Ok(()) };
    if !recipient_allows(db, "register", email).await? {
        return Ok(());
    }
    let tr = Tr::new(owner.lang());
    let body = tr.fill(
        "mail.register_exists.body",
        &[
            ("name", &owner.display_name),
            ("login", &format!("{base_url}/login")),
            ("reset", &format!("{base_url}/password/forgot")),
        ],
    );
    let mut tx = db.begin().await?;
    mail::enqueue(&mut tx, &Email::new(&owner.email, tr.get("mail.register_exists.subject"), body)).await?;
    tx.commit().await?;
    Ok(())
}

/// The address of the confirmation page, its token still to add: coming back to `return_to`
/// after signing in when it is a path of this site.
fn confirmation_link(base_url: &str, return_to: Option<&str>) -> String {
    let back = return_to
        .filter(|path| path.starts_with('/') && !path.starts_with("//") && *path != "/")
        .map(|path| format!("{}&", serde_urlencoded::to_string([("next", path)]).unwrap_or_default()))
        .unwrap_or_default();
    format!("{base_url}/account/confirm?{back}token=")
}

/// Creates an email token of `purpose` and queues the email that carries its link (`link`,
/// which ends where the token goes).
async fn queue_confirmation(
    tx: &mut crate::db::Tx,
    link: &str,
    user: &User,
    new_email: Option<&str>,
) -> AppResult<()> {
    let token = new_token();
    let purpose = if new_email.is_some() { "change_email" } else { "confirm" };
    store::insert_email_token(tx, user.id, purpose, &hash_token(&token), new_email, now() + CONFIRM_TTL_SECS)
        .await?;
    let tr = Tr::new(user.lang());
    let link = format!("{link}{token}");
    let (to, subject, intro) = match new_email {
        None => (user.email.as_str(), "mail.confirm.subject", "mail.confirm.body"),
        Some(address) => (address, "mail.change_email.subject", "mail.change_email.body"),
    };
    let body = tr.fill(intro, &[("name", &user.display_name), ("link", &link)]);
    mail::enqueue(tx, &Email::new(to, tr.get(subject), body)).await
}

/// Sends a new confirmation link to an unconfirmed account, if the address has one. Answers
/// the same whether or not it exists.
pub async fn resend_confirmation(db: &Db, base_url: &str, email: &str) -> AppResult<()> {
    let email = normalize_email(email);
    let Some((user, _)) = store::find_user_with_hash(db, &email).await? else { return Ok(()) };
    if user.email_confirmed_at.is_some() || !recipient_allows(db, "confirm", &email).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    queue_confirmation(&mut tx, &confirmation_link(base_url, None), &user, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Applies an email link: confirms the address, or switches to the new address it carries.
pub async fn confirm_email(db: &Db, token: &str) -> AppResult<User> {
    let mut tx = db.begin().await?;
    let found = store::take_email_token(&mut tx, &hash_token(token), &["confirm", "change_email"], now())
        .await?
        .ok_or(AppError::BadRequest("accounts.error.link_invalid"))?;
    if let Some(new_email) = &found.new_email {
        let changed = store::set_email(&mut tx, found.user_id, new_email, now()).await?;
        if !changed {
            return Err(AppError::Conflict("accounts.error.email_taken"));
        }
    } else {
        store::mark_confirmed(&mut tx, found.user_id, now()).await?;
    }
    let user = store::user_by_id(&mut tx, found.user_id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

/// Checks an email and password. Unknown address and wrong password fail alike; an
/// unconfirmed address fails with its own message so that the person can ask for a new link.
pub async fn authenticate(db: &Db, email: &str, password: &str) -> AppResult<User> {
    let email = normalize_email(email);
    let found = store::find_user_with_hash(db, &email).await?;
    let hash = found.as_ref().map_or_else(|| dummy_hash().to_owned(), |(_, h)| h.clone());
    let password = password.to_owned();
    let matches = blocking(move || verify_password(&password, &hash)).await?;
    match found {
        Some((user, _)) if matches => {
            if user.email_confirmed_at.is_none() {
                Err(AppError::Denied("accounts.error.unconfirmed"))
            } else {
                Ok(user)
            }
        }
        _ => Err(AppError::Unauthorized),
    }
}

/// Queues a password reset link if the address has an account. Answers the same either way.
pub async fn request_password_reset(db: &Db, base_url: &str, email: &str) -> AppResult<()> {
    let email = normalize_email(email);
    let Some((user, _)) = store::find_user_with_hash(db, &email).await? else { return Ok(()) };
    if !recipient_allows(db, "reset", &email).await? {
        return Ok(());
    }
    let token = new_token();
    let mut tx = db.begin().await?;
    store::insert_email_token(&mut tx, user.id, "reset", &hash_token(&token), None, now() + RESET_TTL_SECS)
        .await?;
    let tr = Tr::new(user.lang());
    let link = format!("{base_url}/password/reset?token={token}");
    let body = tr.fill("mail.reset.body", &[("name", &user.display_name), ("link", &link)]);
    mail::enqueue(&mut tx, &Email::new(&user.email, tr.get("mail.reset.subject"), body)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link, signs out every session, and confirms the address
/// (the link proved the person reads it).
pub async fn reset_password(db: &Db, token: &str, new_password: &str) -> AppResult<()> {
    let mut errors = Vec::new();
    check_password("password", new_password, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = new_password.to_owned();
    let hash = blocking(move || hash_password(&password)).await??;
    let mut tx = db.begin().await?;
    let found = store::take_email_token(&mut tx, &hash_token(token), &["reset"], now())
        .await?
        .ok_or(AppError::BadRequest("accounts.error.link_invalid"))?;
    store::set_password(&mut tx, found.user_id, &hash, now()).await?;
    store::mark_confirmed(&mut tx, found.user_id, now()).await?;
    let user = store::user_by_id(&mut tx, found.user_id).await?.ok_or(AppError::NotFound)?;
    evict_after_password_change(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(())
}

/// After a password reset or change, whoever knew the old password or held a key is out: every
/// API token and pending email change or reset link is revoked (sessions already end with the
/// session version), and the account's address is told, so that its owner learns of a change
/// he did not make.
async fn evict_after_password_change(tx: &mut crate::db::Tx, user: &User) -> AppResult<()> {
    let revoked = store::revoke_credentials(tx, user.id).await?;
    let tr = Tr::new(user.lang());
    let body = tr.fill("mail.password_changed.body", &[("name", &user.display_name)]);
    mail::enqueue(tx, &Email::new(&user.email, tr.get("mail.password_changed.subject"), body)).await?;
    tracing::info!(user_id = user.id, revoked_tokens = revoked, "password changed, credentials revoked");
    Ok(())
}

/// Changes the password of `user` after checking the current one; other sessions are signed
/// out. Returns the new session version. Every problem is reported at once.
pub async fn change_password(db: &Db, user: &User, current: &str, new_password: &str) -> AppResult<i64> {
    let mut errors = Vec::new();
    match check_current_password(db, user, current).await {
        Ok(()) => {}
        Err(AppError::Invalid(mut wrong)) => errors.append(&mut wrong),
        Err(other) => return Err(other),
    }
    check_password("new_password", new_password, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = new_password.to_owned();
    let hash = blocking(move || hash_password(&password)).await??;
    let mut tx = db.begin().await?;
    let version = store::set_password(&mut tx, user.id, &hash, now()).await?;
    evict_after_password_change(&mut tx, user).await?;
    tx.commit().await?;
    Ok(version)
}

/// True when a reset link is still usable (checked when the form is shown, not used up).
pub async fn reset_link_is_valid(db: &Db, token: &str) -> AppResult<bool> {
    store::email_token_is_valid(db, &hash_token(token), "reset", now()).await
}

/// Checks the password a signed-in member types again (to change the password or the address,
/// or to delete the account): at most 10 tries in 15 minutes, so that a session left open is no
/// way to guess it.
async fn check_current_password(db: &Db, user: &User, current: &str) -> AppResult<()> {
    rate_limit::check(db, &format!("password-check:{}", user.id), 10, 900).await?;
    let (_, hash) = store::find_user_with_hash(db, &user.email).await?.ok_or(AppError::NotFound)?;
    let current = current.to_owned();
    if blocking(move || verify_password(&current, &hash)).await? {
        Ok(())
    } else {
        Err(AppError::invalid("current_password", "accounts.error.current_password"))
    }
}

/// Sends a confirmation link to a new address; the change applies when it is opened.
pub async fn request_email_change(
    db: &Db,
    base_url: &str,
    user: &User,
    current_password: &str,
    new_email: &str,
) -> AppResult<()> {
    let new_email = normalize_email(new_email);
    let mut errors = Vec::new();
    check_email(&new_email, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    check_current_password(db, user, current_password).await?;
    if store::find_user_with_hash(db, &new_email).await?.is_some() {
        return Err(AppError::Conflict("accounts.error.email_taken"));
    }
    let mut tx = db.begin().await?;
    queue_confirmation(&mut tx, &confirmation_link(base_url, None), user, Some(&new_email)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the account of `user` after checking the password; its memberships and tokens go
/// with it, and emails still waiting to be sent to it are dropped.
pub async fn delete_account(db: &Db, user: &User, password: &str) -> AppResult<()> {
    check_current_password(db, user, password).await?;
    let mut tx = db.begin().await?;
    mail::drop_pending_to(&mut tx, &user.email).await?;
    store::delete_user(&mut tx, user.id).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, "account deleted");
    Ok(())
}

/// Everything Halle holds about a member, for "download my data".
#[derive(Debug, Serialize)]
pub struct DataExport {
    /// The account.
    pub account: User,
    /// Roles per territory.
    pub memberships: Vec<store::MembershipRow>,
    /// Personal API tokens (names and dates; the secrets are not kept).
    pub api_tokens: Vec<store::ApiTokenRow>,
}

/// Gathers the export of `user`.
pub async fn export_data(db: &Db, user: &User) -> AppResult<DataExport> {
    Ok(DataExport {
        account: user.clone(),
        memberships: store::memberships_of(db, user.id).await?,
        api_tokens: store::api_tokens_of(db, user.id).await?,
    })
}

/// Creates a personal API token for `user`; the secret is returned once and only its hash kept.
pub async fn create_api_token(db: &Db, user: &User, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::invalid("name", "accounts.error.token_name"));
    }
    let token = format!("halle_{}", new_token());
    let now = now();
    store::insert_api_token(db, user.id, name, &hash_token(&token), now, now + API_TOKEN_TTL_SECS).await?;
    Ok(token)
}

/// Revokes one of the tokens of `user` (another member's token is not found).
pub async fn revoke_api_token(db: &Db, user: &User, token_id: i64) -> AppResult<()> {
    if store::delete_api_token(db, user.id, token_id).await? { Ok(()) } else { Err(AppError::NotFound) }
}

/// The account a bearer token belongs to; an unknown token is unauthorized.
pub async fn user_for_api_token(db: &Db, token: &str) -> AppResult<User> {
    store::user_by_api_token(db, &hash_token(token), now()).await?.ok_or(AppError::Unauthorized)
}

/// Grants `role` in a territory; only an instance admin may.
pub async fn grant_role(db: &Db, actor: &User, user_id: i64, territory_id: i64, role: Role) -> AppResult<()> {
    if !actor.is_admin {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    store::grant_role(&mut tx, user_id, territory_id, role).await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes `role` in a territory; only an instance admin may.
pub async fn revoke_role(
    db: &Db,
    actor: &User,
    user_id: i64,
    territory_id: i64,
    role: Role,
) -> AppResult<()> {
    if !actor.is_admin {
        return Err(AppError::Forbidden);
    }
    store::revoke_role(db, user_id, territory_id, role).await
}

/// Makes `user` a member of a territory (nothing changes if they already are).
pub async fn join_territory(db: &Db, user: &User, territory_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    store::grant_role(&mut tx, user.id, territory_id, Role::Member).await?;
    tx.commit().await?;
    Ok(())
}

/// The roles `user` holds in a territory.
pub async fn roles_in(db: &Db, user: &User, territory_id: i64) -> AppResult<Vec<Role>> {
    Ok(store::memberships_of(db, user.id)
        .await?
        .into_iter()
        .filter(|m| m.territory_id == territory_id)
        .filter_map(|m| Role::parse(&m.role))
        .collect())
}

/// True when `user` holds `role` in the territory (admins hold every role).
pub async fn has_role(db: &Db, user: &User, territory_id: i64, role: Role) -> AppResult<bool> {
    Ok(user.is_admin || store::has_role(db, user.id, territory_id, role).await?)
}

/// Creates a confirmed account from the command line (`halle user add`).
pub async fn create_confirmed(
    db: &Db,
    email: &str,
    name: Option<&str>,
    password: &str,
    is_admin: bool,
) -> AppResult<User> {
    let email = normalize_email(email);
    let mut errors = Vec::new();
    check_email(&email, &mut errors);
    check_password("password", password, &mut errors);
    let fallback = email.split('@').next().unwrap_or_default().to_owned();
    let name = clean_display_name(name.unwrap_or(&fallback))
        .map_err(|message| errors.push(FieldError { field: "name", message }))
        .ok();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password = password.to_owned();
    let hash = blocking(move || hash_password(&password)).await??;
    let mut tx = db.begin().await?;
    let user = store::insert_user(&mut tx, &email, name.as_deref().unwrap_or_default(), &hash, Lang::Fr)
        .await?
        .ok_or(AppError::Conflict("accounts.error.email_taken"))?;
    store::mark_confirmed(&mut tx, user.id, now()).await?;
    if is_admin {
        store::set_admin(&mut tx, user.id, true).await?;
    }
    let user = store::user_by_id(&mut tx, user.id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_only_the_same_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(clean_display_name("  Marie   Dupont ").unwrap(), "Marie Dupont");
        assert_eq!(clean_display_name("   "), Err("accounts.error.name_required"));
        assert_eq!(clean_display_name(&"é".repeat(61)), Err("accounts.error.name_long"));
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(normalize_email("  Marie@Exemple.FR "), "marie@exemple.fr");
        let mut errors = Vec::new();
        check_email("pas-une-adresse", &mut errors);
        assert_eq!(errors[0].message, "accounts.error.email_invalid");
    }

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("king"), None);
    }
}
