"""The official Python SDK's side of the e2e bench: sequential DLI deletes on the emulator.

python e2e_sdk.py URL FIRST_JOB_ID COUNT AK SK PROJECT_ID
Prints one JSON line: elapsed and CPU seconds of the loop, each call's latency, failures.
"""

import json
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdli.v1 import DeleteFlinkJobRequest, DliClient


def main():
    url, first, count, ak, sk, project = sys.argv[1:7]
    first, count = int(first), int(count)
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (5, 10)
    credentials = BasicCredentials(ak, sk, project)
    client = DliClient.new_builder().with_http_config(config).with_credentials(credentials).with_endpoints([url]).build()
    # One call outside the measured loop: the SDK builds its session lazily.
    try:
        client.delete_flink_job(DeleteFlinkJobRequest(job_id=first))
    except Exception:  # noqa: BLE001 - the warm-up's outcome does not matter
        pass
    latencies, failures = [], 0
    started, cpu = time.perf_counter(), time.process_time()
    for job_id in range(first + 1, first + count):
        t = time.perf_counter()
        try:
            client.delete_flink_job(DeleteFlinkJobRequest(job_id=job_id))
        except Exception:  # noqa: BLE001 - counted, not fatal
            failures += 1
        latencies.append(time.perf_counter() - t)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"elapsed": elapsed, "cpu": cpu, "latencies": latencies, "failures": failures}))


if __name__ == "__main__":
    main()
