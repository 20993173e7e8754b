#!/bin/bash
# `otc-jobs list flink-job -o json` against the emulator binary seeded with N Flink jobs,
# ROUNDS times, a fresh emulator each time (pinned to CPU 1, the tool to CPU 0): wall time,
# CPU and peak RSS of the tool, from /usr/bin/time. For the time per job at 10,000 and at
# 100,000 jobs:
#
#   cargo build --release -p otc-jobs-cli --bin otc-jobs
#   cargo build --release -p otc-jobs-emulator --bin otc-jobs-emulator
#   bash benches/scripts/list_scale.sh 10000 3; bash benches/scripts/list_scale.sh 100000 3
#
# `EMULATOR=…` and `OTC_JOBS=…` point at other builds (before/after).
set -euo pipefail
n=${1:-10000}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
emulator=${EMULATOR:-$root/target/release/otc-jobs-emulator}
tool=${OTC_JOBS:-$root/target/release/otc-jobs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "
import json, sys
n = int(sys.argv[1])
json.dump([{'kind': 'flink_job', 'job_id': i + 1, 'queue_name': 'q1'} for i in range(n)], open(sys.argv[2], 'w'))
" "$n" "$work/seed.json"
for _ in $(seq "$rounds"); do
  taskset -c 1 "$emulator" --seed "$work/seed.json" > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 300); do
    grep -q listening "$work/out" 2>/dev/null && grep -q '^export' "$work/err" && break
    sleep 0.2
  done
  (
    eval "$(grep '^export' "$work/err")"
    /usr/bin/time -f "$n jobs: %e s wall, %U+%S s CPU, peak RSS %M KiB" \
      taskset -c 0 "$tool" list flink-job -o json > "$work/list.json"
  )
  echo "  $(grep -c '"id"' "$work/list.json") rows listed"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
