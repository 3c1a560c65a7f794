//! The search page's filters as they arrive in its query string (all text, so that a wrong
//! value is ignored rather than refused), turned into an [`AdSearch`]. Saved searches keep the
//! query string and are read back the same way.

use serde::Deserialize;

use crate::aid::{AdKind, AdSearch, Sort};
use crate::territory::{Commune, Territory};

/// Results per page.
pub const PER_PAGE: i64 = 20;

/// Radii offered by the search form, in kilometres.
pub const RADII: [i64; 6] = [2, 5, 10, 20, 50, 100];

/// The search form's fields.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filters {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// Domain code.
    #[serde(default)]
    pub domaine: String,
    /// `offer` or `request`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// "1" for urgent ads only.
    #[serde(default)]
    pub urgent: String,
    /// Commune id: distances are measured from its centre.
    #[serde(default)]
    pub commune: String,
    /// Radius in kilometres.
    #[serde(default)]
    pub rayon: String,
    /// "tout" for every territory of the instance.
    #[serde(default)]
    pub portee: String,
    /// "recent" or "distance".
    #[serde(default)]
    pub tri: String,
    /// Page number, from 1.
    #[serde(default)]
    pub page: String,
}

impl Filters {
    /// Reads a query string (a saved search's).
    pub fn from_query(query: &str) -> Self {
        serde_urlencoded::from_str(query).unwrap_or_default()
    }

    /// The page number.
    pub fn page_number(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000)
    }

    /// The search these filters ask for.
    pub fn to_search(&self, territory: &Territory, communes: &[Commune]) -> AdSearch {
        let commune = self.commune.parse::<i64>().ok().and_then(|id| communes.iter().find(|c| c.id == id));
        let near = commune.map(|c| (c.latitude, c.longitude));
        let radius = self.rayon.parse::<f64>().ok().filter(|r| *r > 0.0 && *r <= 1000.0);
        AdSearch {
            text: self.q.chars().take(200).collect(),
            domain: Some(self.domaine.trim().to_owned()).filter(|d| !d.is_empty()),
            kind: AdKind::parse(&self.kind),
            urgent_only: self.urgent == "1",
            territory_id: if self.portee == "tout" { None } else { Some(territory.id) },
            near,
            radius_km: near.and(radius),
            sort: if self.tri == "distance" && near.is_some() { Sort::Nearest } else { Sort::Newest },
            created_after: None,
            offset: (self.page_number() - 1) * PER_PAGE,
            limit: PER_PAGE,
        }
    }

    /// The query string of these filters (without the page).
    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (name, value) in [
            ("q", &self.q),
            ("domaine", &self.domaine),
            ("type", &self.kind),
            ("urgent", &self.urgent),
            ("commune", &self.commune),
            ("rayon", &self.rayon),
            ("portee", &self.portee),
            ("tri", &self.tri),
        ] {
            if !value.is_empty() {
                pairs.push((name, value.as_str()));
            }
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// The address of these filters on another page.
    pub fn href(&self, base: &str, page: i64) -> String {
        let mut query = self.query_string();
        if page > 1 {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&format!("page={page}"));
        }
        if query.is_empty() { base.to_owned() } else { format!("{base}?{query}") }
    }

    /// True when any filter is set.
    pub fn any(&self) -> bool {
        !self.query_string().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aid::*;

    #[test]
    fn a_radius_needs_a_commune_and_the_scope_can_span_territories() {
        let territory = Territory {
            id: 1,
            slug: "m".into(),
            name: "M".into(),
            time_zone: "Europe/Paris".into(),
            label_name: None,
            label_tag: None,
        };
        let commune = Commune {
            id: 4,
            territory_id: 1,
            insee_code: "30156".into(),
            postcode: "30320".into(),
            name: "Marguerittes".into(),
            latitude: 43.86,
            longitude: 4.44,
        };
        let no_point = Filters::from_query("rayon=10&q=transport");
        assert_eq!(no_point.to_search(&territory, std::slice::from_ref(&commune)).radius_km, None);
        let filters = Filters::from_query("rayon=10&commune=4&portee=tout&tri=distance&type=offer&page=2");
        let search = filters.to_search(&territory, &[commune]);
        assert_eq!(search.radius_km, Some(10.0));
        assert_eq!(search.territory_id, None);
        assert_eq!(search.sort, Sort::Nearest);
        assert_eq!(search.kind, Some(AdKind::Offer));
        assert_eq!(search.offset, PER_PAGE);
        assert_eq!(filters.href("/x", 1), "/x?type=offer&commune=4&rayon=10&portee=tout&tri=distance");
    }
}
