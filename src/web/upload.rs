//! Uploaded photos on the web: reading the file field of a form, the routes answering with a
//! stored image, and the message a person sees after an upload. The checks and re-encoding are in
//! `directory::photo`, the one pipeline for every photo.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::accounts::User;
use crate::app::AppState;
use crate::directory::StoredPhoto;
use crate::error::{AppError, AppResult};
use crate::web::auth::MaybeUser;

/// The routes of one kind of stored photo (listing or product photos): the image at `path`, its
/// thumbnail at `{path}/mini`. `read(state, viewer, photo id, thumbnail)` finds the photo the
/// viewer may see; a public one is cached a day, one only its managers see is never kept.
pub fn photo_routes<F, Fut>(path: &str, read: F) -> Router<AppState>
where
    F: Fn(AppState, Option<User>, i64, bool) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = AppResult<StoredPhoto>> + Send + 'static,
{
    let full = read.clone();
    Router::new()
        .route(path, get(move |state, viewer, id| serve_photo(full.clone(), state, viewer, id, false)))
        .route(
            &format!("{path}/mini"),
            get(move |state, viewer, id| serve_photo(read.clone(), state, viewer, id, true)),
        )
}

async fn serve_photo<F, Fut>(
    read: F,
    State(state): State<AppState>,
    MaybeUser(viewer): MaybeUser,
    Path(id): Path<i64>,
    thumbnail: bool,
) -> AppResult<Response>
where
    F: Fn(AppState, Option<User>, i64, bool) -> Fut,
    Fut: Future<Output = AppResult<StoredPhoto>>,
{
    let photo = read(state, viewer, id, thumbnail).await?;
    let cache = if photo.public { "public, max-age=86400" } else { "private, no-store" };
    Ok(([(CONTENT_TYPE, photo.content_type), (CACHE_CONTROL, cache.to_owned())], photo.bytes).into_response())
}

/// The `file` field of a multipart form (spreadsheet imports): its name, at most 120 characters
/// (`default_name` when the browser sends none), and its bytes; `None` without one.
/// `unreadable` is the form's problem when the form itself cannot be read.
pub async fn read_file_field(
    multipart: &mut axum::extract::Multipart,
    default_name: &str,
    unreadable: &'static str,
) -> AppResult<Option<(String, Vec<u8>)>> {
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::invalid("file", unreadable))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or(default_name).chars().take(120).collect::<String>();
            let bytes = field.bytes().await.map_err(|_| AppError::invalid("file", "error.too_large"))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    Ok(file)
}

/// The `photo` file of a multipart form (listing and product photo forms).
pub async fn read_photo_field(multipart: &mut axum::extract::Multipart) -> AppResult<Vec<u8>> {
    let mut upload = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|_| AppError::invalid("photo", "directory.photo.unreadable"))?
    {
        if field.name() == Some("photo") {
            let bytes =
                field.bytes().await.map_err(|_| AppError::invalid("photo", "directory.photo.too_large"))?;
            upload = Some(bytes.to_vec());
        }
    }
    upload.filter(|u| !u.is_empty()).ok_or(AppError::invalid("photo", "directory.photo.missing"))
}

/// The flash message after adding a photo: done, or why the photo was refused.
pub fn photo_added_flash(outcome: AppResult<i64>) -> AppResult<&'static str> {
    match outcome {
        Ok(_) => Ok("directory.flash.photo_added"),
        Err(AppError::Invalid(fields)) => {
            Ok(fields.first().map_or("directory.photo.unreadable", |f| f.message))
        }
        Err(other) => Err(other),
    }
}
