//! One error type for the whole application, and how it becomes a response: an HTML page, an
//! RFC 9457 problem+json document under `/api`, or a fragment for htmx (see `web::errors`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A field that failed validation, with the i18n key of the message shown to the person.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form field or JSON property.
    pub field: &'static str,
    /// The i18n key of the message.
    pub message: &'static str,
}

/// Every failure a request can end with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The resource does not exist, or the actor may not know it exists.
    #[error("not found")]
    NotFound,
    /// No valid credentials were given.
    #[error("unauthorized")]
    Unauthorized,
    /// Credentials were given but the action is not allowed to this actor.
    #[error("forbidden")]
    Forbidden,
    /// The input is invalid; each field says why.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The request is well formed but cannot be parsed or applied (message is an i18n key).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The action conflicts with the current state (message is an i18n key).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The action is refused for a reason the person can act on (message is an i18n key).
    #[error("denied: {0}")]
    Denied(&'static str),
    /// The form's anti-forgery token is missing or wrong.
    #[error("csrf token rejected")]
    Csrf,
    /// Too many attempts; retry later.
    #[error("rate limited")]
    RateLimited,
    /// The request body is larger than allowed.
    #[error("payload too large")]
    TooLarge,
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Anything else that should not happen.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A single-field validation error.
    pub fn invalid(field: &'static str, message: &'static str) -> Self {
        Self::Invalid(vec![FieldError { field, message }])
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Csrf | Self::Denied(_) => StatusCode::FORBIDDEN,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The i18n key of the one-line explanation shown to the person.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::NotFound => "error.not_found",
            Self::Unauthorized => "error.unauthorized",
            Self::Forbidden => "error.forbidden",
            Self::Csrf => "error.csrf",
            Self::Invalid(_) => "error.invalid",
            Self::BadRequest(key) | Self::Conflict(key) | Self::Denied(key) => key,
            Self::RateLimited => "error.rate_limited",
            Self::TooLarge => "error.too_large",
            Self::Database(_) | Self::Internal(_) => "error.internal",
        }
    }

    /// The field errors, if any.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::Invalid(fields) => fields,
            _ => &[],
        }
    }
}

/// What the error-rendering layer needs to turn a bare error response into a page or a problem.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    /// The i18n key of the explanation.
    pub message_key: &'static str,
    /// The field errors, for validation failures.
    pub fields: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            // The cause is logged here, once; the person gets a generic message.
            tracing::error!(error = %self, "request failed");
        }
        let info = ErrorInfo { message_key: self.message_key(), fields: self.fields().to_vec() };
        let mut response = status.into_response();
        response.extensions_mut().insert(info);
        response
    }
}

/// The result of a handler or a domain function.
pub type AppResult<T> = Result<T, AppError>;
