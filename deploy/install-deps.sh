#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the quickstart need. Quiet when
# everything is present; runs `apt-get update` once, only when something is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  thrift-compiler libthrift-dev
  libleveldb-dev libsnappy-dev   # leveldb's CMake target links -lsnappy
  libfuse3-dev fuse3
  libxxhash-dev
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev
  fio attr
  python3    # tests/fuse/xattr_test.sh calls the xattr syscalls through it
  iproute2   # ss: the FUSE tests look for free ports with it
  git rsync  # tests/fuse/real_programs_test.sh runs them on a mount
  chromium   # tests/integration/admin_port_test.cc screenshots the master's status page
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || { echo "error: missing packages (${missing[*]}); run as root to install them" >&2; exit 1; }
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/tessera-install-deps.XXXXXX)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "error: apt-get failed (log above, also in $log)" >&2
  exit 1
fi
rm -f "$log"
