//! What a seed says about a job, the same bag for every kind (each kind reads the
//! attributes it has).

use std::collections::BTreeMap;

use serde_json::Value;

/// What a seed says about a job, kept as given (so `GET /_emulator/jobs` echoes it); the
/// answers fill in defaults for what is absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Attrs {
    pub(crate) name: Option<String>,
    pub(crate) status: Option<Value>,
    pub(crate) create_time: Option<u64>,
    pub(crate) workspace_id: Option<String>,
    pub(crate) fail_delete: bool,
    pub(crate) queue_name: Option<String>,
    pub(crate) job_type: Option<String>,
    pub(crate) user_name: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) cluster_id: Option<String>,
}
