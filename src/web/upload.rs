//! Uploaded photos on the web: reading the file field of a form, answering with a stored image,
//! and the message a person sees after an upload. The checks and re-encoding are in
//! `directory::photo`, the one pipeline for every photo.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, AppResult};

/// A stored image, cached a day (listing and product photos).
pub fn image_response(content_type: String, bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "public, max-age=86400".to_owned())], bytes)
        .into_response()
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
