#!/usr/bin/env bash
# Flake hunt: runs the whole test suite of one build again and again while busy loops compete for
# the CPUs, the way a loaded CI machine does, and stops at the first failure with its output.
# Run it before a release (docs/testing.md).
#
#   scripts/flake-hunt.sh [--build DIR] [--repeat N] [--busy N] [--jobs N] [-R REGEX]
#
# --build DIR  the build to test (build, build-asan, build-tsan; default build)
# --repeat N   runs of each test, stopping at its first failure (ctest --repeat until-fail:N;
#              default 20)
# --busy N     busy loops beside the tests (default 2: one per core on our 2-core machines)
# --jobs N     ctest -j (default 2)
# -R REGEX     only the tests whose names match
# -E REGEX     leave out the tests whose names match
# Exit status: ctest's (0 when every round passed).
set -euo pipefail

build=build
repeat=20
busy=2
jobs=2
filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --busy) busy="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -R|-E) filter+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "flake-hunt: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$repeat$busy$jobs" in
  *[!0-9]*) echo "flake-hunt: --repeat, --busy and --jobs take whole numbers" >&2; exit 2 ;;
esac
if [ ! -f "$build/CTestTestfile.cmake" ]; then
  echo "flake-hunt: '$build' is not a configured build; run 'make build' (or test-asan/test-tsan) first" >&2
  exit 2
fi

pids=()
stop_busy() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_busy EXIT
for ((i = 0; i < busy; i++)); do
  # Bounded like every load loop here: it ends by itself after 6 hours at the latest.
  timeout 6h bash -c 'while :; do :; done' &
  pids+=($!)
done

env=()
case "$build" in
  *tsan*) env=(TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(cd "$(dirname "$0")/.." && pwd)/tsan.supp") ;;
esac
start=$(date +%s)
status=0
env "${env[@]}" ctest --test-dir "$build" -j "$jobs" --repeat "until-fail:$repeat" \
  --output-on-failure "${filter[@]}" || status=$?
echo "flake-hunt: $build, each test up to $repeat times, $busy busy loops, -j$jobs:" \
  "$([ $status -eq 0 ] && echo 'every round passed' || echo 'FAILED (see above)')" \
  "in $(( $(date +%s) - start )) s"
exit $status
