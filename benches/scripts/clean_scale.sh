#!/bin/bash
# `otc-jobs clean flink-job --yes --parallelism 16` against the emulator binary seeded with
# 10,000 and with N Flink jobs (100,000 by default), ROUNDS times each, interleaved, a fresh
# emulator each time (pinned to CPU 1, the tool to CPU 0): wall time, CPU and peak RSS of
# the tool (from /usr/bin/time), then the medians and the time per job at N over that at
# 10,000 (the issue's goal: ≤ 1.2×; peak RSS ≤ 64 MiB):
#
#   cargo build --release -p otc-jobs-cli -p otc-jobs-emulator
#   bash benches/scripts/clean_scale.sh [N [ROUNDS]]
#
# `FORMAT=table` (default json), `EXTRA="--journal {dir}/j.jsonl --report {dir}/r.json"`
# adds flags (`{dir}`: this run's scratch directory); `EMULATOR=…` and `OTC_JOBS=…` point at
# other builds (before/after).
set -euo pipefail
n=${1:-100000}
rounds=${2:-3}
format=${FORMAT:-json}
extra=${EXTRA:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
emulator=${EMULATOR:-$root/target/release/otc-jobs-emulator}
tool=${OTC_JOBS:-$root/target/release/otc-jobs}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for size in 10000 "$n"; do
  python3 -c "
import json, sys
n = int(sys.argv[1])
json.dump([{'kind': 'flink_job', 'job_id': i + 1, 'name': 'flink-job-%d' % (i + 1), 'queue_name': 'q1'} for i in range(n)], open(sys.argv[2], 'w'))
" "$size" "$work/seed-$size.json"
done
one() { # SIZE: one clean on a fresh emulator; prints "SIZE WALL CPU RSS_KIB"
  local size=$1
  taskset -c 1 "$emulator" --seed "$work/seed-$size.json" > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 600); do
    grep -q listening "$work/out" 2>/dev/null && grep -q '^export' "$work/err" && break
    sleep 0.1
  done
  rm -f "$work"/j.jsonl "$work"/r.json
  (
    eval "$(grep '^export' "$work/err")"
    # shellcheck disable=SC2086
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" taskset -c 0 "$tool" -q -o "$format" \
      clean flink-job --yes --parallelism 16 ${extra//\{dir\}/$work} > "$work/report" 2> "$work/tool-err" \
      || { echo "clean failed:" >&2; cat "$work/tool-err" >&2; exit 1; }
  )
  local outcomes
  outcomes=$(grep -c '"deleted"\|deleted ' "$work/report" || true)
  read -r wall user sys rss < "$work/time"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  echo "$size $wall $(echo "$user + $sys" | bc) $rss $outcomes"
}
results=()
for r in $(seq "$rounds"); do
  for size in 10000 "$n"; do
    line=$(one "$size")
    read -r s wall cpu rss outcomes <<< "$line"
    printf '  round %d: %6d jobs: %6.2f s wall, %5.2f s CPU, peak RSS %6.1f MiB (%d deleted in the report)\n' \
      "$r" "$s" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$outcomes"
    results+=("$line")
  done
done
printf '%s\n' "${results[@]}" | python3 -c "
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
by = {}
for size, wall, cpu, rss, _ in rows:
    by.setdefault(int(size), []).append((float(wall), float(cpu), int(rss)))
small, big = sorted(by)
def med(size, i): return statistics.median(r[i] for r in by[size])
for size in (small, big):
    print(f'  {size:>7} jobs: median {med(size, 0):.2f} s wall ({med(size, 0) * 1e6 / size:.1f} µs per job), '
          f'CPU {med(size, 1) * 1e6 / size:.1f} µs per job, peak RSS max {max(r[2] for r in by[size]) / 1024:.1f} MiB')
ratio = (med(big, 0) / big) / (med(small, 0) / small)
print(f'  time per job at {big} / at {small}: {ratio:.2f}x (goal <= 1.2x); '
      f'peak RSS at {big}: {max(r[2] for r in by[big]) / 1024:.1f} MiB (goal <= 64 MiB)')
"
