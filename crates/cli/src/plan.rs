//! The plan: what a run will do to each selected id. Built before anything is deleted;
//! `--dry-run` prints it and stops.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use otc_jobs_core::kinds::{Kind, KindId};

/// What will be done to one id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", content = "reason", rename_all = "snake_case")]
pub(crate) enum Action {
    /// Delete it.
    Delete,
    /// Cancel it (a run of a kind that cannot be deleted).
    Cancel,
    /// Leave it alone, for this reason.
    Skip(String),
}

impl Action {
    /// Whether the run acts on the id (deletes or cancels it).
    pub(crate) fn acts(&self) -> bool {
        matches!(self, Action::Delete | Action::Cancel)
    }
}

/// One id of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PlanItem {
    /// The id.
    #[serde(serialize_with = "crate::report::display")]
    pub(crate) id: KindId,
    /// Its name, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    /// What will be done.
    #[serde(flatten)]
    pub(crate) action: Action,
}

/// Every selected id, once, with what will be done to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Plan {
    /// The kind of job.
    #[serde(serialize_with = "crate::report::display")]
    pub(crate) kind: Kind,
    /// How many jobs the list call found, when the ids came from one (`clean`): those
    /// the filters did not select are not in `items`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) listed: Option<usize>,
    /// The ids, in selection order.
    pub(crate) items: Vec<PlanItem>,
}

impl Plan {
    /// Plans `selected` (duplicates dropped): ids in `exclude` (by their text) and ids
    /// the journal says are finished (id → outcome) are skipped, the rest deleted.
    pub(crate) fn new(
        kind: Kind,
        selected: Vec<(KindId, Option<String>)>,
        exclude: &HashSet<String>,
        finished: &HashMap<String, String>,
    ) -> Plan {
        // Which to keep, decided over references: a set of cloned ids would double the
        // plan's memory at 100,000 ids.
        let keep: Vec<bool> = {
            let mut seen = HashSet::with_capacity(selected.len());
            selected.iter().map(|(id, _)| seen.insert(id)).collect()
        };
        let mut items = Vec::with_capacity(keep.iter().filter(|&&k| k).count());
        let planned = selected
            .into_iter()
            .zip(keep)
            .filter_map(|(item, keep)| keep.then_some(item))
            .map(|(id, name)| {
                let text = id.to_string();
                let action = if exclude.contains(&text) {
                    Action::Skip("listed in --exclude-file".to_owned())
                } else if let Some(outcome) = finished.get(&text) {
                    Action::Skip(format!(
                        "finished in an earlier run ({outcome}, per --journal)"
                    ))
                } else if kind.action() == otc_jobs_core::kinds::Action::Cancel {
                    Action::Cancel
                } else {
                    Action::Delete
                };
                PlanItem { id, name, action }
            });
        items.extend(planned);
        Plan {
            kind,
            listed: None,
            items,
        }
    }

    /// The same plan of ids selected from `listed` listed jobs.
    pub(crate) fn of_listed(self, listed: Option<usize>) -> Plan {
        Plan { listed, ..self }
    }

    /// What a dry run would do, in one line: `would delete 8 of 12 listed; 4 did not
    /// match`, with the skipped ones (excluded, finished) when there are any.
    pub(crate) fn would(&self) -> String {
        let delete = self.to_delete();
        let skipped = self.items.len() - delete;
        let mut line = match self.listed {
            Some(listed) => format!(
                "would {} {delete} of {listed} listed {}(s); {} did not match",
                self.kind.action().verb(),
                self.kind,
                listed.saturating_sub(self.items.len())
            ),
            None => format!(
                "would {} {delete} of {} given {}(s)",
                self.kind.action().verb(),
                self.items.len(),
                self.kind
            ),
        };
        if skipped > 0 {
            line.push_str(&format!(
                "; {skipped} skipped (--exclude-file, or finished per --journal)"
            ));
        }
        line
    }

    /// How many ids will be deleted (or cancelled).
    pub(crate) fn to_delete(&self) -> usize {
        self.items.iter().filter(|i| i.action.acts()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes_and_skips_excluded_and_finished_ids() {
        let exclude: HashSet<String> = ["2".to_owned()].into();
        let finished: HashMap<String, String> = [("3".to_owned(), "deleted".to_owned())].into();
        let ids = [1, 2, 3, 1, 4]
            .into_iter()
            .map(|n| (KindId::FlinkJob(n), None))
            .collect();
        let plan = Plan::new(Kind::FlinkJob, ids, &exclude, &finished);
        let shown: Vec<_> = plan
            .items
            .iter()
            .map(|i| (i.id.to_string(), i.action.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("1".to_owned(), Action::Delete),
                (
                    "2".to_owned(),
                    Action::Skip("listed in --exclude-file".to_owned())
                ),
                (
                    "3".to_owned(),
                    Action::Skip("finished in an earlier run (deleted, per --journal)".to_owned())
                ),
                ("4".to_owned(), Action::Delete),
            ]
        );
        assert_eq!(plan.to_delete(), 2);
        assert_eq!(
            plan.would(),
            "would delete 2 of 4 given flink-job(s); 2 skipped (--exclude-file, or finished per --journal)"
        );
        let listed = plan.of_listed(Some(12));
        assert_eq!(
            listed.would(),
            "would delete 2 of 12 listed flink-job(s); 8 did not match; 2 skipped (--exclude-file, or finished per --journal)"
        );
    }
}
