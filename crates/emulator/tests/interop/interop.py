"""The official Huawei Cloud Python SDK against otc-jobs-emulator, on 127.0.0.1.

Starts the emulator binary given by --emulator, seeds jobs through its admin API, deletes a
DLI Flink job (DliClient.delete_flink_job) and an MRS job execution
(MrsClient.delete_job_execution) with AK/SK, checks they are gone, reads MRS v2 job executions
(show_job_exe_list_new, show_single_job_exe, stop_job, batch_delete_jobs: every answer 202, a
running job refused with 0183 until stopped), and checks that a wrong
secret key is refused with 401 APIG.0301. Prints one line per check and "N passed, M failed";
exits 1 when a check failed.
"""

import argparse
import json
import subprocess
import sys
import traceback
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdli.v1 import (
    DeleteFlinkJobRequest,
    DliClient,
    ListFlinkJobsRequest,
    ShowFlinkJobRequest,
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
    shown = client.show_flink_job(ShowFlinkJobRequest(job_id=FLINK_JOB_ID))
    assert shown.job_detail.job_id == FLINK_JOB_ID, shown
    response = client.delete_flink_job(DeleteFlinkJobRequest(job_id=FLINK_JOB_ID))
    assert str(response.is_success).lower() == "true", response
    assert response.message == "The job is successfully deleted.", response
    # Gone: the detail answers DLI.0002, the list does not show it, deleting again is not found.
    expect_error(lambda: client.show_flink_job(ShowFlinkJobRequest(job_id=FLINK_JOB_ID)), 400, "DLI.0002")
    listed = client.list_flink_jobs(ListFlinkJobsRequest())
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
    listed = client.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER_ID, limit="1", offset="1"))
    assert listed.total_record == 2, listed
    assert [j.job_id for j in listed.job_list] == ["j-done"], listed
    assert listed.job_list[0].job_state == "FINISHED" and listed.job_list[0].job_result == "SUCCEEDED", listed
    assert listed.job_list[0].submitted_time == 1700000002000, listed
    assert isinstance(listed.job_list[0].arguments, str), listed
    running = client.show_job_exe_list_new(ShowJobExeListNewRequest(cluster_id=CLUSTER_ID, job_state="RUNNING"))
    assert [j.job_id for j in running.job_list] == ["j-running"], running
    # Details, 202.
    shown = client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER_ID, job_execution_id="j-running"))
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
    shown = client.show_single_job_exe(ShowSingleJobExeRequest(cluster_id=CLUSTER_ID, job_execution_id="j-running"))
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
    assert statuses == [202, 202, 202, 400, 202, 202, 202, 500, 400], statuses


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
    ("a wrong secret key is refused with 401 APIG.0301", check_wrong_secret_key),
    ("temporary AK/SK with X-Security-Token deletes", check_temporary_keys),
    ("the SDK's AK/SK signatures verified on the emulator", check_sdk_signatures_verified),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emulator", required=True, help="path to the otc-jobs-emulator binary")
    args = parser.parse_args()
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
