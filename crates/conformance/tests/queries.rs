//! The query cases ([`otc_jobs_conformance::queries`]): the generated list, detail and
//! batch operations, paging over 1,000+ jobs in each style, faults between pages and the
//! deletion waiters, each run with the async and the blocking client on a fresh emulator;
//! both must meet the case's expectation and reach the same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::Flavour;
use otc_jobs_conformance::queries::{query_case, query_cases, run_query};

fn conform(name: &str) {
    let case = query_case(name).unwrap_or_else(|| panic!("no case {name}"));
    let (from_async, async_timing) = run_query(&case, Flavour::Async);
    (case.expect)(&from_async, &async_timing);
    let (from_blocking, blocking_timing) = run_query(&case, Flavour::Blocking);
    (case.expect)(&from_blocking, &blocking_timing);
    assert_eq!(from_async, from_blocking, "the clients disagree on {name}");
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { conform(stringify!($name)); } )*

        #[test]
        fn the_table_has_a_test_for_every_case() {
            let tested = [$(stringify!($name)),*];
            for case in query_cases() {
                assert!(tested.contains(&case.name), "case {} has no test", case.name);
            }
            assert_eq!(tested.len(), query_cases().len());
        }
    };
}

suite!(
    list_training_jobs,
    list_training_job_versions,
    get_training_job_version,
    list_visualization_jobs,
    get_visualization_job,
    list_flink_jobs,
    get_flink_job,
    batch_delete_flink_jobs,
    list_job_executions,
    get_job_execution,
    walks_1050_training_jobs_by_page_number,
    walks_1050_flink_jobs_by_offset,
    walks_1050_job_executions_by_marker,
    walks_visualization_jobs_by_page_number,
    walks_training_job_versions_by_page_number,
    flink_filters_are_sent_as_documented_and_select,
    training_filters_are_sent_as_documented_and_select,
    job_executions_sorted_as_asked_across_markers,
    throttled_between_pages_is_waited_out,
    failing_page_ends_the_walk_after_the_items_seen,
    visualization_job_waited_for_until_gone,
    training_job_waited_for_until_gone,
    failed_deletion_is_status_6,
    wait_shorter_than_the_deletion_times_out_in_time,
    gateway_404_during_a_wait_is_an_error_not_gone,
    html_404_confirming_a_deletion_is_an_error_not_gone,
    flink_deletion_confirmed_by_one_poll,
    job_execution_deletion_confirmed_by_one_poll,
    quickstart_visualization_job_listed_fetched_and_deleted,
    non_numeric_visualization_job_id_is_an_invalid_argument,
);
