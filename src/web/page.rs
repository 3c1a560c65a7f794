//! What every HTML page needs besides its own content: the language, the signed-in member,
//! the anti-forgery token, the current address and a one-time flash message.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use tower_sessions::Session;

use super::auth::{session_error, session_user};
use super::i18n::{Lang, Tr};
use super::{assets, csrf, fmt, see_other};
use crate::accounts::User;
use crate::app::AppState;
use crate::error::{AppError, AppResult};

const FLASH_KEY: &str = "flash";
/// The product just added to the cart by a plain form, shown as added once on the next page.
const ADDED_KEY: &str = "cart_added";

/// The shared context of a page, given to every template as `page`.
#[derive(Clone)]
pub struct Page {
    /// The translator.
    pub t: Tr,
    /// The signed-in member.
    pub user: Option<User>,
    /// The anti-forgery token (empty for anonymous pages without forms).
    pub csrf: String,
    /// The current path and query, to come back to after switching language or signing in.
    pub path: String,
    /// A one-time message (i18n key) left by the previous action.
    pub flash: Option<String>,
    /// The product the previous action added to the cart (with the flash), to mark it added.
    pub added: Option<i64>,
    /// How many items the visitor's cart holds, for the header's cart link.
    pub cart_count: i64,
    /// How many of the member's conversations hold unread messages, for the header's badge.
    pub unread_conversations: i64,
    /// The session, for handlers that need it.
    pub session: Option<Session>,
}

impl Page {
    /// Makes sure the page has an anti-forgery token (for pages with forms; a session is
    /// created for an anonymous visitor only then).
    pub async fn with_csrf(mut self) -> AppResult<Self> {
        if self.csrf.is_empty() {
            let session = self.session.as_ref().ok_or(AppError::Csrf)?;
            self.csrf = csrf::token(session).await?;
        }
        Ok(self)
    }

    /// The session of a form's request. A form's POST reaches its handler only after the
    /// anti-forgery check, which needs a session, so a missing session there is a forged or
    /// expired form: the one policy for every form.
    pub fn form_session(&self) -> AppResult<&Session> {
        self.session.as_ref().ok_or(AppError::Csrf)
    }

    /// Leaves a one-time message (i18n key) for the next page, after a form.
    pub async fn flash(&self, key: &'static str) -> AppResult<()> {
        flash(self.form_session()?, key).await
    }

    /// Leaves a one-time message and sends the browser to `to` (303), after a form.
    pub async fn flash_and_go(&self, key: &'static str, to: &str) -> AppResult<Response> {
        self.flash(key).await?;
        Ok(see_other(to))
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    /// The address of an embedded asset, with its content hash (cached for a year).
    pub fn asset(&self, path: &str) -> String {
        assets::url(path)
    }

    /// A price in cents, written in the page's language.
    pub fn price(&self, cents: &i64) -> String {
        fmt::price(*cents, self.t.lang)
    }

    /// A decimal number (coordinates) written in the page's language: `43,8601` in French.
    pub fn decimal(&self, value: &f64) -> String {
        let text = value.to_string();
        match self.t.lang {
            Lang::Fr => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A distance in kilometres: `1,2 km` in French, `1.2 km` in English (metres under 1 km).
    pub fn km(&self, km: &f64) -> String {
        if *km < 1.0 {
            return format!("{} m", ((km * 1000.0 / 10.0).round() * 10.0) as i64);
        }
        let text = format!("{:.1}", km);
        match self.t.lang {
            Lang::Fr => format!("{}\u{a0}km", text.replace('.', ",")),
            Lang::En => format!("{text} km"),
        }
    }

    /// A whole number written in the page's language.
    pub fn number(&self, value: &i64) -> String {
        fmt::integer(*value, self.t.lang)
    }

    /// An instant (Unix seconds) in the instance's reference time zone (Europe/Paris).
    pub fn datetime(&self, seconds: &i64) -> String {
        static PARIS: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
        let zone =
            PARIS.get_or_init(|| jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC));
        fmt::timestamp(*seconds, zone, self.t.lang)
    }

    /// A stored day (`YYYY-MM-DD`) in words: `mardi 15 décembre` (the text as is if it is not a
    /// date).
    pub fn day(&self, text: &str) -> String {
        text.parse::<jiff::civil::Date>().map_or_else(|_| text.to_owned(), |date| fmt::day(date, self.t.lang))
    }

    /// The address of the language switch: the other language, coming back here.
    pub fn switch_href(&self) -> String {
        let query =
            serde_urlencoded::to_string([("to", self.t.lang.other().code()), ("next", self.path.as_str())])
                .unwrap_or_default();
        format!("/lang?{query}")
    }

    /// The login address that comes back here.
    pub fn login_href(&self) -> String {
        if self.path == "/" || self.path.starts_with("/login") || self.path.starts_with("/register") {
            "/login".to_owned()
        } else {
            format!(
                "/login?{}",
                serde_urlencoded::to_string([("next", self.path.as_str())]).unwrap_or_default()
            )
        }
    }

    /// True when the member is an instance admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_admin)
    }

    /// What screen readers hear after "Messages" when conversations are unread: "(2
    /// conversations non lues)", as the cart link's "(3 articles)" (the badge shows only the
    /// number and is hidden from them).
    pub fn unread_label(&self) -> String {
        let count = self.number(&self.unread_conversations);
        let key = if self.unread_conversations == 1 { "aid.nav.unread_one" } else { "aid.nav.unread_many" };
        self.t.fill(key, &[("count", &count)])
    }

    /// True when the previous action added this product to the cart.
    pub fn was_added(&self, product_id: &i64) -> bool {
        self.added == Some(*product_id)
    }

    /// The slug of the territory the page is about, from a `/t/{slug}/...` path.
    pub fn territory_slug(&self) -> Option<&str> {
        let rest = self.path.strip_prefix("/t/")?;
        let slug = rest.split(['/', '?', '#']).next().filter(|s| !s.is_empty())?;
        crate::territory::is_valid_slug(slug).then_some(slug)
    }

    /// The market of the page's territory, or the one that finds it.
    pub fn market_href(&self) -> String {
        self.territory_slug().map_or_else(|| "/marche".to_owned(), |slug| format!("/t/{slug}/marche"))
    }

    /// The word after the cart's count, for screen readers ("article" or "articles"), so that
    /// the link reads "Panier (3 articles)" where it shows "Panier (3)".
    pub fn cart_items(&self) -> &'static str {
        self.t.get(if self.cart_count == 1 { "orders.nav.item" } else { "orders.nav.items" })
    }
}

/// Marks a product as just added to the cart, for the next page (with a flash).
pub async fn mark_added(session: &Session, product_id: i64) -> AppResult<()> {
    session.insert(ADDED_KEY, product_id).await.map_err(session_error)
}

/// Leaves a one-time message for the next page.
pub async fn flash(session: &Session, key: &'static str) -> AppResult<()> {
    session.insert(FLASH_KEY, key).await.map_err(session_error)
}

/// Builds the page context of a request.
pub async fn build(parts: &mut Parts, state: &AppState) -> AppResult<Page> {
    let lang = Lang::from_headers(&parts.headers);
    let session = parts.extensions.get::<Session>().cloned();
    let user = session_user(parts, state).await?;
    let (mut csrf, mut flash, mut added) = (String::new(), None, None);
    if let Some(session) = &session {
        // Read before removing: removing marks the session modified, which costs a write.
        if session.get::<String>(FLASH_KEY).await.map_err(session_error)?.is_some() {
            flash = session.remove::<String>(FLASH_KEY).await.map_err(session_error)?;
            if session.get::<i64>(ADDED_KEY).await.map_err(session_error)?.is_some() {
                added = session.remove::<i64>(ADDED_KEY).await.map_err(session_error)?;
            }
        }
        if user.is_some() {
            // Signed-in pages carry the sign-out form, so they always need the token.
            csrf = csrf::token(session).await?;
        } else if let Some(existing) = session.get::<String>("csrf").await.map_err(session_error)? {
            csrf = existing;
        }
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let cart_count = cart_count(state, user.as_ref(), session.as_ref()).await?;
    // One query, for members only: visitors have no conversations.
    let unread_conversations = match &user {
        Some(user) => crate::aid::unread_conversations(&state.db, user).await?,
        None => 0,
    };
    Ok(Page { t: Tr::new(lang), user, csrf, path, flash, added, cart_count, unread_conversations, session })
}

/// How many items the cart of this member or visitor holds (one query, none for a visitor who
/// never added anything). A member's count includes what they added before signing in, which
/// the cart adopts when they open it.
async fn cart_count(state: &AppState, user: Option<&User>, session: Option<&Session>) -> AppResult<i64> {
    let visitor = match session {
        Some(session) => {
            session.get::<String>(crate::orders::CART_SESSION_KEY).await.map_err(session_error)?
        }
        None => None,
    };
    let owners: Vec<String> =
        [crate::orders::cart_owner(user, None), crate::orders::cart_owner(None, visitor.as_deref())]
            .into_iter()
            .flatten()
            .collect();
    if owners.is_empty() {
        return Ok(0);
    }
    crate::orders::cart_count(&state.db, &owners).await
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        build(parts, state).await
    }
}

/// Accepts a path to come back to only if it stays on this site: it is resolved against a base
/// address the way a browser resolves a `Location` (tabs and line breaks dropped, `\\` read as
/// `/`), and kept, normalised, only when the result has the same origin. So `/x` is followed, and
/// `//host`, `/\thost`, `/\\host` or a full URL go home.
pub fn local_path(next: Option<&str>) -> String {
    let base = url::Url::parse("https://halle.invalid/").expect("a valid base");
    next.filter(|path| path.starts_with('/'))
        .and_then(|path| base.join(path).ok())
        .filter(|resolved| resolved.origin() == base.origin())
        .map_or_else(|| "/".to_owned(), |resolved| resolved[url::Position::BeforePath..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(local_path(Some("/account")), "/account");
        assert_eq!(local_path(Some("//evil.example/x")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("/\t/evil.example")), "/");
        assert_eq!(local_path(Some("/\n/evil.example/x")), "/");
        assert_eq!(local_path(Some("\t//evil.example")), "/");
        assert_eq!(local_path(Some("/%2F/evil.example")), "/%2F/evil.example");
        assert_eq!(
            local_path(Some("/t/marguerittes/annuaire?q=pain#top")),
            "/t/marguerittes/annuaire?q=pain#top"
        );
        assert_eq!(local_path(None), "/");
    }
}
