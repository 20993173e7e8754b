//! The kind cases ([`otc_jobs_conformance::kinds`]): the operations of the kinds the kind
//! table added, and its dispatch (`list_rows`, `delete_id`, `wait_id_gone`,
//! `batch_delete`), each run with the async and the blocking client on a fresh emulator;
//! both must meet the case's expectation and reach the same outcome.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use otc_jobs_conformance::Flavour;
use otc_jobs_conformance::kinds::{kind_case, kind_cases, run_kind_case};

fn conform(name: &str) {
    let case = kind_case(name).unwrap_or_else(|| panic!("no case {name}"));
    let from_async = run_kind_case(&case, Flavour::Async);
    (case.expect)(&from_async);
    let from_blocking = run_kind_case(&case, Flavour::Blocking);
    (case.expect)(&from_blocking);
    assert_eq!(from_async, from_blocking, "the clients disagree on {name}");
}

macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { conform(stringify!($name)); } )*

        #[test]
        fn the_table_has_a_test_for_every_case() {
            let tested = [$(stringify!($name)),*];
            for case in kind_cases() {
                assert!(tested.contains(&case.name), "case {} has no test", case.name);
            }
            assert_eq!(tested.len(), kind_cases().len());
        }
    };
}

suite!(
    versions_of_one_job_with_its_parent_filter,
    a_parent_filter_that_is_no_parent_id_is_refused_unsent,
    list_training_jobs_v2,
    get_training_job_v2,
    delete_training_job_v2_answers_202,
    delete_training_job_v2_empty_202_is_success,
    get_training_job_v2_not_found,
    delete_training_job_v2_not_found,
    training_job_rows_walk_the_search_by_body_pages,
    training_job_filters_travel_in_the_search_body,
    training_job_search_is_resent_after_a_lost_answer,
    training_job_deleted_then_waited_until_not_found,
    training_job_item_without_id_is_reported,
    list_flink_templates,
    delete_flink_template,
    delete_flink_template_not_found,
    flink_template_rows_walk_250_by_offset,
    flink_template_filters_select,
    flink_template_deletion_confirmed_by_the_list,
    list_training_configs,
    get_training_config_with_an_odd_name,
    delete_training_config,
    get_training_config_not_found,
    training_config_rows_walk_1050_by_page_number,
    training_config_deletion_confirmed_by_one_poll,
    list_job_objects,
    get_job_object,
    delete_job_object_answers_204,
    get_job_object_not_found,
    job_v1_rows_walk_2100_by_marker,
    job_v1_deletion_confirmed_by_one_poll,
    list_job_binaries,
    get_job_binary,
    delete_job_binary_answers_204,
    delete_job_binary_not_found,
    job_binary_v1_rows_and_deletion,
    job_binary_v1_rows,
    job_execution_v1_rows_have_name_and_status,
    training_job_v1_failed_is_waited_as_failed,
    training_job_v1_failed_deletion_waits_failed,
    training_job_version_v1_rows_walk_each_job,
    flink_job_batch_through_the_table,
    flink_job_described_by_one_detail_request,
    training_job_v1_described_through_its_versions,
    a_missing_job_is_described_gone,
    a_kind_without_a_detail_operation_is_not_described,
);
