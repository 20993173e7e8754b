//! The conformance suite: every case of the table, run with the async and the blocking
//! client on a fresh emulator each; both must meet the case's expectation and reach the
//! same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::{Flavour, case, cases, run};

fn conform(name: &str) {
    let case = case(name).unwrap_or_else(|| panic!("no case {name}"));
    let (from_async, async_elapsed) = run(&case, Flavour::Async);
    (case.expect)(&from_async, async_elapsed);
    let (from_blocking, blocking_elapsed) = run(&case, Flavour::Blocking);
    (case.expect)(&from_blocking, blocking_elapsed);
    assert_eq!(from_async, from_blocking, "the clients disagree on {name}");
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { conform(stringify!($name)); } )*

        #[test]
        fn the_table_has_a_test_for_every_case() {
            let tested = [$(stringify!($name)),*];
            for case in cases() {
                assert!(tested.contains(&case.name), "case {} has no test", case.name);
            }
            assert_eq!(tested.len(), cases().len());
        }
    };
}

suite!(
    deletes_training_job,
    deletes_training_job_version,
    deletes_visualization_job,
    deletes_flink_job,
    deletes_job_execution,
    not_found_training_job,
    not_found_training_job_version,
    not_found_visualization_job,
    not_found_flink_job,
    not_found_job_execution,
    wrong_base_path_is_not_gone_dli,
    wrong_base_path_is_not_gone_modelarts,
    wrong_base_path_is_not_gone_mrs,
    derived_key_signature_modelarts,
    derived_key_signature_dli,
    derived_key_signature_mrs,
    html_404_of_a_web_server_is_not_gone,
    empty_404_is_not_gone,
    service_404_in_its_own_envelope_is_gone,
    dli_16001_is_gone,
    another_services_not_found_code_is_not_gone,
    connection_refused_is_a_misconfiguration,
    success_false_is_an_error,
    throttled_then_success_honours_retry_after,
    throttled_returned_at_once_when_the_caller_paces,
    unavailable_then_success_honours_a_retry_after_date,
    http_500_retried_then_given_up,
    http_502_retried_then_given_up,
    http_503_retried_then_given_up,
    http_504_retried_then_given_up,
    connection_closed_then_retried,
    slower_than_timeout_every_time_is_a_timeout,
    timeout_then_retried,
    truncated_body_then_retried,
    truncated_body_every_time,
    malformed_json_then_retried,
    malformed_json_every_time,
    answer_lost_then_not_found_means_gone,
    redirect_is_reported_not_followed,
    oversized_body_fails_without_buffering,
    wrong_secret_key_is_apig_0301,
    expired_token_refreshed_once,
    password_login_with_project_name,
    aksk_with_project_name_resolves_the_id,
    temporary_aksk,
    fixed_token,
    expired_fixed_token_is_apig_0307,
);
