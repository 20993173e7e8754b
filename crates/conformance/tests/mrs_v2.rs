//! The MRS v2 cases ([`otc_jobs_conformance::mrs_v2`]): the cluster list and the job
//! executions inside clusters, each run with the async and the blocking client on a fresh
//! emulator; both must meet the case's expectation and reach the same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::Flavour;
use otc_jobs_conformance::mrs_v2::{mrs_case, mrs_cases, run_mrs_case};

fn conform(name: &str) {
    let case = mrs_case(name).unwrap_or_else(|| panic!("no case {name}"));
    let from_async = run_mrs_case(&case, Flavour::Async);
    (case.expect)(&from_async);
    let from_blocking = run_mrs_case(&case, Flavour::Blocking);
    (case.expect)(&from_blocking);
    assert_eq!(from_async, from_blocking, "the clients disagree on {name}");
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { conform(stringify!($name)); } )*

        #[test]
        fn the_table_has_a_test_for_every_case() {
            let tested = [$(stringify!($name)),*];
            for case in mrs_cases() {
                assert!(tested.contains(&case.name), "case {} has no test", case.name);
            }
            assert_eq!(tested.len(), mrs_cases().len());
        }
    };
}

suite!(
    list_clusters,
    list_job_executions_v2_answers_202,
    list_job_executions_v2_cluster_gone,
    get_job_execution_v2,
    get_job_execution_v2_not_found_is_0176_500,
    get_job_execution_v2_camel_case_error_envelope,
    get_job_execution_v2_encodes_an_id_that_would_break_the_path,
    kill_job_execution_v2_kills_a_running_job,
    batch_delete_job_executions_v2_deletes_finished_jobs,
    batch_delete_job_executions_v2_refuses_a_running_job,
    cluster_list_walks_by_page_number,
    job_list_walks_250_by_page_number_from_1,
    job_list_walk_ends_with_the_error_when_the_cluster_goes,
    job_execution_rows_walk_every_cluster,
    job_execution_rows_cluster_id_narrows_and_filters_travel,
    job_execution_rows_a_cluster_gone_mid_walk_is_reported,
    job_execution_rows_of_12_clusters_each_once_in_cluster_order,
    job_execution_running_is_killed_then_deleted,
    job_execution_killed_at_once_is_deleted_after_one_poll,
    job_execution_gone_by_itself_once_killed_is_gone_without_a_deletion,
    job_execution_deletion_refused_0183_once_is_sent_again,
    job_execution_that_never_stops_ends_with_0183_naming_its_status,
    job_execution_finished_is_deleted_without_a_kill,
    job_execution_in_a_gone_cluster_is_not_found,
);
