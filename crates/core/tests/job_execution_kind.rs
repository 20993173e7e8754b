//! The `job-execution` kind (MRS v2): its ids are `CLUSTER_ID/JOB_ID`, an id without its
//! cluster is refused with the expected shape, ids that would break the path are refused
//! or encoded, and its facts (parent listed, kill then delete) as the kind table says.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_core::kinds::{Action, Filters, IdShape, Kind, KindId};
use otc_jobs_core::{Endpoints, OperationExt, Region, Target, mrs};

#[test]
fn ids_are_cluster_slash_job() {
    let id = Kind::JobExecution.parse_id(" c1/j1 ").unwrap();
    let KindId::JobExecution {
        cluster_id,
        job_execution_id,
    } = &id
    else {
        panic!("{id:?}")
    };
    assert_eq!(
        (cluster_id.as_str(), job_execution_id.as_str()),
        ("c1", "j1")
    );
    assert_eq!(id.to_string(), "c1/j1");
    assert_eq!(id.kind(), Kind::JobExecution);
    assert_eq!(Kind::JobExecution.parse_id_in("c1", "j1").unwrap(), id);
    assert!(matches!(Kind::JobExecution.id_shape(), IdShape::Pair(..)));
}

#[test]
fn an_id_without_its_cluster_is_refused_with_the_shape() {
    let err = Kind::JobExecution.parse_id("123").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("\"123\" is not a job-execution id"), "{text}");
    assert!(text.contains('/'), "the shape says cluster/job: {text}");
    for bad in ["/j1", "c1/", "c1/..", "../j1", "c1/."] {
        assert!(Kind::JobExecution.parse_id(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_job_id_with_slashes_is_one_encoded_segment() {
    // The id's last part is read as one text: a slash in it stays in the job id, and the
    // request encodes it, so it cannot reach another path.
    let id = Kind::JobExecution.parse_id("c1/a/b").unwrap();
    let KindId::JobExecution {
        cluster_id,
        job_execution_id,
    } = id
    else {
        panic!()
    };
    let op = mrs::GetJobExecutionV2::new(cluster_id, job_execution_id);
    let endpoints = Endpoints::new(Region::EU_DE);
    let request = op.build_request(&Target::new(&endpoints, "p1")).unwrap();
    assert_eq!(
        request.uri().path(),
        "/v2/p1/clusters/c1/job-executions/a%2Fb"
    );
}

#[test]
fn facts_say_listed_parent_and_kill_then_delete() {
    let kind = Kind::JobExecution;
    assert_eq!(kind.name(), "job-execution");
    assert_eq!(kind.parent(), None, "the parent is a list, not a kind");
    assert_eq!(kind.action(), Action::StopThenDelete);
    assert!(!kind.has_batch_delete());
    let flags: Vec<&str> = kind.filters().iter().map(|f| f.flag).collect();
    assert_eq!(
        flags,
        [
            "cluster-id",
            "status",
            "name",
            "job-type",
            "result",
            "order"
        ]
    );
    let mut filters = Filters::new(kind);
    filters.set("status", "RUNNING").unwrap();
    assert!(filters.set("status", "SLEEPING").is_err());
    filters.set("order", "asc").unwrap();
    filters.set("cluster-id", "c1").unwrap();
}
