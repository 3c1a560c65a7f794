//! Coordinates from an address, asked of a geocoder that speaks the French national address
//! API's format (`GET <url>/search/?q=...&limit=1` → GeoJSON features).

use std::time::Duration;

/// Looks up an address; `None` when the geocoder has no answer, fails or is too slow (the
/// person can still place the pin or type coordinates).
pub async fn geocode(base_url: &str, address: &str) -> Option<(f64, f64)> {
    let url = format!("{}/search/", base_url.trim_end_matches('/'));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(4)).build().ok()?;
    let response = client.get(url).query(&[("q", address), ("limit", "1")]).send().await.ok()?;
    if !response.status().is_success() {
        tracing::warn!(status = %response.status(), "geocoder refused the request");
        return None;
    }
    let body: serde_json::Value = response.json().await.ok()?;
    let coordinates = body.get("features")?.get(0)?.get("geometry")?.get("coordinates")?;
    let (lon, lat) = (coordinates.get(0)?.as_f64()?, coordinates.get(1)?.as_f64()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}
