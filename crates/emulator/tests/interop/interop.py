"""The official Huawei Cloud Python SDK against otc-jobs-emulator, on 127.0.0.1.

Starts the emulator binary given by --emulator, seeds jobs through its admin API, deletes a
DLI Flink job (DliClient.delete_flink_job) and an MRS job execution
(MrsClient.delete_job_execution) with AK/SK, checks they are gone, reads MRS v2 job executions
(show_job_exe_list_new, show_single_job_exe, stop_job, batch_delete_jobs: every answer 202, a
running job refused with 0183 until stopped), ModelArts v2 training jobs (list_training_jobs,
the POST search paged by page index and filtered; show_training_job_details;
delete_training_job, 202 with the body "", then 404 ModelArts.2775) and DLI Flink job
templates (list_flink_sql_job_templates, delete_flink_sql_job_template; the emulator serves no
creation), and checks that a wrong secret key is refused with 401 APIG.0301. Answers are
checked against the SDK's models (`typed`: every value of the type the model declares, since
the SDK itself converts quietly), and an SDK conversion warning is an error. Prints one line
per check and "N passed, M failed"; exits 1 when a check failed.
"""

import argparse
import json
import subprocess
import sys
import time
import traceback
import urllib.request
import warnings

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.warning.warning import SdkWarning
from huaweicloudsdkdli.v1 import (
    DeleteFlinkJobRequest,
    DeleteFlinkSqlJobTemplateRequest,
    DliClient,
    ListFlinkJobsRequest,
    ListFlinkSqlJobTemplatesRequest,
    ShowFlinkJobRequest,
)
from huaweicloudsdkmodelarts.v1 import (
    DeleteTrainingJobRequest,
    Filter,
    JobSearches,
    ListTrainingJobsRequest,
    ModelArtsClient,
    ShowTrainingJobDetailsRequest,
)
from huaweicloudsdkmrs.v1 import DeleteJobExecutionRequest, MrsClient
from huaweicloudsdkmrs.v2 import (
    BatchDeleteJobsRequest,
    JobBatchDelete,
    MrsClient as MrsClientV2,
    ShowJobExeListNewRequest,
    ShowSingleJobExeRequest,
    StopJobRequest,
)

PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
AK = "HPUAEXAMPLEAK0000001"
SK = "ExampleSecretKey0123456789abcdefghijklmnopq"
TEMP_AK = "TEMPAKEXAMPLE0000002"
TEMP_SK = "TempSecretKeyExample9876543210ZYXWVUTSRQPO"
SECURITY_TOKEN = "interop-security-token"
FLINK_JOB_ID = 77
JOB_EXECUTION_ID = "669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3"
CLUSTER_ID = "5a3f1c2e-0c5d-4c6a-9b1e-000000000001"


class Emulator:
    """The emulator binary as a child process."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [
                binary, "--listen", "127.0.0.1:0", "--project-id", PROJECT_ID, "--ak", AK, "--sk", SK,
                "--temporary-key", "%s:%s:%s" % (TEMP_AK, TEMP_SK, SECURITY_TOKEN),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not first.startswith(prefix + "http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("unexpected first line from the emulator: %r" % first)
        self.url = first[len(prefix):]

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
            return json.loads(text) if text else None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def config():
    http_config = HttpConfig.get_default_config()
    http_config.retry_times = 0
    http_config.timeout = (5, 10)
    return http_config


def dli(url, sk=SK):
    credentials = BasicCredentials(AK, sk, PROJECT_ID)
    return DliClient.new_builder().with_http_config(config()).with_credentials(credentials).with_endpoints([url]).build()


def mrs(url, sk=SK):
    credentials = BasicCredentials(AK, sk, PROJECT_ID)
    return MrsClient.new_builder().with_http_config(config()).with_credentials(credentials).with_endpoints([url]).build()


def mrs_v2(url, sk=SK):
    credentials = BasicCredentials(AK, sk, PROJECT_ID)
    return MrsClientV2.new_builder().with_http_config(config()).with_credentials(credentials).with_endpoints([url]).build()


def modelarts(url, sk=SK):
    credentials = BasicCredentials(AK, sk, PROJECT_ID)
    return (
        ModelArtsClient.new_builder().with_http_config(config()).with_credentials(credentials).with_endpoints([url]).build()
    )


def mismatches(value, klass, models, path):
    """Where `value` (an answer's JSON) is not of the SDK's type `klass` (its model's type text)."""
    if value is None:
        return []
    if klass.startswith("list["):
        if not isinstance(value, list):
            return ["%s: %r is not a list" % (path, value)]
        return [m for i, v in enumerate(value) for m in mismatches(v, klass[5:-1], models, "%s[%d]" % (path, i))]
    if klass.startswith("dict("):
        if not isinstance(value, dict):
            return ["%s: %r is not an object" % (path, value)]
        inner = klass[5:-1].split(", ", 1)[1]
        return [m for k, v in value.items() for m in mismatches(v, inner, models, "%s.%s" % (path, k))]
    simple = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        # DLI sends its Booleans as the strings "true" and "false" (specs/overrides.toml).
        "bool": lambda v: isinstance(v, bool) or v in ("true", "false"),
        "object": lambda v: True,
    }
    if klass in simple:
        return [] if simple[klass](value) else ["%s: %r is not %s" % (path, value, klass)]
    model = getattr(models, klass)
    if not model.openapi_types:
        return []
    if not isinstance(value, dict):
        return ["%s: %r is not a %s" % (path, value, klass)]
    return [
        m
        for attr, kind in model.openapi_types.items()
        if model.attribute_map[attr] in value
        for m in mismatches(value[model.attribute_map[attr]], kind, models, "%s.%s" % (path, model.attribute_map[attr]))
    ]


def typed(client, response):
    """The response, after checking that every value of its body has the type the SDK's model
    gives it (the SDK's own parsing converts quietly: `int("7")`, `bool("false")`)."""
    raw = json.loads(response.raw_content) if response.raw_content else None
    found = mismatches(raw, type(response).__name__, client.model_package, "body")
    assert not found, found
    return response


def expect_error(call, status, code):
    try:
        call()
    except exceptions.ServiceResponseException as e:
        if e.status_code != status or e.error_code != code:
            raise AssertionError("expected %s %s, got %s %s: %s" % (status, code, e.status_code, e.error_code, e.error_msg))
        if not e.request_id:
            raise AssertionError("no request id in the error")
        return e
    raise AssertionError("expected %s %s, the call succeeded" % (status, code))


def jobs(emulator):
    return emulator.admin("GET", "/_emulator/jobs")


def check_dli_delete(emulator):
    emulator.admin("POST", "/_emulator/jobs", {"kind": "flink_job", "job_id": FLINK_JOB_ID, "name": "interop"})
    client = dli(emulator.url)
    shown = typed(client, client.show_flink_job(ShowFlinkJobRequest(job_id=FLINK_JOB_ID)))
    assert shown.job_detail.job_id == FLINK_JOB_ID, shown
    response = typed(client, client.delete_flink_job(DeleteFlinkJobRequest(job_id=FLINK_JOB_ID)))
    assert str(response.is_success).lower() == "true", response
    assert response.message == "The job is successfully deleted.", response
    # Gone: the detail answers DLI.0002, the list does not show it, deleting again is not found.
    expect_error(lambda: client.show_flink_job(ShowFlinkJobRequest(job_id=FLINK_JOB_ID)), 400, "DLI.0002")
    listed = typed(client, client.list_flink_jobs(ListFlinkJobsRequest()))
    assert listed.job_list.total_count == 0, listed
    expect_error(lambda: client.delete_flink_job(DeleteFlinkJobRequest(job_id=FLINK_JOB_ID)), 400, "DLI.0002")
    assert jobs(emulator) == [], jobs(emulator)


def check_mrs_delete(emulator):
    emulator.admin("POST", "/_emulator/jobs", {"kind": "job_execution", "job_execution_id": JOB_EXECUTION_ID})
    client = mrs(emulator.url)
    response = client.delete_job_execution(DeleteJobExecutionRequest(job_execution_id=JOB_EXECUTION_ID))
    assert response.status_code == 204, response.status_code
    # Gone: deleting again answers MRS's not-found code, and the emulator lists nothing.
    # (The SDK's only detail call, show_job_exes, is another API: /v1.1/{project_id}/job-exes.)
    expect_error(
        lambda: client.delete_job_execution(DeleteJobExecutionRequest(job_execution_id=JOB_EXECUTION_ID)), 500, "0176"
    )
    assert jobs(emulator) == [], jobs(emulator)


def check_mrs_v2_job_executions(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "job-execution", "cluster_id": CLUSTER_ID, "job_execution_id": "j-running", "name": "etl-a",
         "create_time": 1700000001000},
        {"kind": "job-execution", "cluster_id": CLUSTER_ID, "job_execution_id": "j-done", "name": "etl-b",
         "status": "FINISHED", "create_time": 1700000002000},
    ])
    client = mrs_v2(emulator.url)
    # The list: 202, paged by page number, filtered; every field read by the SDK's model.
    listed = typed(client, client.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER_ID, limit="1", offset="1")))
    assert listed.total_record == 2, listed
    assert [j.job_id for j in listed.job_list] == ["j-done"], listed
    assert listed.job_list[0].job_state == "FINISHED" and listed.job_list[0].job_result == "SUCCEEDED", listed
    assert listed.job_list[0].submitted_time == 1700000002000, listed
    assert isinstance(listed.job_list[0].arguments, str), listed
    running = client.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER_ID, job_state="RUNNING"))
    assert [j.job_id for j in running.job_list] == ["j-running"], running
    # Details, 202.
    shown = typed(client, client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER_ID, job_execution_id="j-running")))
    assert shown.job_detail.job_name == "etl-a" and shown.job_detail.job_state == "RUNNING", shown
    # A running job cannot be deleted (0183); killed, it can.
    expect_error(
        lambda: client.batch_delete_jobs(
            BatchDeleteJobsRequest(cluster_id=CLUSTER_ID, body=JobBatchDelete(job_id_list=["j-running"]))
        ),
        400,
        "0183",
    )
    client.stop_job(StopJobRequest(cluster_id=CLUSTER_ID, job_execution_id="j-running"))
    # A kill takes a while (the emulator's --kill-delay-ms, 100 ms by default: the job runs
    # on meanwhile), so its details are polled until it is KILLED, as a real caller does.
    polls, deadline = 0, time.monotonic() + 10
    while True:
        polls += 1
        shown = typed(client, client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER_ID, job_execution_id="j-running")))
        if shown.job_detail.job_state != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert shown.job_detail.job_state == "KILLED" and shown.job_detail.job_result == "KILLED", shown
    client.batch_delete_jobs(
        BatchDeleteJobsRequest(cluster_id=CLUSTER_ID, body=JobBatchDelete(job_id_list=["j-running", "j-done"]))
    )
    # Gone: the details answer 0176 (HTTP 500); a cluster that does not exist is 12000003.
    expect_error(
        lambda: client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER_ID, job_execution_id="j-done")),
        500,
        "0176",
    )
    try:
        client.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id="no-such-cluster"))
        raise AssertionError("a cluster that does not exist was listed")
    except exceptions.ServiceResponseException as e:
        assert e.status_code == 400, e
        assert "12000003" in (str(e.error_code) + str(e.error_msg) + str(e)), e
    assert jobs(emulator) == [], jobs(emulator)
    statuses = [r["status"] for r in emulator.admin("GET", "/_emulator/requests") if "/v2/" in r["path"]]
    assert statuses == [202, 202, 202, 400, 202] + [202] * polls + [202, 500, 400], statuses


def training_job_id(n):
    return "3faf5c03-aaa1-4cbe-879d-%012d" % n


def check_modelarts_v2_training_jobs(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "training-job", "job_id": training_job_id(1), "name": "resnet-a", "status": "Running",
         "create_time": 1700000001000},
        {"kind": "training-job", "job_id": training_job_id(2), "name": "resnet-b", "status": "Completed",
         "create_time": 1700000002000},
        {"kind": "training-job", "job_id": training_job_id(3), "name": "bert-c", "status": "Failed",
         "create_time": 1700000003000},
    ])
    client = modelarts(emulator.url)

    def search(**body):
        return typed(client, client.list_training_jobs(ListTrainingJobsRequest(body=JobSearches(**body))))

    # The search: offset is a page index, newest first by default; every item read into the
    # SDK's JobResponse (metadata, status, algorithm, spec).
    first = search(offset=0, limit=2)
    assert (first.total, first.count, first.limit, first.offset) == (3, 3, 2, 0), first
    assert [j.metadata.id for j in first.items] == [training_job_id(3), training_job_id(2)], first
    assert [j.metadata.name for j in first.items] == ["bert-c", "resnet-b"], first
    assert [j.status.phase for j in first.items] == ["Failed", "Completed"], first
    assert first.items[0].metadata.create_time == 1700000003000, first
    assert first.items[0].kind == "job" and first.items[0].algorithm.engine.engine_name, first
    assert first.items[0].spec.resource.node_count == 1, first
    second = search(offset=1, limit=2)
    assert [j.metadata.id for j in second.items] == [training_job_id(1)], second
    # Filters by name (part of it), phase and creation time; sorted by name, ascending.
    named = search(filters=[Filter(key="name", operator="like", value=["resnet"])], sort_by="name", order="asc")
    assert named.count == 2 and [j.metadata.name for j in named.items] == ["resnet-a", "resnet-b"], named
    running = search(filters=[Filter(key="phase", operator="in", value=["Running"])])
    assert [j.metadata.id for j in running.items] == [training_job_id(1)], running
    older = search(filters=[Filter(key="create_time", operator="between", value=["", "1700000002000"])])
    assert sorted(j.metadata.id for j in older.items) == [training_job_id(1), training_job_id(2)], older
    # A page the emulator refuses (limit over 50) is a ServiceResponseException the SDK read.
    expect_error(lambda: search(limit=51), 400, "ModelArts.0101")
    # Details.
    shown = typed(client, client.show_training_job_details(ShowTrainingJobDetailsRequest(training_job_id=training_job_id(2))))
    assert shown.metadata.id == training_job_id(2) and shown.metadata.name == "resnet-b", shown
    assert shown.status.phase == "Completed" and shown.metadata.create_time == 1700000002000, shown
    # Deletion: 202 with the body "", which the SDK accepts.
    deleted = typed(client, client.delete_training_job(DeleteTrainingJobRequest(training_job_id=training_job_id(2))))
    assert deleted.status_code == 202, deleted.status_code
    # Gone: details and a second deletion answer 404 ModelArts.2775; the search counts 2.
    expect_error(
        lambda: client.show_training_job_details(ShowTrainingJobDetailsRequest(training_job_id=training_job_id(2))),
        404,
        "ModelArts.2775",
    )
    expect_error(
        lambda: client.delete_training_job(DeleteTrainingJobRequest(training_job_id=training_job_id(2))),
        404,
        "ModelArts.2775",
    )
    assert search().total == 2, search()
    left = sorted(j["job_id"] for j in jobs(emulator) if j["kind"] == "training-job")
    assert left == [training_job_id(1), training_job_id(3)], jobs(emulator)
    for n in (1, 3):
        client.delete_training_job(DeleteTrainingJobRequest(training_job_id=training_job_id(n)))
    assert jobs(emulator) == [], jobs(emulator)


def check_dli_flink_templates(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "flink-template", "template_id": 11, "name": "tpl-a", "create_time": 1700000001000},
        {"kind": "flink-template", "template_id": 12, "name": "tpl-b", "create_time": 1700000002000,
         "job_type": "flink_opensource_sql_job"},
        {"kind": "flink-template", "template_id": 13, "name": "other", "create_time": 1700000003000,
         "tags": {"team": "etl"}},
    ])
    client = dli(emulator.url)

    def templates(**query):
        return typed(client, client.list_flink_sql_job_templates(ListFlinkSqlJobTemplatesRequest(**query)))

    # The list: offset/limit, newest first; template_id read as the SDK's int.
    listed = templates(limit=2, offset=0)
    assert listed.is_success is True and listed.template_list.total_count == 3, listed
    assert [t.template_id for t in listed.template_list.templates] == [13, 12], listed
    assert all(isinstance(t.template_id, int) for t in listed.template_list.templates), listed
    assert [t.name for t in listed.template_list.templates] == ["other", "tpl-b"], listed
    assert listed.template_list.templates[1].job_type == "flink_opensource_sql_job", listed
    assert listed.template_list.templates[1].create_time == 1700000002000, listed
    rest = templates(limit=2, offset=2)
    assert [t.template_id for t in rest.template_list.templates] == [11], rest
    named = templates(name="TPL", order="asc")
    assert [t.name for t in named.template_list.templates] == ["tpl-a", "tpl-b"], named
    tagged = templates(tags="team=etl")
    assert [t.template_id for t in tagged.template_list.templates] == [13], tagged
    # Deletion: 200 with the deleted template's id.
    deleted = typed(client, client.delete_flink_sql_job_template(DeleteFlinkSqlJobTemplateRequest(template_id=12)))
    assert deleted.is_success is True and deleted.template.template_id == 12, deleted
    assert deleted.message == "The template is successfully deleted.", deleted
    # Gone: deleting again is DLI.0002; the list counts 2.
    expect_error(
        lambda: client.delete_flink_sql_job_template(DeleteFlinkSqlJobTemplateRequest(template_id=12)), 400, "DLI.0002"
    )
    after = templates()
    assert after.template_list.total_count == 2, after
    assert sorted(t.template_id for t in after.template_list.templates) == [11, 13], after
    for n in (11, 13):
        client.delete_flink_sql_job_template(DeleteFlinkSqlJobTemplateRequest(template_id=n))
    assert jobs(emulator) == [], jobs(emulator)


def check_type_check_catches_wrong_types(emulator):
    # The check the cases above rely on: a value of another type than the SDK's model is found.
    import huaweicloudsdkdli.v1.model as dli_models
    import huaweicloudsdkmodelarts.v1.model as modelarts_models

    good = {"is_success": "true", "template_list": {"total_count": 1, "templates": [{"template_id": 2, "name": "n"}]}}
    assert mismatches(good, "ListFlinkSqlJobTemplatesResponse", dli_models, "body") == []
    bad = {"is_success": "yes", "template_list": {"total_count": "1", "templates": [{"template_id": "2"}]}}
    found = mismatches(bad, "ListFlinkSqlJobTemplatesResponse", dli_models, "body")
    assert [m.split(":")[0] for m in found] == [
        "body.is_success", "body.template_list.total_count", "body.template_list.templates[0].template_id"
    ], found
    job = {"items": [{"metadata": {"id": 7, "create_time": "1"}, "status": {"phase": ["Running"]}}]}
    found = mismatches(job, "ListTrainingJobsResponse", modelarts_models, "body")
    assert [m.split(":")[0] for m in found] == [
        "body.items[0].metadata.id", "body.items[0].metadata.create_time", "body.items[0].status.phase"
    ], found


def check_wrong_secret_key(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "flink_job", "job_id": 78},
        {"kind": "job_execution", "job_execution_id": "still-here"},
    ])
    before = len(emulator.admin("GET", "/_emulator/requests"))
    expect_error(lambda: dli(emulator.url, sk="wrong" + SK).delete_flink_job(DeleteFlinkJobRequest(job_id=78)), 401, "APIG.0301")
    expect_error(
        lambda: mrs(emulator.url, sk="wrong" + SK).delete_job_execution(DeleteJobExecutionRequest(job_execution_id="still-here")),
        401,
        "APIG.0301",
    )
    # Refused requests change nothing, and the emulator saw bad signatures.
    assert len(jobs(emulator)) == 2, jobs(emulator)
    refused = emulator.admin("GET", "/_emulator/requests")[before:]
    assert [r["signature_verified"] for r in refused] == [False, False], refused


def check_temporary_keys(emulator):
    emulator.admin("POST", "/_emulator/jobs", {"kind": "flink_job", "job_id": 79})
    credentials = BasicCredentials(TEMP_AK, TEMP_SK, PROJECT_ID).with_security_token(SECURITY_TOKEN)
    client = DliClient.new_builder().with_http_config(config()).with_credentials(credentials).with_endpoints([emulator.url]).build()
    client.delete_flink_job(DeleteFlinkJobRequest(job_id=79))
    expect_error(lambda: client.show_flink_job(ShowFlinkJobRequest(job_id=79)), 400, "DLI.0002")
    last = emulator.admin("GET", "/_emulator/requests")[-2]
    assert last["auth"] == "temporary_ak_sk" and last["signature_verified"] is True, last


def check_sdk_signatures_verified(emulator):
    recorded = emulator.admin("GET", "/_emulator/requests")
    good = [r for r in recorded if r["status"] in (200, 202, 204)]
    assert good, recorded
    for r in good:
        assert r["auth"] in ("ak_sk", "temporary_ak_sk") and r["signature_verified"] is True, r
        assert r["headers"] and any(name == "authorization" for name, _ in r["headers"]), r


CHECKS = [
    ("DLI DliClient.delete_flink_job deletes, the job is gone", check_dli_delete),
    ("MRS MrsClient.delete_job_execution deletes, the execution is gone", check_mrs_delete),
    ("MRS v2 show_job_exe_list_new, show_single_job_exe, stop_job, batch_delete_jobs", check_mrs_v2_job_executions),
    ("ModelArts v2 list_training_jobs, show_training_job_details, delete_training_job", check_modelarts_v2_training_jobs),
    ("DLI list_flink_sql_job_templates, delete_flink_sql_job_template", check_dli_flink_templates),
    ("the answers' type check finds values of another type than the SDK's", check_type_check_catches_wrong_types),
    ("a wrong secret key is refused with 401 APIG.0301", check_wrong_secret_key),
    ("temporary AK/SK with X-Security-Token deletes", check_temporary_keys),
    ("the SDK's AK/SK signatures verified on the emulator", check_sdk_signatures_verified),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emulator", required=True, help="path to the otc-jobs-emulator binary")
    args = parser.parse_args()
    # The SDK warns, and goes on with the raw value, when it cannot convert one: an error here.
    warnings.simplefilter("error", SdkWarning)
    emulator = Emulator(args.emulator)
    passed = failed = 0
    try:
        print("emulator at %s" % emulator.url)
        for name, check in CHECKS:
            try:
                check(emulator)
                passed += 1
                print("ok      %s" % name)
            except Exception:  # noqa: BLE001 - report every failure and go on
                failed += 1
                print("FAILED  %s" % name)
                traceback.print_exc(file=sys.stdout)
    finally:
        emulator.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
