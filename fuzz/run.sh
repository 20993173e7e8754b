#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 10), starting from the seeds in
# seeds/<target>/ plus what earlier runs found (corpus/<target>/, not committed), and
# prints one line per target: executions, their rate, and whether it crashed. A crash leaves its input
# in artifacts/<target>/ (reader/artifacts/ for rst_page) and makes the script fail.
#
# Two cargo-fuzz projects: fuzz/ (the SDK's, the emulator's and the tool's parsers) and
# fuzz/reader/ (`rst_page`, the spec reader, linking xtask alone). The reader is built
# without comparison tracing: on a page, where every byte passes several loops, the
# tracing hooks were two thirds of an execution (3.4x the instructions); without
# `-use_value_profile` they feed only libFuzzer's table of compared values, which the
# reader's seeds (real pages, every construct it knows) make up for.
#
#   fuzz/run.sh 60            # every target, a minute each
#   fuzz/run.sh 60 dates      # only these targets
#   FUZZ_RUNS=10000000 fuzz/run.sh 1200   # each until 10 million executions or 20 minutes
#   FUZZ_MERGE=1 fuzz/run.sh 60 rst_page  # first minimize corpus/<target> (same features)
#
# FUZZ_MERGE=1 replaces corpus/<target> with the smallest set of its inputs (and the
# seeds') that reaches the same coverage features (`cargo fuzz cmin`, libFuzzer's
# `-merge=1`): a corpus that grew over long rounds costs each later run its whole load.
#
# Needs a nightly toolchain and cargo-fuzz; without either it says so and skips (exit 0).
# FUZZ_SANITIZER (default `none`: the workspace forbids unsafe code, and without
# AddressSanitizer a target runs several times faster) may be `address` for a slower run
# that also checks the dependencies' unsafe code.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-10}
shift || true

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz: skipped, no nightly toolchain (rustup toolchain install nightly)"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: skipped, cargo-fuzz is missing (cargo install cargo-fuzz --locked)"
    exit 0
fi

sanitizer=${FUZZ_SANITIZER:-none}
# Each project with its build flags.
main=(-O -s "$sanitizer")
reader=(--fuzz-dir reader -O -s "$sanitizer" --no-trace-compares)
readers=$(cargo +nightly fuzz list "${reader[@]:0:2}")

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list; echo "$readers")
fi

cargo +nightly fuzz build "${main[@]}" >/dev/null
cargo +nightly fuzz build "${reader[@]}" >/dev/null
mkdir -p logs
failed=0
summary=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "seeds/$target"
    log="logs/$target.log"
    status=ok
    flags=("${main[@]}")
    max_len=8192
    if grep -qx "$target" <<<"$readers"; then
        flags=("${reader[@]}")
        # Spec pages: the median is 12-14 KB, a tenth are over 64 KB, the largest (ModelArts'
        # error codes) 1.2 MB; every page fits. The length an input may reach grows slowly
        # (libFuzzer's -len_control), so a large bound costs a round nothing at its start.
        max_len=2097152
    fi
    if [ -n "${FUZZ_MERGE:-}" ]; then
        cp -n "seeds/$target"/* "corpus/$target"/ 2>/dev/null || true
        cargo +nightly fuzz cmin "${flags[@]}" "$target" "corpus/$target" -- \
            -max_len="$max_len" -timeout=10 >"logs/$target.cmin.log" 2>&1
        grep -E 'MERGE-OUTER: [0-9]+ new files' "logs/$target.cmin.log" || true
    fi
    runs=()
    if [ -n "${FUZZ_RUNS:-}" ]; then runs=(-runs="$FUZZ_RUNS"); fi
    if ! cargo +nightly fuzz run "${flags[@]}" "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -max_len="$max_len" -print_final_stats=1 "${runs[@]}" \
        >"$log" 2>&1; then
        status=CRASH
        failed=1
    fi
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    took=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -Eo 'in [0-9]+' | grep -Eo '[0-9]+' | tail -1 || true)
    rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)
    summary+=("$(printf '%-16s %12s executions in %ss (%s/s)  %s' "$target" "${execs:-?}" "${took:-$seconds}" "${rate:-?}" "$status")")
    if [ "$status" != ok ]; then
        tail -n 40 "$log"
    fi
done
printf '%s\n' "${summary[@]}"
exit "$failed"
