//! `cargo xtask readme`: builds the README's Rust examples the way a user of the published
//! crates would: in a package of their own, outside this workspace, with only the
//! dependencies the README's `toml` blocks tell them to add. The doctests compile the same
//! examples inside the workspace, where every crate is at hand; this catches an example that
//! needs a dependency the README never names.
//!
//! ```text
//! README.md ─ read ─▶ Readme { dependencies, dev_dependencies, examples } ─ write ─▶ target/readme-user/
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// What the README tells a user: the dependency lines of its `toml` blocks, and its Rust
/// examples.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Readme {
    /// `name = value` lines under `[dependencies]`, by name.
    pub dependencies: BTreeMap<String, String>,
    /// `name = value` lines under `[dev-dependencies]`, by name.
    pub dev_dependencies: BTreeMap<String, String>,
    /// Every `rust` block that is compiled (not `ignore`), with the README line it opens on.
    pub examples: Vec<Example>,
}

/// One Rust example of the README.
#[derive(Debug, PartialEq, Eq)]
pub struct Example {
    /// The line of its opening fence (1-based).
    pub line: usize,
    /// Its code, rustdoc's hidden `# ` lines shown.
    pub code: String,
}

/// Reads the dependency blocks and examples of a README's text.
///
/// ```
/// let readme = xtask::readme::read("```toml\n[dependencies]\nhttp = \"1\"\n```\n\n```rust\nfn main() {}\n```\n").unwrap();
/// assert_eq!(readme.dependencies["http"], "\"1\"");
/// assert_eq!(readme.examples[0].line, 6);
/// ```
pub fn read(text: &str) -> Result<Readme> {
    let mut readme = Readme::default();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let info = info.trim();
        let mut body = Vec::new();
        for (_, line) in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                break;
            }
            body.push(line);
        }
        let lang = info.split(',').next().unwrap_or_default();
        if lang == "toml" {
            read_dependencies(&mut readme, &body, n + 1)?;
        } else if lang == "rust" && !info.split(',').any(|a| a == "ignore") {
            let code = body.iter().map(|l| shown(l)).collect::<Vec<_>>().join("\n");
            readme.examples.push(Example { line: n + 1, code });
        }
    }
    Ok(readme)
}

/// A doctest line as the compiler sees it: `# x` is `x`, a lone `#` is empty.
fn shown(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed == "#" {
        ""
    } else if let Some(rest) = trimmed.strip_prefix("# ") {
        rest
    } else {
        line
    }
}

fn read_dependencies(readme: &mut Readme, body: &[&str], fence: usize) -> Result<()> {
    let mut table = None;
    for (i, line) in body.iter().enumerate() {
        let line = line.split(" #").next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            table = match line {
                "[dependencies]" => Some(&mut readme.dependencies),
                "[dev-dependencies]" => Some(&mut readme.dev_dependencies),
                _ => None,
            };
            continue;
        }
        let Some(table) = table.as_deref_mut() else {
            continue;
        };
        let Some((name, value)) = line.split_once('=') else {
            bail!(
                "README.md:{}: not a `name = value` line: {line}",
                fence + i + 1
            );
        };
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        match table.get(&name) {
            Some(earlier) if *earlier != value => bail!(
                "README.md:{}: {name} is declared as {value}, and earlier as {earlier}: a user cannot add both",
                fence + i + 1
            ),
            _ => {
                table.insert(name, value);
            }
        }
    }
    Ok(())
}

/// The crates of this workspace a user would get from crates.io, by package name and folder.
const PUBLISHED: &[(&str, &str)] = &[
    ("otc-jobs-core", "crates/core"),
    ("otc-jobs-driver", "crates/driver"),
    ("otc-jobs-async", "crates/transport-async"),
    ("otc-jobs-blocking", "crates/transport-blocking"),
    ("otc-jobs-emulator", "crates/emulator"),
];

/// The manifest of the user's package: the README's dependencies, with this workspace's
/// crates patched in from `root` (they are not fetched).
pub fn manifest(readme: &Readme, root: &Path) -> String {
    let mut toml = String::from(
        "[package]\nname = \"readme-user\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n# Not a member of the otc-jobs workspace.\n[workspace]\n\n[dependencies]\n",
    );
    for (name, value) in &readme.dependencies {
        let _ = writeln!(toml, "{name} = {value}");
    }
    toml.push_str("\n[dev-dependencies]\n");
    for (name, value) in &readme.dev_dependencies {
        let _ = writeln!(toml, "{name} = {value}");
    }
    toml.push_str("\n[patch.crates-io]\n");
    for (name, dir) in PUBLISHED {
        let path = root.join(dir);
        let _ = writeln!(
            toml,
            "{name} = {{ path = {:?} }}",
            path.display().to_string()
        );
    }
    toml
}

/// Writes the user's package under `root/target/readme-user`, one example file per README
/// example (`examples/readme_line_N.rs`, N its README line), and returns its folder.
pub fn write_package(readme: &Readme, root: &Path) -> Result<std::path::PathBuf> {
    let dir = root.join("target/readme-user");
    let examples = dir.join("examples");
    if examples.exists() {
        std::fs::remove_dir_all(&examples).with_context(|| examples.display().to_string())?;
    }
    std::fs::create_dir_all(&examples).with_context(|| examples.display().to_string())?;
    std::fs::write(dir.join("Cargo.toml"), manifest(readme, root))?;
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("src/lib.rs"),
        "//! The README's examples, as a user builds them.\n",
    )?;
    // The workspace's lockfile: the same versions as the doctests, nothing resolved anew
    // that need not be.
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        std::fs::write(dir.join("Cargo.lock"), lock)?;
    }
    for example in &readme.examples {
        let mut code = example.code.clone();
        if !code.contains("fn main") {
            code = format!("fn main() {{\n{code}\n}}");
        }
        let header = format!(
            "// README.md line {}, as a user copies it.\n#![allow(unused)]\n",
            example.line
        );
        std::fs::write(
            examples.join(format!("readme_line_{}.rs", example.line)),
            header + &code + "\n",
        )?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "\
# A crate

```toml
[dependencies]
a = \"1\" # a comment
b = { version = \"2\", features = [\"x\"] }
```

```rust,no_run
# use a::A;
fn main() {}
```

```rust,ignore
not compiled
```

```toml
[dependencies]
a = \"1\"
[dev-dependencies]
c = \"3\"
```

```sh
cargo run
```
";

    #[test]
    fn reads_dependencies_and_the_compiled_examples() {
        let readme = read(README).unwrap();
        assert_eq!(
            readme.dependencies.iter().collect::<Vec<_>>(),
            [
                (&"a".to_owned(), &"\"1\"".to_owned()),
                (
                    &"b".to_owned(),
                    &"{ version = \"2\", features = [\"x\"] }".to_owned()
                )
            ]
        );
        assert_eq!(readme.dev_dependencies["c"], "\"3\"");
        assert_eq!(
            readme.examples,
            [Example {
                line: 9,
                code: "use a::A;\nfn main() {}".into()
            }]
        );
    }

    #[test]
    fn refuses_one_dependency_declared_two_ways() {
        let text =
            "```toml\n[dependencies]\na = \"1\"\n```\n```toml\n[dependencies]\na = \"2\"\n```\n";
        let err = read(text).unwrap_err().to_string();
        assert!(err.contains("README.md:7"), "{err}");
    }

    #[test]
    fn the_manifest_patches_in_the_workspace_crates() {
        let readme = read(README).unwrap();
        let toml = manifest(&readme, Path::new("/src/otc-jobs"));
        assert!(toml.contains("[workspace]\n"), "{toml}");
        assert!(toml.contains("\n[dependencies]\na = \"1\"\n"), "{toml}");
        assert!(
            toml.contains("otc-jobs-async = { path = \"/src/otc-jobs/crates/transport-async\" }"),
            "{toml}"
        );
    }

    // The workspace's own README: its examples and the dependencies they need.
    #[test]
    fn the_workspace_readme_reads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("README.md")).unwrap();
        let readme = read(&text).unwrap();
        assert!(readme.examples.len() >= 5, "{:?}", readme.examples);
        assert!(readme.dependencies.contains_key("otc-jobs-async"));
    }
}
