// Hand-written list, detail and delete operations over the emulator's existing endpoints,
// for the paging and waiting tests and doctests of both clients, until the generated ones
// (`ListFlinkJobs`, `GetVisualizationJob`, ... with `impl Paginated` / `impl Deletion`)
// replace them. `Operation` has no query yet, so a page request cannot carry its cursor:
// every list here asks for the first page, and `MAX_PAGE_SIZE` is the emulator's default
// page size (10), so a list of up to 10 items is walked exactly.

use otc_jobs_core::{
    Deletion, DeletionProbe, JobState, Operation, OperationResponse, PageCursor, PageStyle,
    Paginated, PathId, PathValue, Service,
};

/// `GET /v1.0/{project_id}/streaming/jobs` (offset/limit; first page only).
#[derive(Debug, Clone, Default)]
pub struct ListFlinkJobs;

#[derive(Debug, serde::Deserialize)]
pub struct FlinkJobList {
    pub job_list: FlinkJobPage,
}

#[derive(Debug, serde::Deserialize)]
pub struct FlinkJobPage {
    pub total_count: u64,
    pub jobs: Vec<FlinkJob>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct FlinkJob {
    pub job_id: u64,
    pub status: String,
}

impl OperationResponse for FlinkJobList {}

impl Operation for ListFlinkJobs {
    type Response = FlinkJobList;
    const NAME: &'static str = "ListFlinkJobs";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/streaming/jobs";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl Paginated for ListFlinkJobs {
    type Item = FlinkJob;
    const STYLE: PageStyle = PageStyle::OffsetLimit;
    const FIRST_PAGE: u32 = 1;
    const MAX_PAGE_SIZE: u32 = 10;
    fn page_size(&self) -> Option<u32> {
        None
    }
    fn with_page(&self, _: &PageCursor, _: u32) -> Self {
        ListFlinkJobs
    }
    fn into_items(response: FlinkJobList) -> Vec<FlinkJob> {
        response.job_list.jobs
    }
    fn total(response: &FlinkJobList) -> Option<u64> {
        Some(response.job_list.total_count)
    }
    fn next_marker(_: &FlinkJobList) -> Option<String> {
        None
    }
}

/// `GET /v1/{project_id}/training-jobs` (page/per_page; first page only).
#[derive(Debug, Clone, Default)]
pub struct ListTrainingJobs;

#[derive(Debug, serde::Deserialize)]
pub struct TrainingJobList {
    pub job_total_count: u64,
    pub jobs: Vec<TrainingJob>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct TrainingJob {
    pub job_id: u64,
    pub status: i64,
}

impl OperationResponse for TrainingJobList {}

impl Operation for ListTrainingJobs {
    type Response = TrainingJobList;
    const NAME: &'static str = "ListTrainingJobs";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/training-jobs";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl Paginated for ListTrainingJobs {
    type Item = TrainingJob;
    const STYLE: PageStyle = PageStyle::PageNumber;
    const FIRST_PAGE: u32 = 1;
    const MAX_PAGE_SIZE: u32 = 10;
    fn page_size(&self) -> Option<u32> {
        None
    }
    fn with_page(&self, _: &PageCursor, _: u32) -> Self {
        ListTrainingJobs
    }
    fn into_items(response: TrainingJobList) -> Vec<TrainingJob> {
        response.jobs
    }
    fn total(response: &TrainingJobList) -> Option<u64> {
        Some(response.job_total_count)
    }
    fn next_marker(_: &TrainingJobList) -> Option<String> {
        None
    }
}

/// `GET /v1.1/{project_id}/job-executions` (marker/limit; the emulator answers every
/// execution when no limit is given).
#[derive(Debug, Clone, Default)]
pub struct ListJobExecutions;

#[derive(Debug, serde::Deserialize)]
pub struct JobExecutionList {
    pub markers: Markers,
    pub job_executions: Vec<JobExecution>,
}

#[derive(Debug, serde::Deserialize)]
pub struct Markers {
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct JobExecution {
    pub id: String,
}

impl OperationResponse for JobExecutionList {}

impl Operation for ListJobExecutions {
    type Response = JobExecutionList;
    const NAME: &'static str = "ListJobExecutions";
    const SERVICE: Service = Service::Mrs;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1.1/{project_id}/job-executions";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, _: &str) -> Option<PathValue<'_>> {
        None
    }
}

impl Paginated for ListJobExecutions {
    type Item = JobExecution;
    const STYLE: PageStyle = PageStyle::Marker;
    const FIRST_PAGE: u32 = 1;
    const MAX_PAGE_SIZE: u32 = 1000;
    fn page_size(&self) -> Option<u32> {
        None
    }
    fn with_page(&self, _: &PageCursor, _: u32) -> Self {
        ListJobExecutions
    }
    fn into_items(response: JobExecutionList) -> Vec<JobExecution> {
        response.job_executions
    }
    fn total(_: &JobExecutionList) -> Option<u64> {
        None
    }
    fn next_marker(response: &JobExecutionList) -> Option<String> {
        response.markers.next.clone()
    }
}

/// `GET /v1/{project_id}/visualization-jobs/{job_id}`: the probe of a visualization job
/// deletion (ModelArts status 6 means the deletion failed).
#[derive(Debug, Clone)]
pub struct GetVisualizationJob {
    pub job_id: PathId,
}

#[derive(Debug, serde::Deserialize)]
pub struct VisualizationJob {
    pub status: Option<i64>,
}

impl OperationResponse for VisualizationJob {}

impl Operation for GetVisualizationJob {
    type Response = VisualizationJob;
    const NAME: &'static str = "GetVisualizationJob";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/visualization-jobs/{job_id}";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        (name == "job_id").then_some(PathValue::Text(&self.job_id))
    }
}

impl DeletionProbe for GetVisualizationJob {
    fn job_state(response: &VisualizationJob) -> JobState {
        match response.status {
            Some(6) => JobState::Failed { status: "6".into() },
            status => JobState::Present {
                status: status.map(|s| s.to_string()),
            },
        }
    }
}

/// `DELETE /v1/{project_id}/visualization-jobs/{job_id}`: asynchronous.
#[derive(Debug, Clone)]
pub struct DeleteVisualizationJob {
    pub job_id: PathId,
}

#[derive(Debug, serde::Deserialize)]
pub struct Deleted {}

impl OperationResponse for Deleted {}

impl Operation for DeleteVisualizationJob {
    type Response = Deleted;
    const NAME: &'static str = "DeleteVisualizationJob";
    const SERVICE: Service = Service::ModelArts;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1/{project_id}/visualization-jobs/{job_id}";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        (name == "job_id").then_some(PathValue::Text(&self.job_id))
    }
}

impl Deletion for DeleteVisualizationJob {
    type Probe = GetVisualizationJob;
    const ASYNCHRONOUS: bool = true;
    fn probe(&self) -> GetVisualizationJob {
        GetVisualizationJob {
            job_id: self.job_id.clone(),
        }
    }
}

/// `GET /v1.0/{project_id}/streaming/jobs/{job_id}`: the probe of a Flink job deletion.
#[derive(Debug, Clone)]
pub struct GetFlinkJob {
    pub job_id: u64,
}

#[derive(Debug, serde::Deserialize)]
pub struct FlinkJobDetail {
    pub job_detail: FlinkJob,
}

impl OperationResponse for FlinkJobDetail {}

impl Operation for GetFlinkJob {
    type Response = FlinkJobDetail;
    const NAME: &'static str = "GetFlinkJob";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::GET;
    const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/streaming/jobs/{job_id}";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        (name == "job_id").then_some(PathValue::Integer(self.job_id as i64))
    }
}

impl DeletionProbe for GetFlinkJob {
    fn job_state(response: &FlinkJobDetail) -> JobState {
        JobState::Present {
            status: Some(response.job_detail.status.clone()),
        }
    }
}

/// `DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`: synchronous.
#[derive(Debug, Clone)]
pub struct DeleteFlinkJob {
    pub job_id: u64,
}

impl Operation for DeleteFlinkJob {
    type Response = Deleted;
    const NAME: &'static str = "DeleteFlinkJob";
    const SERVICE: Service = Service::Dli;
    const METHOD: http::Method = http::Method::DELETE;
    const PATH_TEMPLATE: &'static str = "/v1.0/{project_id}/streaming/jobs/{job_id}";
    const SUCCESS_STATUS: &'static [u16] = &[200];
    fn path_param(&self, name: &str) -> Option<PathValue<'_>> {
        (name == "job_id").then_some(PathValue::Integer(self.job_id as i64))
    }
}

impl Deletion for DeleteFlinkJob {
    type Probe = GetFlinkJob;
    const ASYNCHRONOUS: bool = false;
    fn probe(&self) -> GetFlinkJob {
        GetFlinkJob {
            job_id: self.job_id,
        }
    }
}
