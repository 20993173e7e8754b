//! `otc-jobs kinds`: every kind of job the tool handles, from the kind table (its service,
//! API version, id shape, what it can do, its server filters). Talks to no service.

use otc_jobs_core::kinds::{Filter, Kind};
use serde::Serialize;

use crate::args::Format;

/// One kind, as `-o json` shows it.
#[derive(Debug, Serialize)]
struct KindJson {
    name: &'static str,
    doc: &'static str,
    service: String,
    api_version: &'static str,
    /// `number`, `text`, `number/number`.
    id_shape: &'static str,
    /// What an id looks like, in words.
    id: String,
    parent: Option<&'static str>,
    /// `delete`, `wait`, and `batch` where the service deletes many in one request.
    actions: Vec<&'static str>,
    /// Whether the service deletes after answering (then `wait` polls).
    asynchronous: bool,
    filters: Vec<FilterJson>,
}

/// One server filter of a kind.
#[derive(Debug, Serialize)]
struct FilterJson {
    flag: String,
    /// The documented values (empty: any text).
    values: &'static [&'static str],
    /// Several values joined by it, where the list takes several.
    separator: Option<char>,
    doc: &'static str,
}

fn actions(kind: Kind) -> Vec<&'static str> {
    let mut actions = vec![kind.action().name(), "wait"];
    if kind.has_batch_delete() {
        actions.push("batch");
    }
    actions
}

fn describe(kind: Kind) -> KindJson {
    KindJson {
        name: kind.name(),
        doc: kind.facts().doc,
        service: kind.service().to_string(),
        api_version: kind.api_version(),
        id_shape: kind.id_shape().short(),
        id: kind.id_shape().describe(),
        parent: kind.parent().map(Kind::name),
        actions: actions(kind),
        asynchronous: kind.is_asynchronous(),
        filters: kind
            .filters()
            .iter()
            .map(|f| FilterJson {
                flag: format!("--{}", f.flag),
                values: f.values,
                separator: f.separator,
                doc: f.doc,
            })
            .collect(),
    }
}

/// A filter in a table cell: `--order asc|desc`; a long list shortened to its ends.
fn filter_cell(filter: &Filter) -> String {
    let values = match filter.values {
        [] => String::new(),
        values if values.len() > 4 => format!(
            " {}|…|{} ({} values)",
            values[0],
            values[values.len() - 1],
            values.len()
        ),
        values => format!(" {}", values.join("|")),
    };
    let several = match filter.separator {
        Some(sep) => format!(", several separated by '{sep}'"),
        None => String::new(),
    };
    format!("--{}{values}{several}", filter.flag)
}

/// Prints the table of kinds; exit 0.
pub(crate) fn run(format: Format) -> u8 {
    match format {
        Format::Json => {
            let kinds: Vec<KindJson> = Kind::ALL.into_iter().map(describe).collect();
            crate::output::print_json(&kinds);
        }
        Format::Ndjson => {
            let kinds: Vec<KindJson> = Kind::ALL.into_iter().map(describe).collect();
            crate::output::print_ndjson(&kinds);
        }
        Format::Table => {
            let mut rows = Vec::new();
            for kind in Kind::ALL {
                let id = match kind.parent() {
                    Some(parent) => format!("{} (in {parent})", kind.id_shape().short()),
                    None => kind.id_shape().short().to_owned(),
                };
                let deletion = if kind.is_asynchronous() {
                    "asynchronous"
                } else {
                    "synchronous"
                };
                let filters: Vec<String> = kind.filters().iter().map(filter_cell).collect();
                rows.push(vec![
                    kind.name().to_owned(),
                    kind.service().to_string(),
                    kind.api_version().to_owned(),
                    id,
                    actions(kind).join(", "),
                    deletion.to_owned(),
                    filters.join("\n"),
                ]);
            }
            crate::output::print_table(
                &[
                    "KIND", "SERVICE", "API", "ID", "ACTIONS", "DELETION", "FILTERS",
                ],
                rows,
            );
            crate::verbosity::note!("{} kind(s)", Kind::ALL.len());
        }
    }
    crate::exit::OK
}
