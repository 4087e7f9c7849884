# Shared helpers of the deploy scripts: sourced, never run. Every function fails loudly (a
# message on stderr and a non-zero status) instead of carrying on with a half-built setup.

TESSERA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  echo "error: $*" >&2
  exit 1
}

log() {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

# The suite and the quickstart mount FUSE file systems, which needs root and /dev/fuse. Their
# absence is an error, never a reason to skip.
require_root_and_fuse() {
  [ "$(id -u)" = 0 ] || die "must run as root (FUSE mounts, drop_caches); got uid $(id -u)"
  [ -c /dev/fuse ] || die "/dev/fuse is missing: load the fuse module (modprobe fuse) or run the container with --device /dev/fuse"
  [ -r /dev/fuse ] && [ -w /dev/fuse ] || die "/dev/fuse is not readable and writable"
}

ensure_deps() {
  "$TESSERA_ROOT/deploy/install-deps.sh"
}

# build_tree DIR [extra cmake args...]: configures (once) and builds everything into DIR.
build_tree() {
  local dir=$1
  shift
  log "building into $dir"
  cmake -S "$TESSERA_ROOT" -B "$TESSERA_ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null \
    || die "cmake configure of $dir failed"
  cmake --build "$TESSERA_ROOT/$dir" -j"$(nproc)" || die "build of $dir failed"
}

# True when PID is alive and its command line starts with a program named BINARY: a stale pid
# file whose number was reused by another process does not count.
pid_runs_binary() {
  local pid=$1 binary=$2 argv0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1) || return 1
  [ "$(basename -- "$argv0")" = "$binary" ]
}

# True when DIR (an absolute path) is a mount point; reads the mount table instead of stat'ing
# DIR, which would hang or fail on a FUSE mount whose daemon is gone.
is_mounted() {
  awk -v dir="$1" '$5 == dir { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# stop_pid PID BINARY GRACE_S: SIGTERM, wait up to GRACE_S seconds, then SIGKILL.
stop_pid() {
  local pid=$1 binary=$2 grace=$3 waited=0
  pid_runs_binary "$pid" "$binary" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while pid_runs_binary "$pid" "$binary"; do
    if [ "$waited" -ge $((grace * 10)) ]; then
      log "$binary (pid $pid) ignored SIGTERM for ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

# unmount_fuse DIR: a clean unmount, or a lazy one when the mount is busy.
unmount_fuse() {
  local dir=$1
  is_mounted "$dir" || return 0
  if ! fusermount3 -u "$dir" 2>/dev/null; then
    log "$dir is busy; detaching it lazily"
    fusermount3 -uz "$dir" || umount -l "$dir" || die "cannot unmount $dir"
  fi
}

# Number of alive chunk servers in `tessera status --json` output on stdin.
count_alive_chunk_servers() {
  # grep finds nothing (status 1) while no server is alive yet; that is a count of 0, not an
  # error for callers running under `set -e -o pipefail`.
  { grep -o '"alive"[[:space:]]*:[[:space:]]*true' || true; } | wc -l
}
