# Shared harness of the FUSE tests (sourced). fuse_cluster_start starts a master (or, with
# MASTERS=3, a Raft group of three), chunk servers and a mount in a fresh mktemp dir on free
# 127.0.0.1 ports; everything is torn down by PID in an EXIT trap, whether the test passes or
# fails.
#
# Masters are named by index 0..MASTERS-1 (Raft id = index + 1) in MASTER_ADDRS, MASTER_PIDS and
# MASTER_DATA. MASTER_ADDR is the comma-separated list of all of them, as chunk servers, mounts
# and the CLI take it; MASTER_PID is master 0's pid. For fault tests: wait_leader, kill9_master,
# restart_master, wipe_master, wait_master_caught_up.
#
# Needs TESSERA_BIN_DIR (set by ctest) pointing at tessera-master, tessera-chunkserver,
# tessera-mount and tessera. Set TESSERA_KEEP_TEST_DIR=1 to keep the temp dir for debugging.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../sanitizer_reports.sh"

BIN=${TESSERA_BIN_DIR:?TESSERA_BIN_DIR must name the directory of the built programs}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-60}
MASTERS=${MASTERS:-1}
# Extra flags for every master, e.g. MASTER_FLAGS="--snapshot-entries 50".
MASTER_FLAGS=${MASTER_FLAGS:-}
# Extra flags for every chunk server, e.g. CS_FLAGS="--replication-mbps 0".
CS_FLAGS=${CS_FLAGS:-}
# Extra flags for every mount, e.g. MOUNT_FLAGS="-o allow_other" for tests run as other users.
MOUNT_FLAGS=${MOUNT_FLAGS:-}
TEST_DIR=$(mktemp -d /tmp/tessera-fuse-XXXXXX)
MASTER_ADDR=
# -g: global even when this file is sourced inside a function (the EXIT trap needs them).
declare -ga CS_PIDS=() CS_ADDRS=() CS_DATA=() MOUNT_DIRS=() MOUNT_PIDS=() USED_PORTS=()
declare -ga MASTER_ADDRS=() MASTER_PIDS=() MASTER_DATA=() MASTER_JOIN=()
MASTER_PID=
LEADER=

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Prints the tail of every log; called on failure.
dump_logs() {
  local log
  for log in "$TEST_DIR"/*/log "$TEST_DIR"/*.log; do
    [ -f "$log" ] || continue
    echo "---- $log" >&2
    tail -n 30 "$log" >&2
  done
}

is_mounted() {
  awk -v dir="$1" '$5 == dir { found = 1 } END { exit !found }' /proc/self/mountinfo
}

stop_pid() {  # PID: SIGTERM, then SIGKILL after 15 s
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "pid $pid ignored SIGTERM; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

teardown() {
  local status=$?
  set +e
  cd /  # a shell inside a mount would keep it busy
  [ $status -ne 0 ] && dump_logs
  local i
  for ((i = ${#MOUNT_DIRS[@]} - 1; i >= 0; i--)); do
    [ -n "${MOUNT_DIRS[$i]}" ] && unmount_tessera "$i"
  done
  for pid in "${CS_PIDS[@]}"; do stop_pid "$pid"; done
  for pid in "${MASTER_PIDS[@]}"; do
    [ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null  # a paused master cannot handle SIGTERM
    stop_pid "$pid"
  done
  # Every daemon has exited now (LSan reports at exit), restarted ones included: all append to
  # their log.
  no_sanitizer_reports "$TEST_DIR"/*/log "$TEST_DIR"/*.log || status=1
  if [ -z "${TESSERA_KEEP_TEST_DIR:-}" ]; then rm -rf "$TEST_DIR"; else echo "kept $TEST_DIR" >&2; fi
  exit $status
}
trap teardown EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on and that this test has not handed out yet.
# A port below the kernel's ephemeral range, which no socket uses now: a port from that range can
# be taken by any outgoing connection (the daemons' own included) before the daemon binds it.
free_port() {
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 11000 ] || fail "the ephemeral port range starts at $low: no room for test ports"
  while true; do
    port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
    [[ " ${USED_PORTS[*]} " == *" $port "* ]] && continue
    [ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ] || continue
    USED_PORTS+=("$port")
    echo "$port"
    return 0
  done
}

alive_chunk_servers() {
  "$BIN/tessera" --masters "$MASTER_ADDR" status --json 2>/dev/null \
    | grep -o '"alive"[[:space:]]*:[[:space:]]*true' | wc -l
}

any_master_running() {
  local pid
  for pid in "${MASTER_PIDS[@]}"; do
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

# wait_alive N: until the master reports exactly N alive chunk servers.
wait_alive() {
  local want=$1 deadline=$((SECONDS + READY_TIMEOUT_S)) alive=0
  while [ $SECONDS -lt $deadline ]; do
    any_master_running || fail "the master exited"
    alive=$(alive_chunk_servers || true)
    [ "$alive" = "$want" ] && return 0
    sleep 0.2
  done
  fail "waited ${READY_TIMEOUT_S}s for $want alive chunk servers; the master reports $alive"
}

start_chunk_server() {  # INDEX (0-based), with the address and data dir chosen before
  local i=$1 name="cs$(($1 + 1))"
  mkdir -p "$TEST_DIR/$name" "${CS_DATA[$i]}"
  # shellcheck disable=SC2086  # CS_FLAGS is a list of words on purpose
  "$BIN/tessera-chunkserver" --listen "${CS_ADDRS[$i]}" --masters "$MASTER_ADDR" \
    --data-dir "${CS_DATA[$i]}" --rack "rack$i" --heartbeat-ms 200 $CS_FLAGS \
    </dev/null >>"$TEST_DIR/$name/log" 2>&1 &
  CS_PIDS[$i]=$!
}

# The directory of master INDEX: "master" alone, "master<id>" in a group.
master_dir() {
  if [ "$MASTERS" = 1 ] && [ "$1" = 0 ]; then echo "$TEST_DIR/master"; else echo "$TEST_DIR/master$(($1 + 1))"; fi
}

# start_master INDEX: on its address and data dir, founding the group (--peers) unless it
# was wiped or added (then --join).
start_master() {
  local i=$1 dir peers="" j
  dir=$(master_dir "$i")
  mkdir -p "${MASTER_DATA[$i]}"
  local -a flags=(--listen "${MASTER_ADDRS[$i]}" --data-dir "${MASTER_DATA[$i]}" --default-goal 3
                  --chunkserver-timeout-ms 2000)
  if [ "${MASTER_JOIN[$i]:-0}" = 1 ]; then
    flags+=(--id $((i + 1)) --join)
  elif [ "$MASTERS" -gt 1 ]; then
    for ((j = 0; j < MASTERS; j++)); do peers+="${peers:+,}$((j + 1))=${MASTER_ADDRS[$j]}"; done
    flags+=(--id $((i + 1)) --peers "$peers")
  fi
  # shellcheck disable=SC2206  # MASTER_FLAGS is a list of words on purpose
  flags+=($MASTER_FLAGS)
  "$BIN/tessera-master" "${flags[@]}" </dev/null >>"$dir/log" 2>&1 &
  MASTER_PIDS[$i]=$!
  [ "$i" = 0 ] && MASTER_PID=${MASTER_PIDS[0]}
  return 0
}

# fuse_cluster_start [CHUNK_SERVERS=3]: $MASTERS masters (goal 3) + chunk servers + one mount
# at $MNT.
fuse_cluster_start() {
  local count=${1:-3} i
  [ "$(id -u)" = 0 ] || fail "FUSE tests must run as root"
  [ -c /dev/fuse ] || fail "/dev/fuse is missing"
  for ((i = 0; i < MASTERS; i++)); do
    MASTER_ADDRS[$i]=127.0.0.1:$(free_port)
    MASTER_DATA[$i]=$(master_dir "$i")/data
    MASTER_JOIN[$i]=0
  done
  MASTER_ADDR=$(IFS=,; echo "${MASTER_ADDRS[*]}")
  for ((i = 0; i < MASTERS; i++)); do start_master "$i"; done
  for ((i = 0; i < count; i++)); do
    CS_ADDRS[$i]=127.0.0.1:$(free_port)
    CS_DATA[$i]=$TEST_DIR/cs$((i + 1))/data
    start_chunk_server "$i"
  done
  wait_alive "$count"
  say "cluster up: master(s) $MASTER_ADDR, $count chunk servers, in $TEST_DIR"
  mount_tessera
  MNT=$NEW_MNT
}

# mount_tessera: mounts the cluster at a new directory, NEW_MNT; its index in MOUNT_DIRS is
# NEW_MOUNT_INDEX. (Not meant for $(...): the mount's pid must be recorded in this shell.)
mount_tessera() {
  local n=${#MOUNT_DIRS[@]} dir deadline
  dir=$TEST_DIR/mnt$n
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # MOUNT_FLAGS is a list of words on purpose
  "$BIN/tessera-mount" --masters "$MASTER_ADDR" -f $MOUNT_FLAGS "$dir" </dev/null \
    >>"$TEST_DIR/mount$n.log" 2>&1 &
  MOUNT_PIDS[$n]=$!
  MOUNT_DIRS[$n]=$dir
  deadline=$((SECONDS + READY_TIMEOUT_S))
  until is_mounted "$dir"; do
    kill -0 "${MOUNT_PIDS[$n]}" 2>/dev/null || fail "tessera-mount exited before mounting $dir"
    [ $SECONDS -lt $deadline ] || fail "tessera-mount did not mount $dir in ${READY_TIMEOUT_S}s"
    sleep 0.1
  done
  NEW_MNT=$dir
  NEW_MOUNT_INDEX=$n
}

unmount_tessera() {  # INDEX in MOUNT_DIRS
  local i=$1 dir=${MOUNT_DIRS[$1]}
  if is_mounted "$dir"; then
    fusermount3 -u "$dir" 2>/dev/null || fusermount3 -uz "$dir" || true
  fi
  stop_pid "${MOUNT_PIDS[$i]}"
  MOUNT_DIRS[$i]=
  MOUNT_PIDS[$i]=
}

kill9_chunk_server() {  # INDEX
  kill -KILL "${CS_PIDS[$1]}"
  wait "${CS_PIDS[$1]}" 2>/dev/null || true
  CS_PIDS[$1]=
}

drop_caches() {
  sync
  echo 3 >/proc/sys/vm/drop_caches || fail "cannot drop the page cache"
}

# eventually SECONDS COMMAND...: metadata caches (entry/attr timeouts, 1 s by default) may
# delay what a second client sees; poll with a deadline instead of sleeping.
eventually() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Chunk ids (16 hex digits) stored in a chunk server data dir, sorted, checking the path rule
# DATA_DIR/chunks/XX/<id>.chunk with XX the lowest byte of the id.
chunk_ids_in() {
  local data=$1 path id dir
  [ -d "$data/chunks" ] || return 0
  find "$data/chunks" -type f -name '*.chunk' | while read -r path; do
    id=$(basename "$path" .chunk)
    dir=$(basename "$(dirname "$path")")
    [[ "$id" =~ ^[0-9a-f]{16}$ ]] || fail "chunk file name $path is not 16 lowercase hex digits"
    [ "$dir" = "${id:14:2}" ] || fail "chunk $path is not in the directory of its lowest byte"
    echo "$id"
  done | sort
}

# ---- masters of a group (MASTERS > 1) ----

# The masters as the leader lists them: one JSON object per line (tessera master members).
master_members() {
  "$BIN/tessera" --masters "$MASTER_ADDR" --timeout-ms 2000 master members --json 2>/dev/null \
    | sed 's/},{/}\n{/g'
}

# json_number LINE FIELD: the numeric FIELD of a one-line JSON object.
json_number() { sed -n "s/.*\"$2\":\([0-9-]*\).*/\1/p" <<<"$1"; }

# The index of the master at address ADDRESS, or nothing.
master_index_of() {
  local i
  for ((i = 0; i < ${#MASTER_ADDRS[@]}; i++)); do
    [ "${MASTER_ADDRS[$i]}" = "$1" ] && { echo "$i"; return 0; }
  done
}

# wait_leader [NOT_INDEX]: until a master leads (one other than NOT_INDEX); sets LEADER to its
# index.
wait_leader() {
  local not=${1:--1} deadline=$((SECONDS + READY_TIMEOUT_S)) line address index
  while [ $SECONDS -lt $deadline ]; do
    line=$(master_members | grep '"role":"leader"' || true)
    address=$(sed -n 's/.*"address":"\([^"]*\)".*/\1/p' <<<"$line")
    index=$(master_index_of "$address")
    if [ -n "$index" ] && [ "$index" != "$not" ]; then
      LEADER=$index
      return 0
    fi
    sleep 0.1
  done
  fail "no master leader (other than index $not) within ${READY_TIMEOUT_S}s"
}

kill9_master() {  # INDEX
  kill -KILL "${MASTER_PIDS[$1]}"
  wait "${MASTER_PIDS[$1]}" 2>/dev/null || true
  MASTER_PIDS[$1]=
}

stop_master() {  # INDEX: SIGTERM, and wait
  stop_pid "${MASTER_PIDS[$1]}"
  MASTER_PIDS[$1]=
}

restart_master() {  # INDEX: again on the same port and data dir
  [ -z "${MASTER_PIDS[$1]}" ] || fail "master index $1 is still running"
  start_master "$1"
}

# wipe_master INDEX: stops it, deletes its data dir and starts it empty with --join under the
# same id and address; the leader brings it back (by snapshot once its log is compacted).
wipe_master() {
  local i=$1
  [ -z "${MASTER_PIDS[$i]}" ] || stop_master "$i"
  rm -rf "${MASTER_DATA[$i]}"
  MASTER_JOIN[$i]=1
  start_master "$i"
}

# wait_master_caught_up INDEX: until the leader lists master INDEX as a voter whose match
# index reached the leader's commit index as it was when this began.
wait_master_caught_up() {
  local id=$(($1 + 1)) deadline=$((SECONDS + READY_TIMEOUT_S)) members line target= match=
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "${MASTER_PIDS[$1]}" 2>/dev/null || fail "master index $1 exited"
    members=$(master_members || true)
    line=$(grep '"role":"leader"' <<<"$members" || true)
    if [ -n "$line" ]; then
      [ -n "$target" ] || target=$(json_number "$line" commit_index)
      line=$(grep "\"id\":$id," <<<"$members" || true)
      match=$(json_number "$line" match_index)
      if grep -q '"voter":true' <<<"$line" && [ -n "$match" ] && [ "$match" -ge "$target" ]; then
        return 0
      fi
    fi
    sleep 0.1
  done
  fail "master $id did not catch up in ${READY_TIMEOUT_S}s (match index ${match:-?}, target ${target:-?})"
}
