//! The generated list, detail and batch operations: requests (query, body), the pages'
//! example answers, paging and deletion probes as data, and answers that do not fit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::dli::{BatchDeleteFlinkJobs, DeleteFlinkJob, GetFlinkJob, ListFlinkJobs};
use otc_jobs_core::modelarts::{
    DeleteTrainingJob, DeleteTrainingJobVersion, DeleteVisualizationJob, GetTrainingJobVersion,
    GetVisualizationJob, ListTrainingJobVersions, ListTrainingJobs,
};
use otc_jobs_core::mrs::{DeleteJobExecution, GetJobExecution, ListJobExecutions};
use otc_jobs_core::{
    Deletion, DeletionProbe, Endpoints, Error, ErrorKind, JobState, OperationExt, PageCursor,
    PageStyle, Paginated, Region, ResponseErrorKind, Target,
};

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn answer(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn list_requests_send_their_filters_sorted_and_skip_absent_ones() {
    let endpoints = Endpoints::new(Region::EU_DE);
    let target = Target::new(&endpoints, PROJECT);
    let op = ListFlinkJobs::new()
        .status("job_running")
        .limit(50)
        .show_detail(true);
    let request = op.build_request(&target).unwrap();
    assert_eq!(
        request.uri().path_and_query().unwrap().as_str(),
        format!("/v1.0/{PROJECT}/streaming/jobs?limit=50&show_detail=true&status=job_running")
    );
    assert!(request.body().is_empty());

    // ModelArts' `sortBy` keeps its spelling on the wire.
    let op = ListTrainingJobs::new().sort_by("job_name").page(2);
    let request = op.build_request(&target).unwrap();
    assert_eq!(request.uri().query(), Some("page=2&sortBy=job_name"));

    let none = ListJobExecutions::new().build_request(&target).unwrap();
    assert_eq!(none.uri().query(), None);
}

#[test]
fn batch_delete_sends_its_json_body() {
    let endpoints = Endpoints::new(Region::EU_DE);
    let target = Target::new(&endpoints, PROJECT);
    let request = BatchDeleteFlinkJobs::new(vec![12, 232])
        .build_request(&target)
        .unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri().path(),
        format!("/v1.0/{PROJECT}/streaming/jobs/delete")
    );
    assert_eq!(request.body().as_slice(), br#"{"job_ids":[12,232]}"#);
    assert_eq!(request.headers()["content-type"], "application/json");
}

#[test]
fn the_pages_example_answers_parse() {
    // Listing Jobs (DLI): is_success as a string, nested job_list.jobs.
    let dli = ListFlinkJobs::parse_response(&answer(
        r#"{"is_success": "true", "message": "Jobs are successfully listed.",
            "job_list": {"total_count": 26, "jobs": [{"job_id": 146, "name": "aaaaa",
            "desc": "", "user_name": "", "job_type": "flink_sql_job", "status": "job_init",
            "status_desc": "", "create_time": 1578892414688, "duration": 0, "root_id": -1,
            "graph_editor_enabled": false, "has_savepoint": false}]}}"#,
    ))
    .unwrap();
    assert_eq!(ListFlinkJobs::total(&dli), Some(26));
    let jobs = ListFlinkJobs::into_items(dli);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].job_id, Some(146));
    assert_eq!(jobs[0].status.as_deref(), Some("job_init"));

    // Querying the Job Execution Object List (MRS): `id` (the table says `Id`), markers.
    let mrs = ListJobExecutions::parse_response(&answer(
        r#"{"markers": {"prev": "821c8924", "next": null}, "job_executions": [
            {"id": "84900772-8807-4ddc-9484-f719fa43711f", "is_protected": false,
             "is_public": null, "job_configs": null, "end_time": null}]}"#,
    ))
    .unwrap();
    assert_eq!(ListJobExecutions::next_marker(&mrs), None);
    let items = ListJobExecutions::into_items(mrs);
    assert_eq!(
        items[0].id.as_deref(),
        Some("84900772-8807-4ddc-9484-f719fa43711f")
    );

    // Querying Job Execution Object Details (MRS): the fields stand in `job_execution`.
    let detail = GetJobExecution::parse_response(&answer(
        r#"{"job_execution": {"id": "852042ea", "is_protected": false, "info": null}}"#,
    ))
    .unwrap();
    assert_eq!(
        detail.job_execution.unwrap().id.as_deref(),
        Some("852042ea")
    );

    // Querying a Training Job List (ModelArts).
    let ma = ListTrainingJobs::parse_response(&answer(
        r#"{"is_success": true, "quotas": 5, "job_total_count": 1, "job_count_limit": 3,
            "jobs": [{"job_id": 10, "job_name": "testModelArtsJob", "version_id": 10,
            "status": 10, "create_time": 1524189990635, "duration": 532003,
            "job_desc": "This is ModelArts job", "version_count": 5}]}"#,
    ))
    .unwrap();
    assert_eq!(ListTrainingJobs::total(&ma), Some(1));
    assert_eq!(ListTrainingJobs::into_items(ma)[0].status, Some(10));

    // Batch Deleting Jobs (DLI): a top-level array; its example's trailing comma removed.
    let batch = BatchDeleteFlinkJobs::parse_response(&answer(
        r#"[{"is_success": "true", "message": "The job is successfully deleted."}]"#,
    ))
    .unwrap();
    assert_eq!(batch.0[0].is_success, Some(true));
    assert!(
        BatchDeleteFlinkJobs::parse_response(&answer(""))
            .unwrap()
            .0
            .is_empty()
    );
}

#[test]
fn answers_that_do_not_fit_are_malformed_with_the_body_kept() {
    let body = r#"{"job_list": {"total_count": "many", "jobs": {}}}"#;
    match ListFlinkJobs::parse_response(&answer(body)).map_err(Error::into_kind) {
        Err(ErrorKind::Response(e)) => {
            assert_eq!(e.kind, ResponseErrorKind::Malformed);
            assert_eq!(*e.body, *body.as_bytes());
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
    match BatchDeleteFlinkJobs::parse_response(&answer(r#"{"is_success": true}"#))
        .map_err(Error::into_kind)
    {
        Err(ErrorKind::Response(e)) => assert_eq!(e.kind, ResponseErrorKind::Malformed),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn is_success_false_is_a_service_error_even_when_the_rest_does_not_fit() {
    let refused = answer(
        r#"{"is_success": false, "error_code": "ModelArts.0105", "error_message": "Error string"}"#,
    );
    assert!(matches!(
        ListTrainingJobs::parse_response(&refused).map_err(Error::into_kind),
        Err(ErrorKind::Service(_))
    ));
    // GetVisualizationJob's table omits is_success; the override adds it.
    assert!(matches!(
        GetVisualizationJob::parse_response(&refused).map_err(Error::into_kind),
        Err(ErrorKind::Service(_))
    ));
    // The jobs field has the wrong shape, but the body says no: still a refusal.
    let odd = answer(r#"{"is_success": "false", "job_list": 3}"#);
    assert!(matches!(
        ListFlinkJobs::parse_response(&odd).map_err(Error::into_kind),
        Err(ErrorKind::Service(_))
    ));
}

#[test]
fn paging_is_declared_per_operation() {
    assert_eq!(ListTrainingJobs::STYLE, PageStyle::PageNumber);
    assert_eq!(ListTrainingJobs::FIRST_PAGE, 1);
    assert_eq!(ListTrainingJobs::MAX_PAGE_SIZE, 1000);
    assert_eq!(ListFlinkJobs::STYLE, PageStyle::OffsetLimit);
    assert_eq!(ListFlinkJobs::MAX_PAGE_SIZE, 100);
    assert_eq!(ListJobExecutions::STYLE, PageStyle::Marker);

    let filtered = ListTrainingJobs::new().status("7");
    let next = filtered.with_page(&PageCursor::Number(3), 50);
    assert_eq!((next.page, next.per_page), (Some(3), Some(50)));
    assert_eq!(next.status.as_deref(), Some("7"));
    assert_eq!(next.page_size(), Some(50));

    let next = ListFlinkJobs::new().with_page(&PageCursor::Offset(200), 100);
    assert_eq!((next.offset, next.limit), (Some(200), Some(100)));

    let next = ListJobExecutions::new().with_page(&PageCursor::Marker(Some("m1".into())), 10);
    assert_eq!((next.marker.as_deref(), next.limit), (Some("m1"), Some(10)));
    let first = next.with_page(&PageCursor::Marker(None), 10);
    assert_eq!(first.marker, None);

    let versions = ListTrainingJobVersions::new(10).with_page(&PageCursor::Number(1), 5);
    assert_eq!(versions.job_id, 10);
    assert_eq!((versions.page, versions.per_page), (Some(1), Some(5)));

    let mrs = ListJobExecutions::parse_response(&answer(
        r#"{"markers": {"next": "abc"}, "job_executions": []}"#,
    ))
    .unwrap();
    assert_eq!(ListJobExecutions::next_marker(&mrs).as_deref(), Some("abc"));
    assert_eq!(ListJobExecutions::total(&mrs), None);
}

#[test]
fn deletions_poll_their_detail_operation() {
    let p = DeleteFlinkJob::new(148).probe();
    assert_eq!(p, GetFlinkJob::new(148));
    assert_eq!(
        [
            DeleteFlinkJob::ASYNCHRONOUS,
            DeleteTrainingJob::ASYNCHRONOUS
        ],
        [false, true]
    );
    assert_eq!(DeleteTrainingJob::new(10).probe().job_id, 10);
    let v = DeleteTrainingJobVersion::new(10, 2).probe();
    assert_eq!(v, GetTrainingJobVersion::new(10, 2));
    let id: otc_jobs_core::PathId = "abc".parse().unwrap();
    assert_eq!(
        DeleteVisualizationJob::new(id.clone()).probe(),
        GetVisualizationJob::new(id.clone())
    );
    assert_eq!(
        DeleteJobExecution::new(id.clone()).probe(),
        GetJobExecution::new(id)
    );
    assert_eq!(
        DeleteJobExecution::ASYNCHRONOUS,
        DeleteFlinkJob::ASYNCHRONOUS
    );
}

#[test]
fn probes_read_the_status_and_know_delete_failed() {
    let state = |body: &str| {
        GetVisualizationJob::job_state(&GetVisualizationJob::parse_response(&answer(body)).unwrap())
    };
    assert_eq!(
        state(r#"{"is_success": true, "status": 9}"#),
        JobState::Present {
            status: Some("9".into())
        }
    );
    assert_eq!(
        state(r#"{"is_success": true, "status": 6}"#),
        JobState::Failed { status: "6".into() }
    );
    assert_eq!(
        state(r#"{"is_success": true}"#),
        JobState::Present { status: None }
    );

    let versions = ListTrainingJobVersions::parse_response(&answer(
        r#"{"is_success": true, "versions": [{"version_id": 1, "status": 10}, {"version_id": 2, "status": 6}]}"#,
    ))
    .unwrap();
    assert_eq!(
        ListTrainingJobVersions::job_state(&versions),
        JobState::Failed { status: "6".into() }
    );

    let flink = GetFlinkJob::parse_response(&answer(
        r#"{"is_success": "true", "job_detail": {"job_id": 104, "status": "job_canceling"}}"#,
    ))
    .unwrap();
    assert_eq!(
        GetFlinkJob::job_state(&flink),
        JobState::Present {
            status: Some("job_canceling".into())
        }
    );
    let mrs = GetJobExecution::parse_response(&answer(r#"{"job_execution": {}}"#)).unwrap();
    assert_eq!(
        GetJobExecution::job_state(&mrs),
        JobState::Present { status: None }
    );
}
