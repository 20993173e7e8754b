//! The clients' per-operation methods come from `otc_jobs_core::__for_each_operation!`
//! in the generated `mod.rs`: it must list every operation of `specs/operations.toml`, in
//! order, with its method name, constructor arguments, response type and doc line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xtask::codegen::{self, FOR_EACH_OPERATION};
use xtask::specs::{self, OperationsFile};

/// One `{ method: ..., ... }` entry of the macro, as `(key, value)` pairs.
type Entry = Vec<(String, String)>;

/// The entries of `__for_each_operation!` in the committed `mod.rs`.
fn listed() -> Vec<Entry> {
    let path = codegen::workspace_root()
        .join(codegen::OUT_DIR)
        .join("mod.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(&format!("macro_rules! {FOR_EACH_OPERATION} {{"))
        .unwrap_or_else(|| panic!("{} has no {FOR_EACH_OPERATION}", path.display()));
    let body = &text[start..];
    let body = &body[body.find("$args").expect("the callback's arguments") + "$args".len()..];
    let mut entries = Vec::new();
    let mut current: Option<Entry> = None;
    for line in body.lines().map(str::trim) {
        match line {
            "{" => current = Some(Vec::new()),
            "}" => match current.take() {
                Some(entry) => entries.push(entry),
                None => break, // the end of the callback's braces
            },
            _ => {
                if let Some(entry) = current.as_mut() {
                    let (key, value) = line.split_once(": ").unwrap_or_else(|| {
                        panic!("not a `key: value,` line in {FOR_EACH_OPERATION}: {line}")
                    });
                    let value = value.strip_suffix(',').unwrap_or(value);
                    entry.push((key.to_owned(), value.to_owned()));
                }
            }
        }
    }
    entries
}

fn get<'a>(entry: &'a Entry, key: &str) -> &'a str {
    entry
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{entry:?} has no {key}"))
}

#[test]
fn the_generated_macro_lists_every_operation_in_operations_toml() {
    let specs_dir = codegen::workspace_root().join(codegen::SPECS_DIR);
    let raw: OperationsFile =
        toml::from_str(&std::fs::read_to_string(specs_dir.join("operations.toml")).unwrap())
            .unwrap();
    let specs = specs::load(&specs_dir).unwrap();
    assert_eq!(specs.operations.len(), raw.operations.len());
    let entries = listed();
    assert_eq!(
        entries.len(),
        raw.operations.len(),
        "one entry per [[operation]] in specs/operations.toml: {entries:#?}"
    );
    for ((entry, op), line) in entries.iter().zip(&specs.operations).zip(&raw.operations) {
        assert_eq!(op.page_path, line.page.replace('\\', "/"));
        assert_eq!(get(entry, "operation"), op.type_name, "{}", line.page);
        // The method is the type in snake_case (the module name).
        assert_eq!(get(entry, "method"), op.module);
        assert_eq!(get(entry, "service"), op.service);
        assert_eq!(get(entry, "response"), format!("{}Response", op.type_name));
        // The arguments of `new()`: path parameters, then mandatory query and body ones.
        let args: Vec<String> = xtask::emit::new_args(op)
            .iter()
            .map(|a| format!("{}: {}", a.ident, a.ty.replace("crate::", "$crate::")))
            .collect();
        assert_eq!(get(entry, "args"), format!("({})", args.join(", ")));
        let doc: String = serde_json::from_str(get(entry, "doc")).unwrap();
        assert_eq!(doc, codegen::method_doc(&specs, op));
        let first = doc.split("\n\n").next().unwrap_or_default();
        let function = op.page.function.replace('\n', " ");
        assert!(
            !first.is_empty() && function.contains(first.trim_end_matches('.')),
            "the page's Function text comes first: {doc}"
        );
        assert!(doc.contains(&op.page.title), "{doc}");
        assert!(
            doc.contains(&format!("`{} {}`", op.page.method, op.page.path_template)),
            "{doc}"
        );
    }
}
