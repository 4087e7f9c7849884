# Shared harness of the FUSE tests (sourced). fuse_cluster_start starts a master, chunk servers
# and a mount in a fresh mktemp dir on free 127.0.0.1 ports; everything is torn down by PID in
# an EXIT trap, whether the test passes or fails.
#
# Needs TESSERA_BIN_DIR (set by ctest) pointing at tessera-master, tessera-chunkserver,
# tessera-mount and tessera. Set TESSERA_KEEP_TEST_DIR=1 to keep the temp dir for debugging.
set -euo pipefail

BIN=${TESSERA_BIN_DIR:?TESSERA_BIN_DIR must name the directory of the built programs}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-60}
TEST_DIR=$(mktemp -d /tmp/tessera-fuse-XXXXXX)
MASTER_ADDR=
declare -a CS_PIDS=() CS_ADDRS=() CS_DATA=() MOUNT_DIRS=() MOUNT_PIDS=() USED_PORTS=()
MASTER_PID=

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
  stop_pid "$MASTER_PID"
  if [ -z "${TESSERA_KEEP_TEST_DIR:-}" ]; then rm -rf "$TEST_DIR"; else echo "kept $TEST_DIR" >&2; fi
  exit $status
}
trap teardown EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on and that this test has not handed out yet.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    [[ " ${USED_PORTS[*]} " == *" $port "* ]] && continue
    [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ] || continue
    USED_PORTS+=("$port")
    echo "$port"
    return 0
  done
}

alive_chunk_servers() {
  "$BIN/tessera" --masters "$MASTER_ADDR" status --json 2>/dev/null \
    | grep -o '"alive"[[:space:]]*:[[:space:]]*true' | wc -l
}

# wait_alive N: until the master reports exactly N alive chunk servers.
wait_alive() {
  local want=$1 deadline=$((SECONDS + READY_TIMEOUT_S)) alive=0
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$MASTER_PID" 2>/dev/null || fail "the master exited"
    alive=$(alive_chunk_servers || true)
    [ "$alive" = "$want" ] && return 0
    sleep 0.2
  done
  fail "waited ${READY_TIMEOUT_S}s for $want alive chunk servers; the master reports $alive"
}

start_chunk_server() {  # INDEX (0-based), with the address and data dir chosen before
  local i=$1 name="cs$(($1 + 1))"
  mkdir -p "$TEST_DIR/$name" "${CS_DATA[$i]}"
  "$BIN/tessera-chunkserver" --listen "${CS_ADDRS[$i]}" --masters "$MASTER_ADDR" \
    --data-dir "${CS_DATA[$i]}" --rack "rack$i" --heartbeat-ms 200 \
    </dev/null >>"$TEST_DIR/$name/log" 2>&1 &
  CS_PIDS[$i]=$!
}

# fuse_cluster_start [CHUNK_SERVERS=3]: master (goal 3) + chunk servers + one mount at $MNT.
fuse_cluster_start() {
  local count=${1:-3} i
  [ "$(id -u)" = 0 ] || fail "FUSE tests must run as root"
  [ -c /dev/fuse ] || fail "/dev/fuse is missing"
  MASTER_ADDR=127.0.0.1:$(free_port)
  mkdir -p "$TEST_DIR/master/data"
  "$BIN/tessera-master" --listen "$MASTER_ADDR" --data-dir "$TEST_DIR/master/data" \
    --default-goal 3 --chunkserver-timeout-ms 2000 </dev/null >>"$TEST_DIR/master/log" 2>&1 &
  MASTER_PID=$!
  for ((i = 0; i < count; i++)); do
    CS_ADDRS[$i]=127.0.0.1:$(free_port)
    CS_DATA[$i]=$TEST_DIR/cs$((i + 1))/data
    start_chunk_server "$i"
  done
  wait_alive "$count"
  say "cluster up: master $MASTER_ADDR, $count chunk servers, in $TEST_DIR"
  mount_tessera
  MNT=$NEW_MNT
}

# mount_tessera: mounts the cluster at a new directory, NEW_MNT; its index in MOUNT_DIRS is
# NEW_MOUNT_INDEX. (Not meant for $(...): the mount's pid must be recorded in this shell.)
mount_tessera() {
  local n=${#MOUNT_DIRS[@]} dir deadline
  dir=$TEST_DIR/mnt$n
  mkdir -p "$dir"
  "$BIN/tessera-mount" --masters "$MASTER_ADDR" -f "$dir" </dev/null >>"$TEST_DIR/mount$n.log" 2>&1 &
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
