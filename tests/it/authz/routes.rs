//! The state-changing routes of the running code, found without the table's help: the web
//! routes by reading the `.route(...)` registrations in `src/`, the API routes from the OpenAPI
//! document, which utoipa-axum builds from the very routes it mounts.

use std::collections::BTreeSet;
use std::path::PathBuf;

/// The methods that change something.
const UNSAFE: [&str; 4] = ["post", "put", "patch", "delete"];

/// Every state-changing API route, as `METHOD /api/v1/path`.
pub fn api_routes() -> BTreeSet<String> {
    let (_, doc) = halle::api::parts();
    let mut routes = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        let methods =
            [("POST", &item.post), ("PUT", &item.put), ("PATCH", &item.patch), ("DELETE", &item.delete)];
        for (method, operation) in methods {
            if operation.is_some() {
                routes.insert(format!("{method} /api/v1{path}"));
            }
        }
    }
    routes
}

/// Every state-changing web route, as `METHOD /path`, read from the `.route(path, methods)`
/// calls of the source. A registration whose path the reader cannot work out fails, unless it
/// only serves GET: then the reader must be taught before the route can be left out.
pub fn web_routes() -> BTreeSet<String> {
    let mut routes = BTreeSet::new();
    for file in source_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .map(|line| if line.trim_start().starts_with("//") { "" } else { line })
            .collect::<Vec<_>>()
            .join("\n");
        let name = file.display().to_string();
        for bad in [".nest(", ".route_service(", ".nest_service("] {
            assert!(
                !code.contains(bad) || name.ends_with("src/api.rs"),
                "{name} mounts routes with `{bad}`: teach tests/it/authz/routes.rs to read it"
            );
        }
        for (start, _) in code.match_indices(".route(") {
            let args = arguments(&code[start + ".route(".len()..]);
            assert_eq!(args.len(), 2, "{name}: a .route( call without two arguments");
            let methods = methods_of(&args[1], &code);
            match path_of(&args[0], &code) {
                Some(path) => {
                    for method in methods {
                        routes.insert(format!("{} {path}", method.to_uppercase()));
                    }
                }
                None => assert!(
                    methods.is_empty(),
                    "{name}: cannot read the path `{}` of a state-changing route; teach routes.rs",
                    args[0]
                ),
            }
        }
    }
    routes
}

fn source_files() -> Vec<PathBuf> {
    crate::helpers::rust_sources()
}

/// The top-level arguments of a call, `rest` starting right after its opening parenthesis.
fn arguments(rest: &str) -> Vec<String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut args, mut current) = (Vec::new(), String::new());
    for c in rest.chars() {
        if in_string {
            current.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_owned());
    }
    args
}

/// The first string literal of `text`.
fn literal(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let end = start + text[start..].find('"')?;
    Some(&text[start..end])
}

/// The path a route's first argument stands for: a literal, the file's `BASE`, or `at(tail)`
/// (the drive's `BASE` followed by `tail`).
fn path_of(arg: &str, code: &str) -> Option<String> {
    let arg = arg.trim_start_matches('&');
    let base = || code.find("const BASE: &str =").and_then(|at| literal(&code[at..])).map(str::to_owned);
    if arg.starts_with('"') {
        literal(arg).map(str::to_owned)
    } else if arg == "BASE" {
        base()
    } else if arg.starts_with("at(") {
        Some(base()? + literal(arg)?)
    } else {
        None
    }
}

/// The unsafe methods a method router serves: `post(...)`, `.post(...)` and the like, and those
/// of the file's own functions returning a `MethodRouter` that it calls.
fn methods_of(expr: &str, code: &str) -> BTreeSet<&'static str> {
    let mut found: BTreeSet<&'static str> = UNSAFE.into_iter().filter(|m| calls(expr, m)).collect();
    for (at, _) in code.match_indices("fn ") {
        let rest = &code[at + 3..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let body_end = rest.find("\n}").unwrap_or(rest.len());
        let body = &rest[..body_end];
        if !name.is_empty() && body.contains("-> MethodRouter") && calls(expr, &name) {
            found.extend(UNSAFE.into_iter().filter(|m| calls(body, m)));
        }
    }
    found
}

/// True when `text` calls `name(` as a word of its own.
fn calls(text: &str, name: &str) -> bool {
    text.match_indices(&format!("{name}("))
        .any(|(at, _)| text[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
}

#[test]
fn the_route_reader_reads_the_shapes_the_routers_use() {
    let code = "const BASE: &str = \"/t/{slug}/x\";\nfn change(k: K) -> MethodRouter<S> {\n    post(h)\n}\n";
    assert_eq!(path_of("&at(\"/points\")", code).as_deref(), Some("/t/{slug}/x/points"));
    assert_eq!(path_of("\"/a/{id}\"", code).as_deref(), Some("/a/{id}"));
    assert_eq!(path_of("&format!(\"{path}/mini\")", code), None);
    assert_eq!(methods_of("get(show).merge(change(Change::Settings))", code), BTreeSet::from(["post"]));
    assert_eq!(methods_of("get(show_edit).post(edit)", code), BTreeSet::from(["post"]));
    assert!(methods_of("get(export_csv)", code).is_empty());
    assert_eq!(arguments("\"/p\", post(x).layer(L::max(1)),\n)"), vec!["\"/p\"", "post(x).layer(L::max(1))"]);
}
