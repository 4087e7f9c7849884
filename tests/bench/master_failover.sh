#!/usr/bin/env bash
# tests/bench/master_failover.sh [ROUNDS=20]: how long metadata service stops when the master
# leader dies, and what the Raft group costs in metadata throughput. Run by hand (root, FUSE),
# not part of ctest.
#
# 1. Three masters, three chunk servers, one mount. ROUNDS times: find the leader, kill -9 it,
#    and time from the kill to the first mkdir of a fresh name on the mount that succeeds
#    (tried again at once while it fails); then restart the killed master and wait until the
#    leader reports it caught up. Prints p50, p99 and max.
# 2. fsops meta (create, stat, unlink of 5,000 empty files; ../shared/peers/fsops.c) on a fresh
#    cluster with one master and on one with three, twice each in turn; the better run of each
#    is printed side by side with the ratio.
#
# Env: TESSERA_BUILD (default build) selects the build dir, PEERS_DIR the peer scripts. Each
# cluster is started and torn down by tests/fuse/lib.sh in a child shell of its own.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
BUILD=${TESSERA_BUILD:-build}
export TESSERA_BIN_DIR=${TESSERA_BIN_DIR:-$ROOT/$BUILD/bin}
META_FILES=5000
FSOPS=/tmp/tessera-bench-fsops

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# failover ROUNDS: prints one line "failover_ms N" per round.
failover() {
  local rounds=$1 round killed started tries
  MASTERS=3
  source "$ROOT/tests/fuse/lib.sh"
  fuse_cluster_start 3
  for ((round = 1; round <= rounds; round++)); do
    wait_leader
    killed=$LEADER
    started=$(now_ms)
    kill9_master "$killed"
    tries=0
    until mkdir "$MNT/probe-$round-$tries" 2>/dev/null; do tries=$((tries + 1)); done
    echo "failover_ms $(($(now_ms) - started))"
    say "round $round: killed master $((killed + 1)); a mkdir succeeded again after $((tries + 1)) tries"
    restart_master "$killed"
    wait_master_caught_up "$killed"
  done
}

# meta MASTER_COUNT: fsops meta on a fresh cluster; prints "meta_create N" etc.
meta() {
  MASTERS=$1
  source "$ROOT/tests/fuse/lib.sh"
  fuse_cluster_start 3
  mkdir "$MNT/meta"
  "$FSOPS" meta "$MNT/meta" "$META_FILES"
}

case "${1:-}" in
  --failover) failover "$2"; exit 0 ;;
  --meta) meta "$2"; exit 0 ;;
esac

ROUNDS=${1:-20}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "error: benchmarks must run as root (FUSE)" >&2; exit 1; }
[ -x "$TESSERA_BIN_DIR/tessera-master" ] || { echo "error: no build in $TESSERA_BIN_DIR" >&2; exit 1; }
cc -O2 -Wall -o "$FSOPS" "$PEERS_DIR/fsops.c"

RESULTS=$(mktemp -d /tmp/tessera-failover-XXXXXX)
bash "$0" --failover "$ROUNDS" >"$RESULTS/failover"
# Alternating runs, so that a burst of load from elsewhere does not fall on one side only.
for run in 1 2; do
  bash "$0" --meta 1 >>"$RESULTS/meta1.$run"
  bash "$0" --meta 3 >>"$RESULTS/meta3.$run"
done
# The better of the two runs of each metric.
for masters in 1 3; do
  cat "$RESULTS/meta$masters".* | awk '$2 > best[$1] { best[$1] = $2 } END { for (m in best) print m, best[m] }' \
    >"$RESULTS/meta$masters"
done

echo
echo "Master failover: kill -9 of the leader -> first successful mkdir on the mount ($ROUNDS rounds)"
awk '{ print $2 }' "$RESULTS/failover" | sort -n | awk '
  { value[NR] = $1 }
  END {
    p50 = value[int((NR + 1) / 2)]
    rank99 = int(0.99 * NR); if (rank99 < 0.99 * NR) rank99++
    printf "  p50 %d ms   p99 %d ms   max %d ms\n", p50, value[rank99], value[NR]
  }'
echo
echo "Metadata ops/s (fsops meta, $META_FILES files): one master vs three"
printf "  %-12s %10s %10s %8s\n" metric "1 master" "3 masters" "3/1"
join <(sort "$RESULTS/meta1") <(sort "$RESULTS/meta3") |
  while read -r metric one three; do
    printf "  %-12s %10.0f %10.0f %8.2f\n" "$metric" "$one" "$three" "$(echo "$three / $one" | bc -l)"
  done
echo "(raw results in $RESULTS)"
