#!/usr/bin/env bash
# deploy/quickstart.sh [start|stop|status]
#
# start  (default) installs missing packages, builds ./build, starts three masters forming one
#        Raft group (127.0.0.1:9400..9402) and three chunk servers (127.0.0.1:9501..9503), waits
#        until the leader sees all three chunk servers alive, and mounts the file system at
#        ./mnt. Idempotent: what already runs is kept.
# stop   unmounts ./mnt and stops every daemon by its pid file (SIGTERM, SIGKILL after 15 s).
# status prints `tessera status` and the mount state.
#
# State and logs: run/NAME/ (NAME = master1..master3, cs1..cs3, mount) holds `log` and `pid`;
# master N keeps its metadata and Raft log in run/masterN/data, chunk server N its chunks in
# run/csN/data.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

RUN=$TESSERA_ROOT/run
BIN=$TESSERA_ROOT/build/bin
MNT=$TESSERA_ROOT/mnt
MASTER_SERVERS=(master1:1:127.0.0.1:9400 master2:2:127.0.0.1:9401 master3:3:127.0.0.1:9402)
MASTERS=127.0.0.1:9400,127.0.0.1:9401,127.0.0.1:9402
# The founding members, as tessera-master --peers wants them.
PEERS=1=127.0.0.1:9400,2=127.0.0.1:9401,3=127.0.0.1:9402
CHUNK_SERVERS=(cs1:127.0.0.1:9501 cs2:127.0.0.1:9502 cs3:127.0.0.1:9503)
READY_TIMEOUT_S=${READY_TIMEOUT_S:-60}
STOP_GRACE_S=15

read_pid() { cat "$RUN/$1/pid" 2>/dev/null || true; }

# start_daemon NAME BINARY ARGS...: runs BINARY in its own session with stderr/stdout appended
# to run/NAME/log and its pid in run/NAME/pid, unless that pid file already names a live
# process of BINARY.
start_daemon() {
  local name=$1 binary=$2 pid
  shift 2
  pid=$(read_pid "$name")
  if pid_runs_binary "$pid" "$binary"; then
    log "$name already runs (pid $pid)"
    return 0
  fi
  mkdir -p "$RUN/$name"
  echo "---- $(date -Is) starting: $binary $*" >>"$RUN/$name/log"
  setsid "$BIN/$binary" "$@" </dev/null >>"$RUN/$name/log" 2>&1 &
  echo $! >"$RUN/$name/pid"
  log "started $name (pid $!): $binary $*"
}

# Fails when NAME's process has exited, showing the end of its log.
check_alive() {
  local name=$1 binary=$2
  pid_runs_binary "$(read_pid "$name")" "$binary" && return 0
  echo "---- last lines of $RUN/$name/log:" >&2
  tail -n 20 "$RUN/$name/log" >&2 || true
  die "$name ($binary) exited; see $RUN/$name/log"
}

cluster_status_json() {
  "$BIN/tessera" --masters "$MASTERS" status --json 2>/dev/null
}

wait_for_chunk_servers() {
  local want=$1 deadline=$((SECONDS + READY_TIMEOUT_S)) alive=0 json
  while [ $SECONDS -lt $deadline ]; do
    local entry
    for entry in "${MASTER_SERVERS[@]}"; do check_alive "${entry%%:*}" tessera-master; done
    if json=$(cluster_status_json); then
      alive=$(count_alive_chunk_servers <<<"$json")
      [ "$alive" -ge "$want" ] && { log "master leader reports $alive alive chunk servers"; return 0; }
    fi
    sleep 0.2
  done
  die "after ${READY_TIMEOUT_S}s the master leader reports $alive of $want chunk servers alive; logs in $RUN/*/log"
}

start_mount() {
  local pid
  pid=$(read_pid mount)
  if is_mounted "$MNT" && pid_runs_binary "$pid" tessera-mount; then
    log "mount already at $MNT (pid $pid)"
    return 0
  fi
  # A mount left by a dead tessera-mount answers "Transport endpoint is not connected".
  if is_mounted "$MNT"; then
    log "$MNT is a stale mount; detaching it"
    fusermount3 -uz "$MNT" || umount -l "$MNT" || die "cannot detach stale mount $MNT"
  fi
  mkdir -p "$MNT"
  start_daemon mount tessera-mount --masters "$MASTERS" -f "$MNT"
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until is_mounted "$MNT"; do
    check_alive mount tessera-mount
    [ $SECONDS -lt $deadline ] || die "tessera-mount did not mount $MNT in ${READY_TIMEOUT_S}s; see $RUN/mount/log"
    sleep 0.1
  done
  log "mounted at $MNT"
}

cmd_start() {
  require_root_and_fuse
  ensure_deps
  build_tree build
  for program in tessera-master tessera-chunkserver tessera-mount tessera; do
    [ -x "$BIN/$program" ] || die "$BIN/$program was not built"
  done
  local entry name id address
  for entry in "${MASTER_SERVERS[@]}"; do
    IFS=: read -r name id address <<<"$entry"
    mkdir -p "$RUN/$name/data"
    start_daemon "$name" tessera-master --id "$id" --listen "$address" --peers "$PEERS" \
      --data-dir "$RUN/$name/data" --default-goal 3
  done
  for entry in "${CHUNK_SERVERS[@]}"; do
    name=${entry%%:*}
    address=${entry#*:}
    mkdir -p "$RUN/$name/data"
    start_daemon "$name" tessera-chunkserver --listen "$address" --masters "$MASTERS" \
      --data-dir "$RUN/$name/data" --rack "rack-$name"
  done
  wait_for_chunk_servers "${#CHUNK_SERVERS[@]}"
  for entry in "${CHUNK_SERVERS[@]}"; do check_alive "${entry%%:*}" tessera-chunkserver; done
  start_mount
  cat <<MSG

Tessera is running: masters $MASTERS (one Raft group), chunk servers 127.0.0.1:9501-9503,
mounted at $MNT.
  ls $MNT; cp some-file $MNT/           use it like any directory (3 replicas per chunk)
  export TESSERA_MASTERS=$MASTERS
  $BIN/tessera status                   cluster state
  $BIN/tessera master members           the Raft group
  $0 status                             cluster state and mount
  $0 stop                               unmount and stop everything
Logs: $RUN/{master1,master2,master3,cs1,cs2,cs3,mount}/log
MSG
}

cmd_stop() {
  [ "$(id -u)" = 0 ] || die "must run as root to unmount $MNT"
  unmount_fuse "$MNT"
  local name binary
  for name in mount cs1 cs2 cs3 master1 master2 master3; do
    case $name in
      mount) binary=tessera-mount ;;
      cs*) binary=tessera-chunkserver ;;
      *) binary=tessera-master ;;
    esac
    local pid
    pid=$(read_pid "$name")
    if pid_runs_binary "$pid" "$binary"; then
      log "stopping $name (pid $pid)"
      stop_pid "$pid" "$binary" "$STOP_GRACE_S"
    fi
    rm -f "$RUN/$name/pid"
  done
  log "stopped"
}

cmd_status() {
  local rc=0
  if [ -x "$BIN/tessera" ]; then
    "$BIN/tessera" --masters "$MASTERS" status || rc=1
  else
    echo "tessera CLI not built ($BIN/tessera)"
    rc=1
  fi
  local name binary pid
  for name in master1 master2 master3 cs1 cs2 cs3 mount; do
    case $name in
      mount) binary=tessera-mount ;;
      cs*) binary=tessera-chunkserver ;;
      *) binary=tessera-master ;;
    esac
    pid=$(read_pid "$name")
    if pid_runs_binary "$pid" "$binary"; then
      echo "$name: running (pid $pid)"
    else
      echo "$name: not running"
      rc=1
    fi
  done
  if is_mounted "$MNT"; then
    echo "mount: $MNT is mounted"
  else
    echo "mount: $MNT is not mounted"
    rc=1
  fi
  return $rc
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
