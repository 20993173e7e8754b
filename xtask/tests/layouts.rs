//! The page reader on small synthetic pages, one layout rule each (the real pages are in
//! `pages.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use xtask::page;

const HEAD: &str =
    ".. _dli_02_9999:\n\nDoing a Thing\n=============\n\nFunction\n--------\n\nDoes it.\n\n";

fn extract(body: &str) -> Value {
    let p = page::read("dli/test.rst", &format!("{HEAD}{body}")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(p.extract()).unwrap()
}

#[test]
fn request_line_right_after_a_bullet_with_query_string() {
    let v = extract(
        r#"URI
---

-  URI format

GET /v1.0/{project_id}/jobs?limit=10

Example Request
---------------

.. note::

   POST /v2/other
"#,
    );
    assert_eq!(v["method"], "GET");
    assert_eq!(v["path_template"], "/v1.0/{project_id}/jobs");
    assert_eq!(
        v["path_params"],
        json!([{"name": "project_id", "type": null, "required": true}])
    );
}

#[test]
fn request_line_in_a_bullet_and_later_lines_ignored() {
    let v = extract(
        r#"URI
---

-  Format
   PUT /v1/{project_id}/x/{id}

.. note::

   DELETE /v9/y
"#,
    );
    assert_eq!(v["method"], "PUT");
    assert_eq!(v["path_template"], "/v1/{project_id}/x/{id}");
}

#[test]
fn mandatory_or_not_column_and_missing_type() {
    let v = extract(
        r#"URI
---

DELETE /v1/{project_id}/x/{x_id}

.. table:: **Table 1** URI parameters

   +------------+------------------+------------------------------+
   | Parameter  | Mandatory or Not | Description                  |
   +============+==================+==============================+
   | x_id       | No               | The **x** (see :ref:`T <a>`) |
   +------------+------------------+------------------------------+
   | verbose    | No               | Query flag                   |
   +------------+------------------+------------------------------+

Status Codes
------------

Status code 204 is returned when the call succeeds.
"#,
    );
    assert_eq!(
        v["path_params"],
        json!([{"name": "project_id", "type": null, "required": true}, {"name": "x_id", "type": null, "required": false}])
    );
    assert_eq!(
        v["query_params"],
        json!([{"name": "verbose", "type": null, "required": false}])
    );
    assert_eq!(v["success_status"], json!([204]), "a sentence saying so");
}

#[test]
fn get_request_table_is_query_and_header_tables_are_skipped() {
    let v = extract(
        r#"URI
---

GET /v1/{project_id}/x

Request Parameters
------------------

.. table:: **Table 2** Request header parameters

   ============ ========= ====== ===========
   Parameter    Mandatory Type   Description
   ============ ========= ====== ===========
   X-Auth-Token Yes       String Token.
   ============ ========= ====== ===========

.. table:: **Table 3** Request parameters

   ===== ========= ================== ===========
   Name  Mandatory Type               Description
   ===== ========= ================== ===========
   tags  No        List<resource_tag> Tags.
   page  Yes       Integer            Page.
   ===== ========= ================== ===========
"#,
    );
    assert_eq!(
        v["query_params"],
        json!([{"name": "tags", "type": "List<resource_tag>", "required": false}, {"name": "page", "type": "Integer", "required": true}])
    );
    assert_eq!(v["request_body_fields"], json!([]));
}

#[test]
fn post_body_is_top_level_only_and_none_means_empty() {
    let page = |body: &str| {
        extract(&format!(
            "URI\n---\n\nPOST /v1/{{project_id}}/x\n\nRequest Parameters\n------------------\n\n{body}\nResponse Parameters\n-------------------\n\nNone\n"
        ))
    };
    assert_eq!(page("None\n")["request_body_fields"], json!([]));
    let v = page(
        r#".. table:: **Table 2** Request parameters

   +-----------+-----------+------------------------------------+-------------+
   | Parameter | Mandatory | Type                               | Description |
   +===========+===========+====================================+=============+
   | jobs      | Yes       | Array of :ref:`JobProgress <t3>`   | Jobs.       |
   |           |           | objects                            |             |
   +-----------+-----------+------------------------------------+-------------+
   | name\_x   | No        | String                             | Name.       |
   +-----------+-----------+------------------------------------+-------------+

.. _t3:

.. table:: **Table 3** JobProgress

   ========= ========= ====== ===========
   Parameter Mandatory Type   Description
   ========= ========= ====== ===========
   inner     Yes       String Nested.
   ========= ========= ====== ===========
"#,
    );
    assert_eq!(
        v["request_body_fields"],
        json!([
            {"name": "jobs", "type": "Array of JobProgress objects", "required": true},
            {"name": "name_x", "type": "String", "required": false}
        ])
    );
    assert_eq!(v["response_fields"], json!([]));
}

#[test]
fn response_table_under_a_2xx_status_heading() {
    let v = extract(
        r#"URI
---

GET /v1/{project_id}/x

Response Parameters
-------------------

**Status code: 400**

.. table:: **Table 3** Response body parameters

   ========== ====== ===========
   Parameter  Type   Description
   ========== ====== ===========
   error_code String Error.
   ========== ====== ===========

**Status code: 201**

.. table:: **Table 4** Response body parameters

   ========== ================ ===========
   Parameter  Type             Description
   ========== ================ ===========
   job_id     Long             Id.
   names      Array of Strings Names.
   ========== ================ ===========

Example Responses
-----------------

**Status code: 202**

Accepted
"#,
    );
    assert_eq!(
        v["response_fields"],
        json!([{"name": "job_id", "type": "Long"}, {"name": "names", "type": "Array of Strings"}])
    );
    assert_eq!(v["success_status"], json!([201, 202]));
}

#[test]
fn service_from_original_name_and_path() {
    let body = "Title\n=====\n\nURI\n---\n\nGET /v1/{project_id}/x\n";
    let p = page::read(
        "x.rst",
        &format!(":original_name: mrs_02_0001.html\n\n{body}"),
    )
    .unwrap();
    assert_eq!(p.service, "mrs");
    let p = page::read("some/modelarts/api-ref/x.rst", body).unwrap();
    assert_eq!(p.service, "modelarts");
    let e = page::read("x.rst", body).unwrap_err();
    assert!(e.to_string().starts_with("x.rst:"), "{e}");
}

#[test]
fn errors_name_file_line_and_what_was_expected() {
    let e = page::read("a.rst", "no title here\n").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("a.rst", 1));
    let e = page::read("dli/b.rst", &format!("{HEAD}URI\n---\n\nSee the text.\n")).unwrap_err();
    assert_eq!(e.line, 11);
    assert!(e.expected.contains("request line"), "{e}");
    let e = page::read(
        "dli/c.rst",
        &format!("{HEAD}URI\n---\n\nGET /v1/x\n\n+-----+-----+\n| a   | b   |\n+-----+-----+\n| c   | d   |\n"),
    )
    .unwrap_err();
    assert_eq!(e.line, 19);
    assert!(e.expected.contains("bottom border"), "{e}");
    let e = page::read("dli/d.rst", &format!("{HEAD}URI\n---\n\nGET /v1/{{x\n")).unwrap_err();
    assert!(e.expected.contains("placeholder"), "{e}");
}

#[test]
fn cells_with_notes_lists_and_links_become_markdown_descriptions() {
    let p = page::read(
        "dli/test.rst",
        &format!(
            "{HEAD}{}",
            r#"URI
---

DELETE /v1/{project_id}/jobs/{job_id}

.. table:: **Table 1** URI parameters

   +--------+-----------+--------+----------------------------------------+
   | Param\ | Mandatory | Type   | Description                            |
   | eter   |           |        |                                        |
   +========+===========+========+========================================+
   | job_id | Yes       | Long   | Job ID. See :ref:`Jobs <dli_02_0001>`. |
   |        |           |        |                                        |
   |        |           |        | -  **1**: one                          |
   |        |           |        | -  **2**: two [x]                      |
   |        |           |        |                                        |
   |        |           |        | .. note::                              |
   |        |           |        |                                        |
   |        |           |        |    Keep it <short>.                    |
   +--------+-----------+--------+----------------------------------------+
"#
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let job = &p.path_params[1];
    assert_eq!(job.type_.as_deref(), Some("Long"));
    assert_eq!(
        job.description,
        "Job ID. See Jobs.\n\n- **1**: one\n- **2**: two \\[x\\]\n\nNote: Keep it \\<short\\>."
    );
}

#[test]
fn request_line_after_a_label_on_the_same_line() {
    let v = extract("URI\n---\n\n-  URI format: POST /v1.0/{project_id}/jobs/submit-job\n");
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path_template"], "/v1.0/{project_id}/jobs/submit-job");
}

#[test]
fn a_path_parameter_takes_its_own_row_and_a_table_of_headers_is_not_the_body() {
    // The exact spelling's row wins over an earlier one differing in case; a request
    // table whose every row is a header (no caption saying so) gives the content type,
    // and the body is the next table.
    let text = format!(
        "{HEAD}{}",
        r#"URI
---

PUT /v1/{project_id}/jobs/{job_id}

.. table:: **Table 1** URI parameters

   ========== ========= ====== =============
   Parameter  Mandatory Type   Description
   ========== ========= ====== =============
   project_id Yes       String The project.
   JOB_ID     Yes       Long   Not this one.
   job_id     Yes       String The job.
   ========== ========= ====== =============

Request
-------

.. table:: **Table 2** Parameters

   ============ ========= ====== ==============================
   Parameter    Mandatory Type   Description
   ============ ========= ====== ==============================
   Content-Type Yes       String Fill **application/xml** here.
   X-Auth-Token Yes       String The token.
   ============ ========= ====== ==============================

.. table:: **Table 3** Body

   ========= ========= ====== =========
   Parameter Mandatory Type   Description
   ========= ========= ====== =========
   name      Yes       String The name.
   ========= ========= ====== =========
"#
    );
    let p = page::read("dli/test.rst", &text).unwrap_or_else(|e| panic!("{e}"));
    let job = p.path_params.iter().find(|q| q.name == "job_id").unwrap();
    assert_eq!(job.type_.as_deref(), Some("String"));
    assert_eq!(job.description, "The job.");
    let body: Vec<&str> = p
        .request_body_fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(body, ["name"]);
    assert_eq!(p.content_type.as_deref(), Some("application/xml"));
    // Without the exact row, the other spelling is taken.
    let loose = text.replace("   job_id     Yes       String The job.\n", "");
    let p = page::read("dli/test.rst", &loose).unwrap_or_else(|e| panic!("{e}"));
    let job = p.path_params.iter().find(|q| q.name == "job_id").unwrap();
    assert_eq!(job.type_.as_deref(), Some("Long"));
}
