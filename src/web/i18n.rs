//! Translations: every word a person reads comes from `locales/<lang>.txt` (French first,
//! English too), chosen by the `lang` cookie, else `Accept-Language`, else French.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, the default.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code (`fr`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// Parses a code such as `fr`, `fr-FR`, `en-GB`.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Self::Fr),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The other language, for the switch in the header.
    pub fn other(self) -> Self {
        match self {
            Self::Fr => Self::En,
            Self::En => Self::Fr,
        }
    }

    /// Chooses the language of a request: the `lang` cookie set by the switch wins, then the
    /// first supported language of `Accept-Language` (by quality), then French.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let from_cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix("lang="))
            .find_map(Self::parse);
        if let Some(lang) = from_cookie {
            return lang;
        }
        let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        Self::from_accept_language(accept).unwrap_or(Self::Fr)
    }

    /// The best supported language of an `Accept-Language` value.
    pub fn from_accept_language(value: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Self::parse) else { continue };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

const FR_SOURCE: &str = include_str!("../../locales/fr.txt");
const EN_SOURCE: &str = include_str!("../../locales/en.txt");

/// Parses a catalogue: `key = value` lines, `#` comments, blank lines ignored. `\n` in a value
/// stands for a line break.
pub fn parse_catalog(source: &str) -> Result<HashMap<&str, String>, String> {
    let mut map = HashMap::new();
    for (number, line) in source.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            return Err(format!("line {}: expected `key = value`", number + 1));
        };
        if map.insert(key.trim(), value.trim().replace("\\n", "\n")).is_some() {
            return Err(format!("line {}: duplicate key {key}", number + 1));
        }
    }
    Ok(map)
}

fn catalog(lang: Lang) -> &'static HashMap<&'static str, String> {
    static FR: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    static EN: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| parse_catalog(FR_SOURCE).expect("locales/fr.txt is valid")),
        Lang::En => EN.get_or_init(|| parse_catalog(EN_SOURCE).expect("locales/en.txt is valid")),
    }
}

/// The raw catalogues, for the completeness test.
pub fn sources() -> [(Lang, &'static str); 2] {
    [(Lang::Fr, FR_SOURCE), (Lang::En, EN_SOURCE)]
}

/// A translator for one language; templates call `t.get("key")`.
#[derive(Clone, Copy, Debug)]
pub struct Tr {
    /// The language translated into.
    pub lang: Lang,
}

impl Tr {
    /// The translator for `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text of `key`. A missing key (which the tests forbid) shows the key itself.
    pub fn get(&self, key: &str) -> &'static str {
        match catalog(self.lang).get(key) {
            Some(text) => text.as_str(),
            None => {
                tracing::warn!(key, lang = self.lang.code(), "missing translation");
                "?"
            }
        }
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The text of `key.one` or `key.other`, chosen for `count` by the language's plural rule
    /// (French: 0 and 1 are singular; English: only 1), with `{count}` and `args` filled in.
    pub fn plural(&self, key: &str, count: usize, args: &[(&str, &str)]) -> String {
        let one = match self.lang {
            Lang::Fr => count == 0 || count == 1,
            Lang::En => count == 1,
        };
        let count = count.to_string();
        let mut all = vec![("count", count.as_str())];
        all.extend_from_slice(args);
        self.fill(&format!("{key}.{}", if one { "one" } else { "other" }), &all)
    }

    /// [`Self::plural`] for templates: `key.one` or `key.other` for any integer count, with
    /// `{count}` filled in (a negative count reads as the plural).
    pub fn counted(&self, key: &str, count: impl Count) -> String {
        self.plural(key, count.count(), &[])
    }

    /// The language code, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

/// A count for [`Tr::counted`], whether a template hands it over by value or by reference.
pub trait Count {
    /// The count, as a `usize` (a negative one reads as many).
    fn count(self) -> usize;
}

impl Count for usize {
    fn count(self) -> usize {
        self
    }
}

impl Count for &usize {
    fn count(self) -> usize {
        *self
    }
}

impl Count for i64 {
    fn count(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

impl Count for &i64 {
    fn count(self) -> usize {
        (*self).count()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plurals_follow_each_languages_rule() {
        let fr = Tr::new(Lang::Fr);
        assert_eq!(
            fr.counted("accounts.totp.recovery_left", 0_i64),
            "Il vous reste 0 code de secours sur 10."
        );
        assert_eq!(
            fr.counted("accounts.totp.recovery_left", 1_i64),
            "Il vous reste 1 code de secours sur 10."
        );
        assert_eq!(
            fr.counted("accounts.totp.recovery_left", 2_i64),
            "Il vous reste 2 codes de secours sur 10."
        );
        let en = Tr::new(Lang::En);
        assert_eq!(
            en.counted("accounts.totp.recovery_left", 0_usize),
            "You have 0 recovery codes left out of 10."
        );
        assert_eq!(
            en.counted("accounts.totp.recovery_left", 1_usize),
            "You have 1 recovery code left out of 10."
        );
    }

    #[test]
    fn no_message_writes_a_plural_with_parentheses() {
        for (lang, source) in sources() {
            let catalog = parse_catalog(source).unwrap();
            let with_parentheses: Vec<&str> =
                catalog.iter().filter(|(_, text)| text.contains("(s)")).map(|(key, _)| *key).collect();
            assert!(with_parentheses.is_empty(), "{lang:?}: {with_parentheses:?}");
        }
    }

    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    const PREFIXES: [&str; 17] = [
        "aid.",
        "catalog.",
        "orders.",
        "directory.",
        "day.",
        "nav.",
        "site.",
        "footer.",
        "form.",
        "error.",
        "accounts.",
        "territory.",
        "admin.",
        "role.",
        "demo.",
        "mail.",
        "ledger.",
    ];

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    /// Every quoted `"prefix.key"` in the sources and templates.
    fn used_keys() -> BTreeSet<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        files(&root.join("src"), &mut paths);
        files(&root.join("templates"), &mut paths);
        let mut keys = BTreeSet::new();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                let looks_like_key = PREFIXES.iter().any(|p| piece.starts_with(p))
                    && piece.len() < 80
                    && piece
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
                    && !piece.ends_with('.')
                    && !piece.ends_with(".html");
                if looks_like_key {
                    keys.insert(piece.to_owned());
                }
            }
        }
        keys
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let fr = parse_catalog(FR_SOURCE).unwrap();
        let en = parse_catalog(EN_SOURCE).unwrap();
        let fr_keys: BTreeSet<_> = fr.keys().collect();
        let en_keys: BTreeSet<_> = en.keys().collect();
        assert_eq!(
            fr_keys.difference(&en_keys).collect::<Vec<_>>(),
            Vec::<&&&str>::new(),
            "missing in English"
        );
        assert_eq!(
            en_keys.difference(&fr_keys).collect::<Vec<_>>(),
            Vec::<&&&str>::new(),
            "missing in French"
        );
        let placeholders = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}'))
                .map(|(name, _)| name.to_owned())
                .collect()
        };
        for (key, text) in &fr {
            assert_eq!(placeholders(text), placeholders(&en[key]), "placeholders differ for {key}");
        }
    }

    #[test]
    fn every_key_the_code_uses_is_translated() {
        let fr = parse_catalog(FR_SOURCE).unwrap();
        let en = parse_catalog(EN_SOURCE).unwrap();
        let missing: Vec<_> = used_keys()
            .into_iter()
            .filter(|k| {
                // A plural is translated as its two forms.
                let has = |catalog: &HashMap<&str, String>| {
                    catalog.contains_key(k.as_str())
                        || [".one", ".other"]
                            .iter()
                            .all(|form| catalog.contains_key(format!("{k}{form}").as_str()))
                };
                !has(&fr) || !has(&en)
            })
            .collect();
        assert!(missing.is_empty(), "keys without a translation: {missing:?}");
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de-DE,fr;q=0.5,en;q=0.3"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("de-DE"), None);
        assert_eq!(Lang::from_accept_language("en;q=0,fr;q=0.1"), Some(Lang::Fr));
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::Fr);
        assert_eq!(tr.fill("territory.home.hello", &[("name", "Jeanne")]), "Bonjour Jeanne");
    }
}
