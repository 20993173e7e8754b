//! The DLI run cases ([`otc_jobs_conformance::dli_runs`]): SQL jobs and Spark batch jobs,
//! runs that can only be cancelled, each run with the async and the blocking client on a
//! fresh emulator; both must meet the case's expectation and reach the same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::Flavour;
use otc_jobs_conformance::dli_runs::{run_runs_case, runs_case, runs_cases};

fn conform(name: &str) {
    let case = runs_case(name).unwrap_or_else(|| panic!("no case {name}"));
    let from_async = run_runs_case(&case, Flavour::Async);
    (case.expect)(&from_async);
    let from_blocking = run_runs_case(&case, Flavour::Blocking);
    (case.expect)(&from_blocking);
    assert_eq!(from_async, from_blocking, "the clients disagree on {name}");
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { conform(stringify!($name)); } )*

        #[test]
        fn the_table_has_a_test_for_every_case() {
            let tested = [$(stringify!($name)),*];
            for case in runs_cases() {
                assert!(tested.contains(&case.name), "case {} has no test", case.name);
            }
            assert_eq!(tested.len(), runs_cases().len());
        }
    };
}

suite!(
    list_sql_jobs_filters_and_pages,
    list_sql_jobs_beyond_page_100_is_refused,
    get_sql_job_status,
    get_sql_job_status_not_found,
    cancel_sql_job_cancels_a_running_run,
    cancel_sql_job_of_a_finished_run_is_already_finished,
    cancel_sql_job_encodes_an_id_that_would_break_the_path,
    list_spark_jobs_filters_and_pages,
    get_spark_job,
    cancel_spark_job_answers_deleted,
    cancel_spark_job_of_a_finished_batch_is_already_finished,
    sql_job_list_walks_250_by_page_number_from_1,
    spark_job_list_walks_250_by_offset,
    sql_job_rows_through_the_kind_table,
    spark_job_rows_through_the_kind_table,
    sql_job_rows_beyond_10_000_jobs_are_listed_whole_by_windows,
    sql_job_rows_oldest_first_beyond_10_000_jobs_are_listed_whole_by_windows,
    sql_job_list_walk_stops_at_page_100_with_a_page_limit,
    sql_job_cancel_then_wait_until_over,
    spark_job_cancel_then_wait_until_over,
    sql_job_cancel_of_a_finished_run_through_the_kind_table,
);
