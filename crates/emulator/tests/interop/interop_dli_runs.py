"""DLI SQL jobs and Spark batch jobs: the official Huawei Cloud Python SDK against
otc-jobs-emulator, on 127.0.0.1 (run by run.sh after interop.py, with the same arguments).

Seeds runs through the admin API, lists them (DliClient.list_sql_jobs with paging and a
status filter, list_spark_jobs with from/size), cancels a running one (cancel_sql_job,
cancel_spark_job: it becomes CANCELLED / dead and stays listed) and checks that cancelling a
run that is over is refused with 400 DLI.0007. Prints one line per check and
"N passed, M failed"; exits 1 when a check failed.
"""

import argparse
import sys
import traceback

from huaweicloudsdkdli.v1 import (
    CancelSparkJobRequest,
    CancelSqlJobRequest,
    ListSparkJobsRequest,
    ListSqlJobsRequest,
)

from interop import Emulator, dli, expect_error, jobs

SQL_RUNNING = "37286cc7-0508-4ffd-b636-951c8a5c75de"
SQL_FINISHED = "37286cc7-0508-4ffd-b636-951c8a5c75df"
BATCH_RUNNING = "178fa687-2e8a-41ed-a439-b00de60bb176"
BATCH_DONE = "178fa687-2e8a-41ed-a439-b00de60bb177"
T0 = 1_700_000_000_000


def status_of(emulator, kind, id_field, id_):
    for job in jobs(emulator):
        if job["kind"] == kind and job[id_field] == id_:
            return job.get("status")
    raise AssertionError("no %s %s" % (kind, id_))


def check_sql_jobs(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "sql-job", "job_id": SQL_RUNNING, "status": "RUNNING", "statement": "select 1", "create_time": T0 + 1},
        {"kind": "sql-job", "job_id": SQL_FINISHED, "status": "FINISHED", "create_time": T0},
    ])
    client = dli(emulator.url)
    listed = client.list_sql_jobs(ListSqlJobsRequest(page_size=1, current_page=1))
    assert listed.job_count == 2, listed
    assert [j.job_id for j in listed.jobs] == [SQL_RUNNING], listed  # newest first, one a page
    assert listed.jobs[0].status == "RUNNING" and listed.jobs[0].statement == "select 1", listed
    finished = client.list_sql_jobs(ListSqlJobsRequest(job_status="FINISHED"))
    assert [j.job_id for j in finished.jobs] == [SQL_FINISHED], finished

    cancelled = client.cancel_sql_job(CancelSqlJobRequest(job_id=SQL_RUNNING))
    assert cancelled.is_success is True, cancelled
    assert status_of(emulator, "sql-job", "job_id", SQL_RUNNING) == "CANCELLED"
    for id_ in (SQL_RUNNING, SQL_FINISHED):
        expect_error(lambda: client.cancel_sql_job(CancelSqlJobRequest(job_id=id_)), 400, "DLI.0007")
    assert len(client.list_sql_jobs(ListSqlJobsRequest()).jobs) == 2  # a cancelled run stays


def check_spark_jobs(emulator):
    emulator.admin("POST", "/_emulator/jobs", [
        {"kind": "spark-job", "batch_id": BATCH_RUNNING, "name": "nightly", "status": "running", "create_time": T0 + 1},
        {"kind": "spark-job", "batch_id": BATCH_DONE, "status": "success", "create_time": T0},
    ])
    client = dli(emulator.url)
    listed = client.list_spark_jobs(ListSparkJobsRequest(_from=0, size=10))
    assert listed.total == 2, listed
    assert [s.id for s in listed.sessions] == [BATCH_RUNNING, BATCH_DONE], listed
    assert listed.sessions[0].state == "running" and listed.sessions[0].name == "nightly", listed
    page = client.list_spark_jobs(ListSparkJobsRequest(_from=1, size=1))
    assert [s.id for s in page.sessions] == [BATCH_DONE], page

    cancelled = client.cancel_spark_job(CancelSparkJobRequest(batch_id=BATCH_RUNNING))
    assert cancelled.msg == "deleted", cancelled
    assert status_of(emulator, "spark-job", "batch_id", BATCH_RUNNING) == "dead"
    expect_error(lambda: client.cancel_spark_job(CancelSparkJobRequest(batch_id=BATCH_DONE)), 400, "DLI.0007")


CHECKS = [
    ("DLI list_sql_jobs, cancel_sql_job (a finished run refused with DLI.0007)", check_sql_jobs),
    ("DLI list_spark_jobs, cancel_spark_job (a finished batch refused with DLI.0007)", check_spark_jobs),
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
