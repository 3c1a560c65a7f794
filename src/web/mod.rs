//! Shared HTTP pieces: sessions, who is asking, anti-forgery tokens, translations and formats,
//! error pages, assets, security headers, rate limits.

pub mod assets;
pub mod auth;
pub mod csrf;
pub mod errors;
pub mod fmt;
pub mod form;
pub mod i18n;
pub mod page;
pub mod rate_limit;
pub mod session;
pub mod territory;
pub mod upload;

use askama::Template;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Query, Request};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// Renders a template into an HTML response.
pub fn render<T: Template>(template: &T) -> AppResult<Response> {
    template.render().map(|body| Html(body).into_response()).map_err(|e| AppError::Internal(e.into()))
}

/// Renders a template with a status (e.g. 422 for a form shown again with its errors).
pub fn render_status<T: Template>(status: StatusCode, template: &T) -> AppResult<Response> {
    Ok((status, render(template)?).into_response())
}

/// The address of page `page` of a list at `base` with these filters: the empty ones left out,
/// the page number only after the first.
pub fn list_href(base: &str, filters: &[(&str, &String)], page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = filters
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (*name, (*value).clone()))
        .collect();
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() { base.to_owned() } else { format!("{base}?{query}") }
}

/// A redirect after a successful POST (303, so the browser follows with GET).
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// A JSON request body; a malformed or oversized body becomes a problem+json error.
///
/// A whole number written as a float (`2.0`) is the integer 2: JSON Schema, and so the API's
/// document, counts it as an integer, and some clients' JSON writers spell every number so.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> AppResult<Self> {
        match axum::Json::<serde_json::Value>::from_request(request, state).await {
            Ok(axum::Json(mut value)) => {
                whole_numbers_as_integers(&mut value);
                serde_json::from_value(value).map(Self).map_err(|_| AppError::BadRequest("error.json_fields"))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::BadRequest("error.json_content_type"))
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge),
            Err(JsonRejection::JsonDataError(_)) => Err(AppError::BadRequest("error.json_fields")),
            Err(_) => Err(AppError::BadRequest("error.json_malformed")),
        }
    }
}

/// Rewrites every float of `value` that holds a whole number a float spells exactly (`2.0`,
/// `-3e2`, up to 2^53 in magnitude) as that integer, so that integer fields take it; other
/// numbers stay as they are (a larger float may not be the integer that was written, such as
/// `-9223372036854775809`, which must not become the smallest i64).
pub fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    match value {
        serde_json::Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
                && (-LIMIT..=LIMIT).contains(&float)
            {
                // Whole and within the range: the cast is exact.
                *number = (float as i64).into();
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// The language switch's query.
#[derive(Deserialize)]
pub struct LangSwitch {
    to: String,
    next: Option<String>,
}

/// `GET /lang?to=en&next=/path`: remembers the language for a year and goes back.
pub async fn switch_lang(Query(query): Query<LangSwitch>) -> Response {
    let lang = i18n::Lang::parse(&query.to).unwrap_or(i18n::Lang::Fr);
    let mut response = see_other(&page::local_path(query.next.as_deref()));
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Security headers set on every response: a strict CSP (no inline script or style), no
/// framing, no sniffing, a cautious referrer policy. `tiles_origin` is the map tiles' origin,
/// allowed as an image source.
pub fn security_headers(is_https: bool, tiles_origin: Option<&str>) -> Vec<(&'static str, String)> {
    let images = match tiles_origin {
        Some(origin) => format!("img-src 'self' data: {origin}"),
        None => "img-src 'self' data:".to_owned(),
    };
    let mut headers = vec![
        (
            "content-security-policy",
            format!(
                "default-src 'self'; script-src 'self'; style-src 'self'; {images}; connect-src 'self'; \
                 font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
            ),
        ),
        ("x-content-type-options", "nosniff".to_owned()),
        ("x-frame-options", "DENY".to_owned()),
        ("referrer-policy", "strict-origin-when-cross-origin".to_owned()),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(self), payment=()".to_owned()),
        ("cross-origin-opener-policy", "same-origin".to_owned()),
        // Pages carry a form token, a name, sometimes a secret shown once: no cache keeps them.
        // Static files and public photos set their own caching.
        ("cache-control", "no-store".to_owned()),
    ];
    if is_https {
        headers.push(("strict-transport-security", "max-age=63072000; includeSubDomains".to_owned()));
    }
    headers
}

/// The origin (`https://host`) of a URL template such as the tiles'.
pub fn origin_of(template: &str) -> Option<String> {
    let parsed = url::Url::parse(&template.replace(['{', '}'], "")).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.origin().ascii_serialization())
}
/// The validation errors of a form, looked up by field in templates.
#[derive(Clone, Debug, Default)]
pub struct FormErrors(pub Vec<crate::error::FieldError>);

impl FormErrors {
    /// The message key for `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message)
    }

    /// True when any field failed.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Every failure, for the summary at the top of the form.
    pub fn all(&self) -> &[crate::error::FieldError] {
        &self.0
    }
}

/// The client's address, for rate limits: the peer, or, when the server is configured to trust
/// its proxies and the peer is one of them, the right-most `X-Forwarded-For` entry that is not a
/// trusted proxy (see [`client_address`]).
pub struct ClientIp(pub String);

impl axum::extract::FromRequestParts<crate::app::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::app::AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip())
        else {
            return Ok(Self("unknown".to_owned()));
        };
        if !state.config.trust_proxy {
            return Ok(Self(peer.to_string()));
        }
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok()).collect();
        Ok(Self(client_address(peer, &forwarded.join(","), &state.config.trusted_proxies).to_string()))
    }
}

/// Who sent a request that came through `peer` with this `X-Forwarded-For` chain: each proxy
/// appends the address it received from, so the chain is read from the right and the first
/// address that is not a trusted proxy is the client. Entries further left were written by the
/// client and prove nothing. A peer that is not a trusted proxy is the client itself; an entry
/// that is not an address ends the walk there.
pub fn client_address(peer: std::net::IpAddr, forwarded: &str, trusted: &[ipnet::IpNet]) -> std::net::IpAddr {
    let is_trusted = |address: &std::net::IpAddr| trusted.iter().any(|network| network.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for entry in forwarded.rsplit(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let Ok(address) = entry.parse::<std::net::IpAddr>() else {
            break;
        };
        client = address;
        if !is_trusted(&address) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::client_address;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn whole_floats_become_integers_and_other_numbers_stay() {
        let mut value: serde_json::Value = serde_json::from_str(
            r#"{"a": 2.0, "b": [-3e2, 1.5], "c": {"d": 1e300}, "e": 7, "f": -9223372036854775809}"#,
        )
        .unwrap();
        super::whole_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": 2, "b": [-300, 1.5], "c": {"d": 1e300}, "e": 7, "f": -9.223372036854776e18})
        );
        assert!(value["a"].is_i64());
    }

    #[test]
    fn the_client_is_the_right_most_address_that_is_not_a_trusted_proxy() {
        let trusted: Vec<ipnet::IpNet> = vec!["127.0.0.0/8".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let proxy = ip("127.0.0.1");
        // The client wrote "6.6.6.6" itself; the proxy appended the address it saw.
        assert_eq!(client_address(proxy, "6.6.6.6, 203.0.113.7", &trusted), ip("203.0.113.7"));
        assert_eq!(client_address(proxy, "203.0.113.7", &trusted), ip("203.0.113.7"));
        // Two trusted hops.
        assert_eq!(client_address(proxy, "6.6.6.6,203.0.113.7, 10.1.2.3", &trusted), ip("203.0.113.7"));
        // A request that did not come through a trusted proxy keeps its peer.
        assert_eq!(client_address(ip("198.51.100.9"), "6.6.6.6", &trusted), ip("198.51.100.9"));
        // No header, an empty one, or garbage right of the proxies: the last trusted hop.
        assert_eq!(client_address(proxy, "", &trusted), proxy);
        assert_eq!(client_address(proxy, "n'importe quoi, 10.1.2.3", &trusted), ip("10.1.2.3"));
        assert_eq!(client_address(proxy, "2001:db8::1", &trusted), ip("2001:db8::1"));
    }
}
