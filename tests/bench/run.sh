#!/usr/bin/env bash
# tests/bench/run.sh [--peers]: benchmarks Tessera (1 master, 3 chunk servers, goal 3, one
# mount, all on 127.0.0.1) with the shared peer workload (../shared/peers/bench.sh, see its
# README). With --peers it first runs the same workload on the local disk, on the libfuse
# passthrough_ll mount and on MooseFS goal 3, one after the other on this machine, and prints
# one table with the ratios tessera/moosefs and tessera/passthrough. Not part of ctest.
#
# Env: TESSERA_BUILD (default build) selects the build dir; PEERS_DIR (default ../shared/peers
# relative to the repo) the peer scripts. Raw results: $RESULTS_DIR (printed at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
BUILD=${TESSERA_BUILD:-build}
WITH_PEERS=0
case "${1:-}" in
  "") ;;
  --peers) WITH_PEERS=1 ;;
  *) echo "usage: $0 [--peers]" >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || { echo "error: benchmarks must run as root (FUSE, drop_caches)" >&2; exit 1; }
[ -c /dev/fuse ] || { echo "error: /dev/fuse is missing" >&2; exit 1; }
[ -x "$PEERS_DIR/bench.sh" ] || { echo "error: $PEERS_DIR/bench.sh not found (set PEERS_DIR)" >&2; exit 1; }
if [ ! -x "$ROOT/$BUILD/bin/tessera-mount" ]; then
  "$ROOT/deploy/build.sh"
fi

RESULTS_DIR=$(mktemp -d /tmp/tessera-bench-XXXXXX)
RESULTS=$RESULTS_DIR/results.txt
: >"$RESULTS"

bench() {  # DIR LABEL
  echo "[$(date +%H:%M:%S)] bench: $2 on $1" >&2
  "$PEERS_DIR/bench.sh" "$1" "$2" | tee -a "$RESULTS"
}

if [ $WITH_PEERS = 1 ]; then
  mkdir -p /tmp/tsr-peers/local
  bench /tmp/tsr-peers/local local
  "$PEERS_DIR/passthrough.sh" start
  bench /tmp/tsr-peers/fuse-pt passthrough || { "$PEERS_DIR/passthrough.sh" stop; exit 1; }
  "$PEERS_DIR/passthrough.sh" stop
  FRESH=1 "$PEERS_DIR/moosefs/start.sh"
  sleep 10  # as the peers README prescribes: let the fresh MooseFS cluster settle
  bench /tmp/tsr-peers/moosefs/mnt moosefs || { WIPE=1 "$PEERS_DIR/moosefs/stop.sh"; exit 1; }
  WIPE=1 "$PEERS_DIR/moosefs/stop.sh"
fi

# Tessera last, so that its idle daemons do not load the other runs. The FUSE test harness
# starts the cluster and tears it down by PID when this script exits.
export TESSERA_BIN_DIR=$ROOT/$BUILD/bin
source "$ROOT/tests/fuse/lib.sh"
fuse_cluster_start 3
bench "$MNT" tessera

# One row per metric, one column per label, then the ratios.
awk -v peers="$WITH_PEERS" '
  { value[$1, $2] = $3; unit[$2] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
  function cell(label, metric) { return ((label, metric) in value) ? value[label, metric] : "-" }
  function ratio(a, b) { return (a != "-" && b != "-" && b + 0 != 0) ? sprintf("%.2f", a / b) : "-" }
  END {
    if (peers) {
      printf "%-22s %-7s %10s %10s %12s %10s %16s %20s\n", "metric", "unit", "tessera", "local",
             "passthrough", "moosefs", "tessera/moosefs", "tessera/passthrough"
    } else {
      printf "%-22s %-7s %10s\n", "metric", "unit", "tessera"
    }
    for (i = 1; i <= n; i++) {
      m = order[i]; t = cell("tessera", m)
      if (peers) {
        p = cell("passthrough", m); f = cell("moosefs", m)
        printf "%-22s %-7s %10s %10s %12s %10s %16s %20s\n", m, unit[m], t, cell("local", m), p, f,
               ratio(t, f), ratio(t, p)
      } else {
        printf "%-22s %-7s %10s\n", m, unit[m], t
      }
    }
  }' "$RESULTS"
echo "(higher is better except latencies (us) and bench_wall (s); raw lines in $RESULTS)"
