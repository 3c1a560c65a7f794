//! Columns: the fields a column can fill, the header words that name them in French and English,
//! and the layout found from a file's titles.

use std::collections::HashMap;

use crate::tabular::fold_header;

/// A field of [`ImportedBusiness`] that a column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Field {
    Name,
    Kind,
    Category,
    Address,
    Postcode,
    City,
    Phone,
    Email,
    Website,
    SocialLinks,
    Latitude,
    Longitude,
    Status,
    Services,
    Description,
}

impl Field {
    pub(super) const ALL: [Self; 15] = [
        Self::Name,
        Self::Kind,
        Self::Category,
        Self::Address,
        Self::Postcode,
        Self::City,
        Self::Phone,
        Self::Email,
        Self::Website,
        Self::SocialLinks,
        Self::Latitude,
        Self::Longitude,
        Self::Status,
        Self::Services,
        Self::Description,
    ];

    /// The name reported in [`ImportReport::recognised_columns`].
    pub(super) fn reported_name(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => "kind",
            Self::Category => "category",
            Self::Address => "address",
            Self::Postcode => "postcode",
            Self::City => "city",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Website => "website",
            Self::SocialLinks => "social_links",
            Self::Latitude => "latitude",
            Self::Longitude => "longitude",
            Self::Status => "status",
            Self::Services => "services",
            Self::Description => "description",
        }
    }

    /// The headers that mean this field, folded (see [`fold_words`]), most specific first: when
    /// two columns mean the same field, the one whose header comes first here is used.
    pub(super) fn header_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Name => &[
                "nom",
                "name",
                "raison sociale",
                "enseigne",
                "nom commercial",
                "nom de l etablissement",
                "nom etablissement",
                "nom de la structure",
                "etablissement",
                "denomination",
                "business name",
                "company name",
                "company",
                "organisation",
                "organization",
            ],
            Self::Kind => {
                &["type", "kind", "nature", "type de structure", "type d etablissement", "business type"]
            }
            Self::Category => &[
                "categorie",
                "categories",
                "category",
                "activite",
                "activites",
                "activity",
                "secteur d activite",
                "secteur",
                "rubrique",
                "metier",
            ],
            Self::Address => &["adresse", "address", "adresse postale", "street address", "rue", "street"],
            Self::Postcode => &[
                "code postal",
                "codepostal",
                "cp",
                "postcode",
                "post code",
                "postal code",
                "zip code",
                "zipcode",
                "zip",
            ],
            Self::City => &["commune", "ville", "city", "town", "localite", "municipality"],
            Self::Phone => &[
                "telephone",
                "tel",
                "phone",
                "numero de telephone",
                "phone number",
                "telephone number",
                "portable",
                "mobile",
            ],
            Self::Email => &[
                "email",
                "e mail",
                "courriel",
                "mail",
                "adresse email",
                "adresse e mail",
                "adresse mail",
                "adresse electronique",
                "email address",
                "e mail address",
            ],
            Self::Website => {
                &["site web", "site internet", "website", "web site", "site", "web", "internet", "url"]
            }
            Self::SocialLinks => &[
                "facebook",
                "instagram",
                "reseaux",
                "reseaux sociaux",
                "reseau social",
                "social",
                "social media",
                "social links",
                "social networks",
                "twitter",
                "linkedin",
                "mastodon",
            ],
            Self::Latitude => &["latitude", "lat"],
            Self::Longitude => &["longitude", "lon", "lng", "long"],
            Self::Status => &["statut", "status", "etat", "state", "situation"],
            Self::Services => &["services", "service", "modes de vente"],
            Self::Description => &["description", "descriptif", "presentation", "about", "a propos"],
        }
    }

    /// Several columns may fill this field (facebook and instagram both give social links).
    pub(super) fn takes_several_columns(self) -> bool {
        self == Self::SocialLinks
    }

    /// The field a header means, with the alias's rank (0 = most specific).
    pub(super) fn recognise(header: &str) -> Option<(Self, usize)> {
        let folded = fold_header(header);
        Self::ALL.into_iter().find_map(|field| {
            field.header_aliases().iter().position(|alias| *alias == folded).map(|rank| (field, rank))
        })
    }
}

/// Which column fills which field.
pub(super) struct ColumnLayout {
    /// (column index, field), in column order.
    columns: Vec<(usize, Field)>,
}

impl ColumnLayout {
    /// Reads the header row: the layout, the recognised columns and the ignored ones.
    pub(super) fn from_headers(headers: &[String]) -> (Self, Vec<(String, &'static str)>, Vec<String>) {
        let mut candidates: Vec<(usize, &String, Field, usize)> = Vec::new();
        let mut ignored: Vec<(usize, &String)> = Vec::new();
        for (column, header) in headers.iter().enumerate() {
            if header.is_empty() {
                continue; // spreadsheets often add empty columns at the end: nothing to report
            }
            match Field::recognise(header) {
                Some((field, rank)) => candidates.push((column, header, field, rank)),
                None => ignored.push((column, header)),
            }
        }
        // For each field that takes one column: (rank of its alias, column) of the best candidate.
        let mut chosen_column: HashMap<Field, (usize, usize)> = HashMap::new();
        for &(column, _, field, rank) in &candidates {
            let best = chosen_column.entry(field).or_insert((rank, column));
            if rank < best.0 {
                *best = (rank, column);
            }
        }
        let mut columns = Vec::new();
        let mut recognised_columns = Vec::new();
        for (column, header, field, _) in candidates {
            let used = field.takes_several_columns()
                || chosen_column.get(&field).is_some_and(|best| best.1 == column);
            if used {
                columns.push((column, field));
                recognised_columns.push((header.clone(), field.reported_name()));
            } else {
                ignored.push((column, header));
            }
        }
        ignored.sort_unstable_by_key(|(column, _)| *column);
        let ignored_columns = ignored.into_iter().map(|(_, header)| header.clone()).collect();
        (Self { columns }, recognised_columns, ignored_columns)
    }

    pub(super) fn has(&self, field: Field) -> bool {
        self.columns.iter().any(|(_, candidate)| *candidate == field)
    }

    /// The non-empty cells of a row for a field, in column order.
    pub(super) fn values<'row>(
        &self,
        cells: &'row [String],
        field: Field,
    ) -> impl Iterator<Item = &'row str> {
        self.columns
            .iter()
            .filter(move |(_, candidate)| *candidate == field)
            .filter_map(|(column, _)| cells.get(*column))
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The non-empty cell of a row for a field.
    pub(super) fn value<'row>(&self, cells: &'row [String], field: Field) -> Option<&'row str> {
        self.values(cells, field).next()
    }
}
