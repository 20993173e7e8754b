#!/usr/bin/env bash
# Interop test: the official Huawei Cloud Python SDK (pinned in requirements.txt) against the
# emulator binary, on 127.0.0.1 only. Creates a virtualenv under the cargo target directory
# (override with OTC_INTEROP_VENV), builds the emulator, runs interop.py, and exits non-zero
# when a check fails. Each file of checks ends with a line "N passed, M failed".
#
#   crates/emulator/tests/interop/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="${OTC_INTEROP_VENV:-$target/interop-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

cargo build --quiet --manifest-path "$repo/Cargo.toml" -p otc-jobs-emulator --bin otc-jobs-emulator
emulator="$target/debug/otc-jobs-emulator"

# Loopback only, never through a proxy.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
# interop.py, then each file of checks of its own (interop_*.py), each with its
# "N passed, M failed" line; non-zero when any check failed.
status=0
for checks in "$here/interop.py" "$here"/interop_*.py; do
    "$venv/bin/python" "$checks" --emulator "$emulator" || status=1
done
exit "$status"
