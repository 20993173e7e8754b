//! Rust names for the names the pages use: snake_case modules and fields, raw identifiers
//! for keywords. Used by the model ([`crate::specs`], [`crate::types`]); it uses nothing.

/// `DeleteFlinkJob` → `delete_flink_job`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let cs: Vec<char> = name.chars().collect();
    for (i, c) in cs.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (cs[i - 1].is_ascii_lowercase() || cs[i - 1].is_ascii_digit());
            let next_lower = cs.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if i > 0 && (prev_lower || (next_lower && cs[i - 1].is_ascii_uppercase())) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// Whether `s` is an UpperCamelCase Rust type name.
pub fn is_type_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `s` is a snake_case Rust field name.
pub fn is_field_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

const KEYWORDS: [&str; 39] = [
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "try", "type", "unsafe", "use", "where",
    "while", "abstract", "box", "yield",
];

/// The Rust field name for a JSON name: itself when snake_case, `r#name` for keywords
/// (`self_` for `self`, `super` and `crate`).
pub fn rust_ident(name: &str) -> Option<String> {
    if !is_field_name(name) {
        return None;
    }
    if KEYWORDS.contains(&name) {
        return Some(format!("r#{name}"));
    }
    // Keywords that cannot be raw identifiers (IAM's `links.self`): a trailing `_`, the
    // JSON name kept by a rename.
    if matches!(name, "self" | "super" | "crate") {
        return Some(format!("{name}_"));
    }
    Some(name.to_owned())
}
