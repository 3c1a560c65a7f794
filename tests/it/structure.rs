//! The layout that docs/architecture.md describes, checked on the source tree: SQL lives only in
//! `store.rs` files and `src/db/`, every store is private to its context, no glob re-export
//! hides where a name comes from, and no source file grows past 900 lines.

use std::path::{Path, PathBuf};

/// The longest a file under `src/` may be.
const MAX_LINES: usize = 900;

fn source_files() -> Vec<PathBuf> {
    let files = crate::helpers::rust_sources();
    assert!(files.len() > 50, "the source tree was not found");
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().to_string_lossy().replace('\\', "/")
}

/// True for the files that may hold SQL: a context's (or a sub-folder's) `store.rs`, and the
/// database layer.
fn may_hold_sql(path: &str) -> bool {
    path.ends_with("/store.rs") || path.starts_with("src/db/")
}

/// The SQL found on a line: a sqlx call, one of our query macros, or a statement in a string.
fn sql_on(line: &str) -> Option<&'static str> {
    const CALLS: [&str; 5] = ["sqlx::query", "on_db!", "on_tx!", "bind_args!", "sqlx::raw_sql"];
    if let Some(call) = CALLS.iter().find(|call| line.contains(*call)) {
        return Some(call);
    }
    let lower = line.to_lowercase();
    let in_string = |words: &str| {
        lower.split('"').skip(1).step_by(2).any(|text| {
            let text = format!(" {text} ");
            text.contains(words)
        })
    };
    const STATEMENTS: [&str; 6] =
        [" select ", " insert into ", " delete from ", " on conflict ", " where ", " returning "];
    STATEMENTS.iter().find(|words| in_string(words)).copied()
}

#[test]
fn sql_lives_only_in_store_files_and_the_database_layer() {
    let mut found = Vec::new();
    for path in source_files() {
        let name = relative(&path);
        if may_hold_sql(&name) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if let Some(what) = sql_on(line) {
                found.push(format!("{name}:{}: {what}", number + 1));
            }
        }
    }
    assert!(found.is_empty(), "SQL outside store.rs and src/db/:\n{}", found.join("\n"));
}

#[test]
fn every_store_is_private_to_its_context() {
    let mut public = Vec::new();
    for path in source_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim();
            if code.starts_with("pub") && code.ends_with("mod store;") {
                public.push(format!("{}:{}: {code}", relative(&path), number + 1));
            }
        }
    }
    assert!(public.is_empty(), "stores must be declared `mod store;`:\n{}", public.join("\n"));
}

#[test]
fn no_glob_re_export_hides_where_a_name_lives() {
    let mut globs = Vec::new();
    for path in source_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim();
            if code.starts_with("pub") && code.contains(" use ") && code.ends_with("*;") {
                globs.push(format!("{}:{}: {code}", relative(&path), number + 1));
            }
        }
    }
    assert!(globs.is_empty(), "glob re-exports:\n{}", globs.join("\n"));
}

#[test]
fn no_source_file_passes_nine_hundred_lines() {
    let long: Vec<String> = source_files()
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).unwrap().lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", relative(path)))
        })
        .collect();
    assert!(long.is_empty(), "files longer than {MAX_LINES} lines; split them:\n{}", long.join("\n"));
}

#[test]
fn each_context_keeps_its_pages_in_an_http_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut misplaced = Vec::new();
    for context in ["accounts", "admin", "aid", "catalog", "directory", "ledger", "orders", "territory"] {
        let dir = src.join(context);
        assert!(dir.join("http/mod.rs").is_file(), "{context} has no http/mod.rs");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with("http") && name != "http" || name == "manage.rs" {
                misplaced.push(format!("src/{context}/{name}"));
            }
        }
    }
    assert!(misplaced.is_empty(), "page files belong in <context>/http/:\n{}", misplaced.join("\n"));
}

#[test]
fn the_checks_above_recognise_sql() {
    assert_eq!(sql_on(r#"let sql = "select id from ad where id = $1";"#), Some(" select "));
    assert_eq!(sql_on("on_db!(db, pool => x)"), Some("on_db!"));
    assert_eq!(sql_on(r#"t.get("directory.search.select")"#), None);
    assert_eq!(sql_on("// select in a comment is fine"), None);
    assert!(may_hold_sql("src/aid/store.rs") && may_hold_sql("src/db/writer.rs"));
    assert!(!may_hold_sql("src/aid/http/public.rs"));
}
