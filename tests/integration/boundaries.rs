//! The module map is a contract: `docs/ARCHITECTURE.md` lists, under "Allowed imports",
//! which top-level modules each module of the library may name (`crate::x`), and which
//! crates only one module may use. This test reads every source file of `src/` and fails
//! on any edge the map does not list, in the manner of rust-analyzer's tidy tests: the map
//! cannot drift from the code without someone changing both on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's source folder.
fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The page that holds the map.
fn architecture_doc() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md"))
        .unwrap()
}

/// The allowed-imports table of `docs/ARCHITECTURE.md`: module → modules it may name.
/// A row reads `| module | a, b, c |` (or `—` for none).
fn allowed_map() -> BTreeMap<String, BTreeSet<String>> {
    let doc = architecture_doc();
    let section = doc
        .split("## Allowed imports")
        .nth(1)
        .expect("docs/ARCHITECTURE.md has an \"Allowed imports\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut map = BTreeMap::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let module = cells[0].trim_matches('`').to_string();
        let allowed = cells[1]
            .split(',')
            .map(|m| m.trim().trim_matches('`').to_string())
            .filter(|m| !m.is_empty() && m != "—")
            .collect();
        map.insert(module, allowed);
    }
    map
}

/// The crates that only one module may use, from the same section: lines such as
/// "- `sled` only in `store`".
fn exclusive_crates() -> Vec<(String, String)> {
    let doc = architecture_doc();
    doc.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("- `")?;
            let (krate, rest) = rest.split_once("` only in `")?;
            let (module, _) = rest.split_once('`')?;
            Some((krate.to_string(), module.to_string()))
        })
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/store/read.rs` → `store`), or `None` for
/// the crate roots and the binary's own files.
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src()).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main" | "cli")).then(|| name.to_string())
}

/// The code of a file without its comments (line comments only: cadre writes no block
/// comments), so a doc that mentions `crate::store` is no edge.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|line| match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    })
}

/// Every top-level module named as `crate::x` in `text`, also inside `use crate::{x, y}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let code: String = code_lines(text).collect::<Vec<_>>().join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => found.extend(top_level_items(group).filter_map(leading_ident)),
            None => found.extend(leading_ident(rest)),
        }
    }
    found
}

/// The items of a `{a::b, c::{d, e}}` group (given after its `{`), nested groups skipped.
fn top_level_items(group: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.into_iter().map(str::trim)
}

fn leading_ident(text: &str) -> Option<String> {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty()).then_some(ident)
}

/// Whether `text` uses the crate `krate` (a path starting with it, or `use krate`).
fn uses_crate(text: &str, krate: &str) -> bool {
    code_lines(text).any(|line| {
        line.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .any(|word| word == krate || word.starts_with(&format!("{krate}::")))
    })
}

#[test]
fn every_import_between_modules_is_in_the_map() {
    let map = allowed_map();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let Some(allowed) = map.get(&module) else {
            violations.push(format!(
                "{}: module `{module}` is not in the map",
                file.display()
            ));
            continue;
        };
        for target in named_modules(&text) {
            if target != module && !allowed.contains(&target) {
                violations.push(format!("{}: `{module}` imports `{target}`", file.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "edges not in docs/ARCHITECTURE.md:\n{}",
        violations.join("\n")
    );
}

#[test]
fn crates_with_one_owner_are_used_only_there() {
    let rules = exclusive_crates();
    assert!(
        rules.len() >= 3,
        "the map names the owners of sled, bincode and axum"
    );
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let module = module_of(file).unwrap_or_else(|| "the crate root or the binary".into());
        for (krate, owner) in &rules {
            if module != *owner && uses_crate(&text, krate) {
                violations.push(format!(
                    "{}: uses `{krate}` outside `{owner}`",
                    file.display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let text = "use crate::{store::Store, domain::{Event, vocab}};\n// crate::http in a comment\nlet x = crate::ledger::decode(y);";
    let found: Vec<String> = named_modules(text).into_iter().collect();
    assert_eq!(found, ["domain", "ledger", "store"]);
    assert!(uses_crate("use sled::Db;", "sled"));
    assert!(!uses_crate("let sledge = 1; // sled", "sled"));
}

/// What the binary, the benches and the tests use of `http`, as `src/http/mod.rs` declares
/// it; everything else in `http` is the crate's own (`pub(crate)`, or in a private module).
const HTTP_SURFACE: [&str; 7] = [
    "pub mod openapi;",
    "pub use auth::{Role, TokenError, TokenRecord, Tokens};",
    "pub struct AppState(",
    "pub struct Shared {",
    "pub fn state(",
    "pub fn state_with(",
    "pub async fn serve(",
];

#[test]
fn http_exposes_only_what_the_binary_benches_and_tests_use() {
    let text = std::fs::read_to_string(src().join("http/mod.rs")).unwrap();
    let public: Vec<&str> = code_lines(&text)
        .filter(|line| line.starts_with("pub "))
        .collect();
    for line in &public {
        assert!(
            HTTP_SURFACE.iter().any(|item| line.starts_with(item)),
            "src/http/mod.rs makes public {line:?}: make it pub(crate), or list it here if the binary, a bench or a test needs it"
        );
    }
    assert_eq!(public.len(), HTTP_SURFACE.len(), "{public:#?}");
    let openapi = std::fs::read_to_string(src().join("http/openapi.rs")).unwrap();
    let exposed: Vec<&str> = code_lines(&openapi)
        .filter(|line| line.starts_with("pub "))
        .collect();
    assert_eq!(exposed, ["pub fn document() -> String {"]);
}
