//! Hand-written detail operations (`GET` one job), for waiting until a deleted job is
//! gone. Interim: the generated `GetFlinkJob`, `GetTrainingJobVersion`,
//! `GetVisualizationJob`, `GetJobExecution` and the SDK's waiter replace them at the
//! integration step. Each declares only method, path and parameters, like the generated
//! operations; the answer is kept as JSON and read by [`Detail::status`].

use otc_jobs_core::{Operation, OperationResponse, PathId, PathValue, Service};

/// A detail answer, as JSON.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Detail(serde_json::Value);

impl OperationResponse for Detail {
    fn success_flag(&self) -> Option<bool> {
        // DLI writes "true"/"false" as strings, ModelArts as booleans.
        match self.0.get("is_success")? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) => Some(s != "false"),
            _ => None,
        }
    }
}

impl Detail {
    /// The job's status at `pointer` (a JSON pointer), as text.
    pub(crate) fn status(&self, pointer: &str) -> Option<String> {
        match self.0.pointer(pointer)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    }
}

macro_rules! detail_operation {
    ($(#[$doc:meta])* $name:ident, $service:ident, $path:literal, { $($field:ident: $ty:ty => $value:expr),* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub(crate) struct $name {
            $(pub(crate) $field: $ty,)*
        }

        impl Operation for $name {
            type Response = Detail;
            const NAME: &'static str = stringify!($name);
            const SERVICE: Service = Service::$service;
            const METHOD: http::Method = http::Method::GET;
            const PATH_TEMPLATE: &'static str = $path;
            const SUCCESS_STATUS: &'static [u16] = &[200];

            fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
                match name {
                    $(stringify!($field) => Some($value(&self.$field)),)*
                    _ => None,
                }
            }
        }
    };
}

fn integer(n: &i64) -> PathValue<'_> {
    PathValue::Integer(*n)
}

fn text(id: &PathId) -> PathValue<'_> {
    PathValue::Text(id)
}

detail_operation!(
    /// `GET /v1.0/{project_id}/streaming/jobs/{job_id}`; status at `/job_detail/status`.
    GetFlinkJob, Dli, "/v1.0/{project_id}/streaming/jobs/{job_id}", { job_id: i64 => integer }
);
detail_operation!(
    /// `GET /v1/{project_id}/training-jobs/{job_id}/versions/{version_id}`; status at `/status`.
    GetTrainingJobVersion, ModelArts, "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}",
    { job_id: i64 => integer, version_id: i64 => integer }
);
detail_operation!(
    /// `GET /v1/{project_id}/visualization-jobs/{job_id}`; status at `/status`.
    GetVisualizationJob, ModelArts, "/v1/{project_id}/visualization-jobs/{job_id}", { job_id: PathId => text }
);
detail_operation!(
    /// `GET /v1.1/{project_id}/job-executions/{job_execution_id}`; status at
    /// `/job_execution/info/status`.
    GetJobExecution, Mrs, "/v1.1/{project_id}/job-executions/{job_execution_id}",
    { job_execution_id: PathId => text }
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use otc_jobs_core::{Endpoints, OperationExt, Region, Target};

    #[test]
    fn builds_the_documented_paths_and_reads_statuses() {
        let endpoints = Endpoints::new(Region::EU_DE);
        let target = Target::new(&endpoints, "p1");
        let request = GetTrainingJobVersion {
            job_id: 10,
            version_id: 2,
        }
        .build_request(&target)
        .unwrap();
        assert_eq!(request.uri().path(), "/v1/p1/training-jobs/10/versions/2");
        assert_eq!(request.method(), http::Method::GET);
        let answer = http::Response::builder()
            .status(200)
            .body(br#"{"is_success": "true", "job_detail": {"status": "job_canceling"}}"#.to_vec())
            .unwrap();
        let detail = GetFlinkJob::parse_response(&answer).unwrap();
        assert_eq!(
            detail.status("/job_detail/status").as_deref(),
            Some("job_canceling")
        );
        let answer = http::Response::builder()
            .status(200)
            .body(br#"{"status": 9}"#.to_vec())
            .unwrap();
        let detail = GetVisualizationJob::parse_response(&answer).unwrap();
        assert_eq!(detail.status("/status").as_deref(), Some("9"));
    }
}
