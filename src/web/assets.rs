//! Static files (our CSS and JS, vendored htmx) embedded in the binary and served under a
//! content hash, so that browsers may cache them for a year.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "static/"]
struct Files;

fn hashes() -> &'static HashMap<String, String> {
    static HASHES: OnceLock<HashMap<String, String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        Files::iter()
            .filter_map(|path| {
                let file = Files::get(&path)?;
                let digest = hex::encode(Sha256::digest(&file.data));
                Some((path.into_owned(), digest[..12].to_owned()))
            })
            .collect()
    })
}

/// The address of an embedded file, e.g. `/static/3f2a9c0d1b2e/halle.css`.
pub fn url(path: &str) -> String {
    let hash = hashes().get(path).map_or("0", String::as_str);
    format!("/static/{hash}/{path}")
}

/// Serves an embedded file. The current hash is cached as immutable; an old hash (a page from
/// a previous version) still gets the file, revalidated every time.
pub async fn serve(Path((hash, path)): Path<(String, String)>) -> Response {
    let Some(file) = Files::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    let cache =
        if hashes().get(&path) == Some(&hash) { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime.essence_str()) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}
