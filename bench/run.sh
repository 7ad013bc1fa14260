#!/usr/bin/env bash
# `make bench`: prints the comparison tables. Expects the default build in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== Boot engine: sequential vs levels vs eager vs the critical path"
./build/bench/engine_bench
echo
echo "== Real boot of the daemon"
./build/bench/ready_bench 21
