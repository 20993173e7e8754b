//! The page reader on real pages: the five operation pages (against a golden extract),
//! their older seed text, every operation page of the shared snapshot, and extra pages of
//! other layouts fetched from the upstream repositories.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xtask::page::{self, Page, WarningKind};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(path: &Path) -> Page {
    page::read_file(path).unwrap_or_else(|e| panic!("{e}"))
}

fn extract(path: &Path) -> Value {
    serde_json::to_value(read(path).extract()).unwrap()
}

/// The five deletion pages (the first five of specs/operations.toml), in order: the pages
/// the golden extract and the seeds are about.
fn spec_pages() -> Vec<PathBuf> {
    let mut pages = all_spec_pages();
    pages.truncate(5);
    pages
}

/// The pages of specs/operations.toml, in order.
fn all_spec_pages() -> Vec<PathBuf> {
    let text = std::fs::read_to_string(root().join("specs/operations.toml")).unwrap();
    let ops: xtask::specs::OperationsFile = toml::from_str(&text).unwrap();
    ops.operations
        .iter()
        .map(|o| root().join("specs").join(&o.page))
        .collect()
}

fn rst_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rst_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rst") {
            out.push(p);
        }
    }
}

#[test]
fn five_operation_pages_match_the_golden_extract() {
    let got: Vec<Value> = spec_pages().iter().map(|p| extract(p)).collect();
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("expected/five_operations.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(Value::Array(got), want);
}

#[test]
fn extract_has_exactly_the_nine_keys_in_order() {
    let v = serde_json::to_string(&read(&spec_pages()[3]).extract()).unwrap();
    let keys = [
        "\"service\"",
        "\"title\"",
        "\"method\"",
        "\"path_template\"",
        "\"path_params\"",
        "\"query_params\"",
        "\"request_body_fields\"",
        "\"response_fields\"",
        "\"success_status\"",
    ];
    let mut at = 0;
    for k in keys {
        let pos = v[at..]
            .find(k)
            .unwrap_or_else(|| panic!("{k} missing or out of order in {v}"));
        at += pos;
    }
    let obj: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(obj.as_object().unwrap().len(), 9);
}

#[test]
fn seeds_read_to_the_same_model_as_the_current_pages() {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(fixtures().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    let current = spec_pages();
    assert_eq!(seeds.len(), current.len());
    for (seed, page) in seeds.iter().zip(&current) {
        let (a, b) = (read(seed), read(page));
        // The model as `cargo xtask extract` prints it (prose may differ: it is reworded upstream).
        let (ea, eb) = (
            serde_json::to_value(a.extract()).unwrap(),
            serde_json::to_value(b.extract()).unwrap(),
        );
        assert_eq!(ea, eb, "{} vs {}", seed.display(), page.display());
        let kinds = |p: &Page| {
            p.warnings
                .iter()
                .map(|w| (w.kind, w.subject.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds(&a), kinds(&b), "{}", seed.display());
    }
}

#[test]
fn dli_page_warnings_name_the_problems_and_are_not_fatal() {
    let p = read(&spec_pages()[3]);
    let invalid: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::ExampleInvalidJson)
        .collect();
    assert_eq!(invalid.len(), 1, "{:#?}", p.warnings);
    assert_eq!(
        invalid[0].line, 67,
        "the line of the closing brace after the trailing comma"
    );
    assert!(
        invalid[0].message.contains("trailing comma"),
        "{}",
        invalid[0].message
    );
    let mismatch: Vec<_> = p
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::ExampleTypeMismatch)
        .collect();
    assert_eq!(mismatch.len(), 1);
    assert_eq!(mismatch[0].subject.as_deref(), Some("is_success"));
    // The example is still read (leniently) so it can be checked against the table.
    assert_eq!(p.examples.len(), 1);
    assert_eq!(
        p.examples[0].json,
        Some(json!({"is_success": "true", "message": "The job is successfully deleted."}))
    );
}

#[test]
fn function_text_and_descriptions_are_markdown() {
    let p = read(&spec_pages()[3]);
    assert_eq!(
        p.function,
        "This API is used to delete a Flink job in any state.\n\nNote: The job records will not be deleted."
    );
    assert_eq!(p.path_params[1].description, "Job ID.");
    assert_eq!(
        p.response_fields[0].description,
        "Whether the request is successfully executed. Value **true** indicates that the request is successfully executed."
    );
    let ma = read(&spec_pages()[0]);
    assert_eq!(
        ma.response_fields[1].description,
        "Error message of a failed API call.\n\nThis parameter is not included when the API call succeeds."
    );
    assert_eq!(
        ma.response_fields[2].description.lines().next(),
        Some("Error code of a failed API call. For details, see Error Codes.")
    );
    assert_eq!(ma.label.as_deref(), Some("modelarts_03_0053"));
}

/// Every page of the shared snapshot that has a request line reads without error.
#[test]
fn every_shared_page_with_a_request_line_reads() {
    let mut files = Vec::new();
    rst_files(&fixtures().join("shared"), &mut files);
    files.extend(spec_pages());
    files.sort();
    let mut operation_pages = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let has_line = text.lines().any(|l| {
            let l = l.trim_start().trim_start_matches("- ").trim_start();
            ["GET /", "POST /", "PUT /", "DELETE /", "PATCH /"]
                .iter()
                .any(|m| l.starts_with(m))
        });
        let result = page::read(&f.display().to_string(), &text);
        if has_line {
            operation_pages += 1;
            let p = result.unwrap_or_else(|e| panic!("{e}"));
            assert!(p.path_template.starts_with('/'), "{}", f.display());
            assert!(
                p.path_params.iter().any(|q| q.name == "project_id"),
                "{}",
                f.display()
            );
        } else if let Err(e) = result {
            // Reference pages are not operations; they must fail politely, naming the file.
            assert!(e.to_string().starts_with(&f.display().to_string()), "{e}");
        }
    }
    assert_eq!(operation_pages, 13);
}

#[test]
fn related_pages_of_the_snapshot() {
    let shared = fixtures().join("shared");
    let mrs_list = extract(&shared.join(
        "mrs/api-ref/source/apis/job_execution_object_apis_v1_not_recommended/querying_the_job_execution_object_list.rst",
    ));
    // A URI table without Type column mixing path and query parameters.
    assert_eq!(
        mrs_list["path_params"],
        json!([{"name": "project_id", "type": null, "required": true}])
    );
    assert_eq!(
        mrs_list["query_params"],
        json!([
            {"name": "limit", "type": null, "required": false},
            {"name": "marker", "type": null, "required": false},
            {"name": "sort_by", "type": null, "required": false}
        ])
    );
    // Simple (`===`) nested tables do not leak into the top-level response.
    assert_eq!(
        mrs_list["response_fields"],
        json!([{"name": "markers", "type": "Object"}, {"name": "job_executions", "type": "Array"}])
    );
    assert_eq!(mrs_list["success_status"], json!([200]));

    let dli_list =
        extract(&shared.join("dli/api-ref/source/flink_job-related_apis/listing_jobs.rst"));
    let q: Vec<&str> = dli_list["query_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        q,
        [
            "job_type",
            "status",
            "queue_name",
            "order",
            "limit",
            "name",
            "offset",
            "show_detail",
            "user_name",
            "tags"
        ]
    );
    assert_eq!(
        dli_list["query_params"][4],
        json!({"name": "limit", "type": "Integer", "required": false})
    );
    assert_eq!(
        dli_list["response_fields"][2],
        json!({"name": "job_list", "type": "Object"})
    );

    let ma_version = extract(&shared.join(
        "modelarts/api-ref/source/historical_apis/training_management_old_version/training_jobs/querying_the_details_about_a_training_job_version.rst",
    ));
    assert_eq!(ma_version["method"], "GET");
    assert_eq!(
        ma_version["path_template"],
        "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}"
    );
    assert_eq!(ma_version["success_status"], json!([]));
    assert!(
        ma_version["response_fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == &json!({"name": "parameter", "type": "Array<Object>"}))
    );
}

struct Expect {
    file: &'static str,
    service: &'static str,
    method: &'static str,
    path: &'static str,
    path_params: Value,
    query: Value,
    body: Value,
    response: &'static [&'static str],
    status: &'static [u16],
}

/// Pages of other layouts, fetched from the upstream repositories (see fixtures/github/SOURCES.md).
#[test]
fn pages_of_other_layouts() {
    let cases = [
        Expect {
            file: "modelarts/api-ref/source/data_management/dataset_management/deleting_a_dataset.rst",
            service: "modelarts",
            method: "DELETE",
            path: "/v2/{project_id}/datasets/{dataset_id}",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}, {"name": "dataset_id", "type": "String", "required": true}]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[204],
        },
        Expect {
            file: "modelarts/api-ref/source/authorization_management/deleting_authorization.rst",
            service: "modelarts",
            method: "DELETE",
            path: "/v2/{project_id}/authorizations",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}]),
            query: json!([{"name": "user_id", "type": "String", "required": false}]),
            body: json!([]),
            response: &[],
            status: &[200],
        },
        Expect {
            file: "modelarts/api-ref/source/data_management/data_synchronization_task/synchronizing_a_dataset.rst",
            service: "modelarts",
            method: "POST",
            path: "/v2/{project_id}/datasets/{dataset_id}/sync-data",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}, {"name": "dataset_id", "type": "String", "required": true}]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[200],
        },
        Expect {
            file: "modelarts/api-ref/source/data_management/data_synchronization_task/querying_the_status_of_a_dataset_synchronization_task.rst",
            service: "modelarts",
            method: "GET",
            path: "/v2/{project_id}/datasets/{dataset_id}/sync-data/status",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}, {"name": "dataset_id", "type": "String", "required": true}]),
            query: json!([]),
            body: json!([]),
            response: &[
                "add_sample_count",
                "create_time",
                "dataset_id",
                "deleted_sample_count",
                "duration_time",
                "error_code",
                "error_msg",
                "status",
                "task_id",
                "total_sample_count",
            ],
            status: &[200],
        },
        Expect {
            file: "modelarts/api-ref/source/data_management/intelligent_task/stopping_an_intelligent_task.rst",
            service: "modelarts",
            method: "POST",
            path: "/v2/{project_id}/datasets/{dataset_id}/tasks/{task_id}/stop",
            path_params: json!([
                {"name": "project_id", "type": "String", "required": true},
                {"name": "dataset_id", "type": "String", "required": true},
                {"name": "task_id", "type": "String", "required": true}
            ]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[204],
        },
        Expect {
            file: "dli/api-ref/source/flink_job-related_apis/batch_deleting_jobs.rst",
            service: "dli",
            method: "POST",
            path: "/v1.0/{project_id}/streaming/jobs/delete",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}]),
            query: json!([]),
            body: json!([{"name": "job_ids", "type": "[Long]", "required": true}]),
            response: &["Array elements"],
            status: &[200],
        },
        Expect {
            file: "mrs/api-ref/source/apis/tag_management_apis/deleting_a_tag_of_a_specified_cluster.rst",
            service: "mrs",
            method: "DELETE",
            path: "/v1.1/{project_id}/clusters/{cluster_id}/tags/{key}",
            path_params: json!([
                {"name": "project_id", "type": null, "required": true},
                {"name": "cluster_id", "type": null, "required": true},
                {"name": "key", "type": null, "required": true}
            ]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[204],
        },
        Expect {
            file: "mrs/api-ref/source/apis/job_object_apis_v2/terminating_a_job.rst",
            service: "mrs",
            method: "POST",
            path: "/v2/{project_id}/clusters/{cluster_id}/job-executions/{job_execution_id}/kill",
            path_params: json!([
                {"name": "project_id", "type": null, "required": true},
                {"name": "cluster_id", "type": null, "required": true},
                {"name": "job_execution_id", "type": null, "required": true}
            ]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[202],
        },
        Expect {
            file: "mrs/api-ref/source/apis/data_source_apis/deleting_a_data_source.rst",
            service: "mrs",
            method: "DELETE",
            path: "/v1.1/{project_id}/data-sources/{data_source_id}",
            path_params: json!([{"name": "project_id", "type": null, "required": true}, {"name": "data_source_id", "type": null, "required": true}]),
            query: json!([]),
            body: json!([]),
            response: &[],
            status: &[204],
        },
        Expect {
            file: "mrs/api-ref/source/apis/job_object_apis_v2/deleting_jobs_in_batches.rst",
            service: "mrs",
            method: "POST",
            path: "/v2/{project_id}/clusters/{cluster_id}/job-executions/batch-delete",
            path_params: json!([{"name": "project_id", "type": null, "required": true}, {"name": "cluster_id", "type": null, "required": true}]),
            query: json!([]),
            body: json!([{"name": "job_id_list", "type": "Array", "required": true}]),
            response: &[],
            status: &[],
        },
        Expect {
            file: "mrs/api-ref/source/apis/cluster_management_apis_v2/changing_a_cluster_name.rst",
            service: "mrs",
            method: "PUT",
            path: "/v2/{project_id}/clusters/{cluster_id}/cluster-name",
            path_params: json!([{"name": "project_id", "type": "String", "required": true}, {"name": "cluster_id", "type": "String", "required": true}]),
            query: json!([]),
            body: json!([{"name": "cluster_name", "type": "String", "required": true}]),
            response: &["result"],
            status: &[200],
        },
        Expect {
            file: "dli/api-ref/source/queue-related_apis_recommended/deleting_a_scheduled_cu_change.rst",
            service: "dli",
            method: "DELETE",
            path: "/v1/{project_id}/queues/{queue_name}/plans/{plan_id}",
            path_params: json!([
                {"name": "project_id", "type": "String", "required": true},
                {"name": "queue_name", "type": "String", "required": true},
                {"name": "plan_id", "type": "Long", "required": true}
            ]),
            query: json!([]),
            body: json!([]),
            response: &["is_success", "message"],
            status: &[200],
        },
    ];
    for c in cases {
        let v = extract(&fixtures().join("github").join(c.file));
        assert_eq!(v["service"], c.service, "{}", c.file);
        assert_eq!(v["method"], c.method, "{}", c.file);
        assert_eq!(v["path_template"], c.path, "{}", c.file);
        assert_eq!(v["path_params"], c.path_params, "{}", c.file);
        assert_eq!(v["query_params"], c.query, "{}", c.file);
        assert_eq!(v["request_body_fields"], c.body, "{}", c.file);
        let names: Vec<&str> = v["response_fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, c.response, "{}", c.file);
        assert_eq!(v["success_status"], json!(c.status), "{}", c.file);
    }
}

#[test]
fn warnings_on_other_layouts() {
    let gh = fixtures().join("github");
    let tag = read(&gh.join(
        "mrs/api-ref/source/apis/tag_management_apis/deleting_a_tag_of_a_specified_cluster.rst",
    ));
    assert!(
        tag.warnings.iter().any(
            |w| w.kind == WarningKind::ParamUndocumented && w.subject.as_deref() == Some("key")
        )
    );
    let kill = read(&gh.join("mrs/api-ref/source/apis/job_object_apis_v2/terminating_a_job.rst"));
    let bad: Vec<_> = kill
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::ExampleInvalidJson)
        .collect();
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].message.contains("Example of a failed response"),
        "{}",
        bad[0].message
    );
    let batch =
        read(&gh.join("mrs/api-ref/source/apis/job_object_apis_v2/deleting_jobs_in_batches.rst"));
    assert!(
        batch
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::NoSuccessStatus)
    );
    // A valid example raises nothing.
    // `\**x*\*` in a cell: an escaped star, emphasis, an escaped star (as docutils reads it).
    let rename = read(
        &gh.join("mrs/api-ref/source/apis/cluster_management_apis_v2/changing_a_cluster_name.rst"),
    );
    let d = &rename.response_fields[0].description;
    assert!(d.contains(r"Value \**succeeded*\* indicates"), "{d}");
    assert_eq!(
        xtask::rst::plain(r"Value \**succeeded*\* indicates"),
        "Value *succeeded* indicates"
    );
    let sync = read(&gh.join("modelarts/api-ref/source/data_management/data_synchronization_task/querying_the_status_of_a_dataset_synchronization_task.rst"));
    assert_eq!(sync.warnings, []);
    assert_eq!(sync.examples.iter().filter(|e| e.request).count(), 1);
    assert_eq!(
        sync.examples
            .iter()
            .find(|e| !e.request)
            .and_then(|e| e.status),
        Some(200)
    );
}

/// No prefix of a real page makes the reader panic; each failure names the file and a line.
#[test]
fn truncated_pages_fail_politely() {
    for path in spec_pages() {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for n in 0..lines.len() {
            let cut = lines[..n].join("\n");
            if let Err(e) = page::read("cut.rst", &cut) {
                assert!(e.to_string().starts_with("cut.rst:"), "{e}");
                assert!(!e.expected.is_empty());
            }
        }
    }
}

#[test]
fn tables_are_tied_to_caption_and_section() {
    let p = read(&spec_pages()[3]);
    let t: Vec<(&str, Option<&str>, usize)> = p
        .tables
        .iter()
        .map(|t| (t.section, t.caption.as_deref(), t.rows))
        .collect();
    assert_eq!(
        t,
        [
            ("uri", Some("Table 1 URI parameters"), 2),
            ("response", Some("Table 2 Response parameters"), 2),
            ("status", Some("Table 3 Status codes"), 2),
        ]
    );
    assert_eq!(
        p.tables[2].label.as_deref(),
        Some("dli_02_0242__t43c1f1c0ba344f4cbcb270953d9cca2a")
    );
    assert_eq!(p.tables[2].header, ["Status Code", "Description"]);
    let mrs = read(&spec_pages()[4]);
    assert_eq!(
        mrs.tables[0].header,
        ["Parameter", "Mandatory", "Description"]
    );
    assert_eq!(mrs.tables[1].section, "status");
}

/// Lines removed or wide characters inserted anywhere in a real page: the reader may
/// refuse the page, but never panics.
#[test]
fn damaged_pages_never_panic() {
    for path in spec_pages() {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for n in 0..lines.len() {
            let mut removed = lines.clone();
            removed.remove(n);
            let _ = page::read("damaged.rst", &removed.join("\n"));
            for col in [0, 3, 7, 20] {
                let mut wide = lines.clone();
                let l = wide[n];
                let at = l.char_indices().nth(col).map_or(l.len(), |(i, _)| i);
                let changed = format!("{}作é\t{}", &l[..at], &l[at..]);
                wide[n] = &changed;
                let _ = page::read("damaged.rst", &wide.join("\n"));
            }
        }
    }
}

/// IAM's pages: the service from the folder (their labels are `en-us_topic_...`), the
/// request header table (no caption, under "Parameters in the request header") neither
/// query nor body but the source of the Content-Type, and the response's nested tables
/// found through the links in their name cells and the one-line titles before them.
#[test]
fn iam_pages_read_with_their_header_table_and_nested_tables() {
    let dir = root().join("specs/iam/api-ref/source/apis/project_management");
    let criteria =
        read(&dir.join("querying_project_information_based_on_the_specified_criteria.rst"));
    assert_eq!(criteria.service, "iam");
    assert_eq!(
        (criteria.method.as_str(), criteria.path_template.as_str()),
        ("GET", "/v3/projects")
    );
    let query: Vec<&str> = criteria
        .query_params
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        query,
        [
            "domain_id",
            "name",
            "parent_id",
            "enabled",
            "is_domain",
            "page",
            "per_page"
        ]
    );
    assert_eq!(
        criteria.content_type.as_deref(),
        Some("application/json;charset=UTF-8")
    );
    let projects = criteria
        .response_fields
        .iter()
        .find(|f| f.name == "projects")
        .unwrap();
    assert!(!projects.refs.is_empty(), "{projects:?}");
    let labelled: Vec<&str> = criteria
        .response_tables
        .iter()
        .filter_map(|t| t.label.as_deref())
        .collect();
    assert!(
        labelled
            .iter()
            .any(|l| projects.refs.iter().any(|r| r == l)),
        "{labelled:?}"
    );
    let auth = read(&dir.join("querying_the_list_of_projects_accessible_to_users.rst"));
    assert_eq!(auth.path_template, "/v3/auth/projects");
    assert!(auth.query_params.is_empty(), "{:?}", auth.query_params);
    assert_eq!(
        auth.content_type.as_deref(),
        Some("application/json;charset=UTF-8")
    );
    // The job services' pages keep the default.
    for page in spec_pages() {
        assert_eq!(read(&page).content_type, None, "{}", page.display());
    }
}
