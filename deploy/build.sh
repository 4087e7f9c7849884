#!/usr/bin/env bash
# deploy/build.sh [--asan|--tsan]: configures and builds everything (RelWithDebInfo) into
# ./build, or ./build-asan / ./build-tsan with the sanitizer on. Programs land in DIR/bin/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir=build
cmake_args=()
case "${1:-}" in
  "") ;;
  --asan) dir=build-asan; cmake_args=(-DTESSERA_ASAN=ON -DTESSERA_TSAN=OFF) ;;
  --tsan) dir=build-tsan; cmake_args=(-DTESSERA_TSAN=ON -DTESSERA_ASAN=OFF) ;;
  *) echo "usage: $0 [--asan|--tsan]" >&2; exit 2 ;;
esac
ensure_deps
build_tree "$dir" "${cmake_args[@]}"
