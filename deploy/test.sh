#!/usr/bin/env bash
# deploy/test.sh [--asan|--tsan]: installs missing packages, builds (./build, ./build-asan or
# ./build-tsan) and runs the whole test suite with ctest; exits with ctest's status.
# Runs as root with /dev/fuse present, or fails: the FUSE tests are never skipped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=build
cmake_args=()
case "${1:-}" in
  "") ;;
  --asan)
    dir=build-asan
    cmake_args=(-DTESSERA_ASAN=ON -DTESSERA_TSAN=OFF)
    # Daemons, mounts and CLI runs the tests start inherit these. A report aborts the process
    # that has it (LSan: a non-zero exit), and the test harnesses fail the test whose daemon's
    # log holds one (tests/integration/sanitizer_report.h, tests/sanitizer_reports.sh).
    export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
    # ubsan.supp: Thrift's own decoding of invalid field types (see the file).
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$TESSERA_ROOT/deploy/ubsan.supp}
    ;;
  --tsan)
    dir=build-tsan
    cmake_args=(-DTESSERA_TSAN=ON -DTESSERA_ASAN=OFF)
    # A reported race fails the process that has it, so it fails the test. tsan.supp: races
    # TSan sees inside the uninstrumented libleveldb only (see the file). Daemons the tests start
    # inherit this environment.
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$TESSERA_ROOT/deploy/tsan.supp}
    ;;
  *) echo "usage: $0 [--asan|--tsan]" >&2; exit 2 ;;
esac

require_root_and_fuse
ensure_deps
build_tree "$dir" "${cmake_args[@]}"

log "running the test suite in $dir"
# Tests find free ports and temp dirs themselves, so two run at once; the FUSE tests are
# marked RUN_SERIAL (they move hundreds of MiB). Per-test timeouts are set by each test; the
# default here catches a test registered without one.
set +e
ctest --test-dir "$TESSERA_ROOT/$dir" --output-on-failure --timeout 600 -j2
status=$?
set -e
if [ $status -eq 0 ]; then log "all tests passed"; else log "ctest failed with status $status"; fi
exit $status
