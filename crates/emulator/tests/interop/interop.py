"""The official Huawei Cloud Python SDK against otc-jobs-emulator, on 127.0.0.1.

Starts the emulator binary given by --emulator, seeds jobs through its admin API, deletes a
DLI Flink job (DliClient.delete_flink_job) and an MRS job execution
(MrsClient.delete_job_execution) with AK/SK, checks they are gone, and checks that a wrong
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

PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
AK = "HPUAEXAMPLEAK0000001"
SK = "ExampleSecretKey0123456789abcdefghijklmnopq"
TEMP_AK = "TEMPAKEXAMPLE0000002"
TEMP_SK = "TempSecretKeyExample9876543210ZYXWVUTSRQPO"
SECURITY_TOKEN = "interop-security-token"
FLINK_JOB_ID = 77
JOB_EXECUTION_ID = "669b8ae8-0e74-4bc9-a7b6-6f8b4ad10bd3"


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
    good = [r for r in recorded if r["status"] in (200, 204)]
    assert good, recorded
    for r in good:
        assert r["auth"] in ("ak_sk", "temporary_ak_sk") and r["signature_verified"] is True, r
        assert r["headers"] and any(name == "authorization" for name, _ in r["headers"]), r


CHECKS = [
    ("DLI DliClient.delete_flink_job deletes, the job is gone", check_dli_delete),
    ("MRS MrsClient.delete_job_execution deletes, the execution is gone", check_mrs_delete),
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
