#!/usr/bin/env bash
# deploy/netns-cluster.sh end to end: a cluster whose nodes are network namespaces with their
# own addresses; a file written through the client's mount reads back, still reads back when a
# chunk server is cut off the network, and stop leaves no namespace, process or mount behind.
# Needs root, iproute2 and /dev/fuse; refuses (fails) without them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/sanitizer_reports.sh"
LAUNCHER=$ROOT/deploy/netns-cluster.sh
export TESSERA_BIN_DIR=${TESSERA_BIN_DIR:?TESSERA_BIN_DIR must name the directory of the built programs}
# A prefix and directory of this run only: tests may run next to a developer's own cluster.
export NETNS_PREFIX=t$(($$ % 100000))
export NETNS_RUN_DIR=$(mktemp -d /tmp/tessera-netns-XXXXXX)
export CHUNK_SERVERS=3 DEFAULT_GOAL=3

say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# can_connect ADDR: a TCP connection from the client namespace to ADDR:9500 (a chunk server).
can_connect() {
  "$LAUNCHER" exec client timeout 3 bash -c "exec 3<>/dev/tcp/$1/9500" 2>/dev/null
}

teardown() {
  local status=$?
  set +e
  cd /
  "$LAUNCHER" stop
  no_sanitizer_reports "$NETNS_RUN_DIR"/*/log || status=1
  if [ $status -ne 0 ]; then
    for log in "$NETNS_RUN_DIR"/*/log; do echo "---- $log" >&2; tail -n 20 "$log" >&2; done
  fi
  [ -n "${TESSERA_KEEP_TEST_DIR:-}" ] || rm -rf "$NETNS_RUN_DIR"
  exit $status
}

say "the launcher refuses to run as an ordinary user"
if out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$LAUNCHER" start 2>&1); then
  fail "start as uid 65534 succeeded: $out"
fi
grep -q "must run as root" <<<"$out" || fail "unclear refusal for non-root: $out"

trap teardown EXIT
"$LAUNCHER" start >"$NETNS_RUN_DIR/env" || fail "netns-cluster.sh start failed"
# shellcheck disable=SC1091
source "$NETNS_RUN_DIR/env"
[ "$NETNS_MASTERS" = "10.77.0.11:9400,10.77.0.12:9400,10.77.0.13:9400" ] \
  || fail "unexpected masters $NETNS_MASTERS"

say "every node is its own host: own namespace, own address, nothing in the host namespace"
for node in m1 m2 m3 cs1 cs2 cs3 client; do
  ns_var=NETNS_NS_$node addr_var=NETNS_ADDR_$node
  ip -n "${!ns_var}" -4 -o addr show dev eth0 | grep -q "inet ${!addr_var}/24" \
    || fail "$node has no ${!addr_var} in ${!ns_var}"
done
! ip -4 -o addr show | grep -q '10\.77\.0\.' || fail "a 10.77.0.x address leaked into the host namespace"
can_connect "$NETNS_ADDR_cs2" || fail "client cannot reach cs2"
"$LAUNCHER" status >"$NETNS_RUN_DIR/status.out" || fail "status says a node is down: $(cat "$NETNS_RUN_DIR/status.out")"
[ "$(grep -c ' running' "$NETNS_RUN_DIR/status.out")" = 7 ] || fail "not 7 running nodes: $(cat "$NETNS_RUN_DIR/status.out")"
"$LAUNCHER" cli status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
addresses = sorted(s["address"] for s in d["chunk_servers"] if s["alive"])
assert addresses == ["10.77.0.21:9500", "10.77.0.22:9500", "10.77.0.23:9500"], addresses
assert [m["role"] for m in d["masters"]].count("leader") == 1, d["masters"]
' || fail "tessera status from the client namespace is not as expected"

say "write and read through the client's mount"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$NETNS_RUN_DIR/data.bin"
cp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin"
sync
echo 3 >/proc/sys/vm/drop_caches
cmp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin" || fail "the file reads back different"
"$LAUNCHER" cli fileinfo /data.bin --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert all(c["live_copies"] == 3 for c in d["chunks"]), d
' || fail "data.bin does not have 3 live copies"

say "partition cs1: reads go to the other replicas"
"$LAUNCHER" partition cs1
can_connect "$NETNS_ADDR_cs1" && fail "cs1 still accepts connections after the partition"
echo 3 >/proc/sys/vm/drop_caches
timeout 120 cmp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin" \
  || fail "reading data.bin failed with cs1 partitioned"
deadline=$((SECONDS + 30))
until "$LAUNCHER" cli status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
dead = [s["address"] for s in d["chunk_servers"] if not s["alive"]]
sys.exit(0 if dead == ["10.77.0.21:9500"] else 1)
'; do
  [ $SECONDS -lt $deadline ] || fail "the masters never declared cs1 dead"
  sleep 0.5
done
"$LAUNCHER" status >/dev/null && fail "status exit 0 with cs1 partitioned"
grep -q partitioned <("$LAUNCHER" status 2>/dev/null || true) || fail "status does not show the partition"
echo 3 >/proc/sys/vm/drop_caches
cmp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin" || fail "data.bin differs once cs1 is dead"
"$LAUNCHER" heal cs1
can_connect "$NETNS_ADDR_cs1" || fail "cs1 unreachable after heal"

say "partition cs2 and cs3: reads come from cs1 alone"
# With the first round, the replica the client tries first was cut off in at least one round,
# whatever order the master lists the replicas in.
deadline=$((SECONDS + 60))
until "$LAUNCHER" cli fileinfo /data.bin >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "data.bin never got back 3 live copies after cs1 healed"
  sleep 0.5
done
"$LAUNCHER" partition cs2
"$LAUNCHER" partition cs3
echo 3 >/proc/sys/vm/drop_caches
timeout 120 cmp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin" \
  || fail "reading data.bin from cs1 alone failed"
"$LAUNCHER" heal cs2
"$LAUNCHER" heal cs3

say "kill and restart: the leader master and a chunk server come back on their data"
leader=$("$LAUNCHER" leader) || fail "no leader named"
[[ "$leader" =~ ^m[123]$ ]] || fail "leader is '$leader'"
"$LAUNCHER" admin "$leader" /healthz >/dev/null || fail "the leader's admin port does not answer"
"$LAUNCHER" kill "$leader" || fail "kill $leader failed"
"$LAUNCHER" kill "$leader" 2>/dev/null && fail "killing a dead node succeeded"
"$LAUNCHER" status >/dev/null 2>&1 && fail "status exit 0 with $leader killed"
deadline=$((SECONDS + 30))
until new_leader=$("$LAUNCHER" leader 2>/dev/null) && [ "$new_leader" != "$leader" ]; do
  [ $SECONDS -lt $deadline ] || fail "no new leader after killing $leader"
  sleep 0.2
done
echo "after the leader's kill" >"$NETNS_MOUNT/after_kill.txt" || fail "write after the leader's kill"
"$LAUNCHER" restart "$leader" || fail "restart $leader failed"
"$LAUNCHER" restart "$leader" 2>/dev/null && fail "restarting a running node succeeded"
"$LAUNCHER" kill cs2 && "$LAUNCHER" restart cs2 || fail "kill and restart of cs2"
deadline=$((SECONDS + 60))
until "$LAUNCHER" status >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || fail "the cluster is not whole again: $("$LAUNCHER" status 2>&1)"
  sleep 0.5
done
echo 3 >/proc/sys/vm/drop_caches
cmp "$NETNS_RUN_DIR/data.bin" "$NETNS_MOUNT/data.bin" || fail "data.bin differs after the restarts"
[ "$(cat "$NETNS_MOUNT/after_kill.txt")" = "after the leader's kill" ] || fail "after_kill.txt lost"
for bad in "kill cs9" "restart m4" "cut m1 m1" "cut m1" "leader extra"; do
  # shellcheck disable=SC2086  # the words of $bad are the arguments
  if "$LAUNCHER" $bad >/dev/null 2>&1; then fail "'$bad' succeeded"; fi
done

say "stop: no namespace, process or mount is left"
pids=$(cat "$NETNS_RUN_DIR"/*/pid)
trap - EXIT
"$LAUNCHER" stop || fail "stop failed"
# A zombie counts as stopped: the daemons outlive the launcher's `start`, so their parent is
# whatever reaps orphans here (in a container, possibly nothing).
for pid in $pids; do
  if [ -e "/proc/$pid" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$pid/stat" 2>/dev/null; then
    fail "pid $pid still runs after stop: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  fi
done
ip netns list | grep -q "^$NETNS_PREFIX-" && fail "namespaces left: $(ip netns list | grep "^$NETNS_PREFIX-")"
awk -v d="$NETNS_MOUNT" '$5 == d { exit 1 }' /proc/self/mountinfo || fail "$NETNS_MOUNT is still mounted"
rm -rf "$NETNS_RUN_DIR"
say PASS
