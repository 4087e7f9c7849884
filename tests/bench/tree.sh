#!/usr/bin/env bash
# tests/bench/tree.sh [FILES=10000]: the small-file workload of issue 5, side by side on the local
# disk, MooseFS (../shared/peers, goal 3) and Tessera (1 master, 3 chunk servers, goal 3, one
# mount, all on 127.0.0.1). Run by hand as root; not part of ctest.
#
# A source-like tree of FILES small files (100 files per directory, sizes 200 B..16 KiB from a
# fixed seed) is packed once into a tarball on the local disk. On each file system, with the page
# cache dropped before each step:
#   untar   tar -xf of the tarball into the file system, then sync
#   ls-lR   ls -lR of the tree (every entry stat'ed), output discarded
#   rm-rf   rm -rf of the tree
# Times are wall-clock seconds (lower is better); the table adds tessera/moosefs and
# tessera/local ratios (below 1: Tessera is faster). Env: TESSERA_BUILD (default build), PEERS_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${TESSERA_BUILD:-build}
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/peers}
FILES=${1:-10000}
[[ "$FILES" =~ ^[0-9]+$ ]] && [ "$FILES" -ge 100 ] || { echo "usage: $0 [FILES>=100]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "error: run as root (FUSE, drop_caches)" >&2; exit 1; }
[ -c /dev/fuse ] || { echo "error: /dev/fuse is missing" >&2; exit 1; }
[ -x "$PEERS_DIR/moosefs/start.sh" ] || { echo "error: $PEERS_DIR/moosefs not found" >&2; exit 1; }
[ -x "$ROOT/$BUILD/bin/tessera-mount" ] || "$ROOT/deploy/build.sh"

WORK=$(mktemp -d /tmp/tessera-tree-XXXXXX)
RESULTS=$WORK/results.txt
: >"$RESULTS"

make_tarball() {
  local src=$WORK/src/tree
  python3 - "$src" "$FILES" <<'EOF'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
for i in range(count):
    d = os.path.join(root, "dir%03d" % (i // 100), "sub%d" % (i % 3))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file%05d.c" % i), "wb") as f:
        f.write(rng.randbytes(rng.randint(200, 16384)))
EOF
  tar -C "$WORK/src" -cf "$WORK/tree.tar" tree
  rm -rf "$WORK/src"
}

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

timed() {  # LABEL STEP COMMAND...: appends "LABEL STEP SECONDS" to the results
  local label=$1 step=$2; shift 2
  drop_caches
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  echo "$label $step $(echo "$end - $start" | bc -l)" | tee -a "$RESULTS" >&2
}

run_on() {  # DIR LABEL
  local dir=$1/tree-bench.$$ label=$2
  mkdir -p "$dir"
  timed "$label" untar sh -c "tar -C '$dir' -xf '$WORK/tree.tar' && sync"
  local count
  count=$(find "$dir" -type f | wc -l)
  [ "$count" = "$FILES" ] || { echo "error: $label holds $count files, want $FILES" >&2; exit 1; }
  timed "$label" ls-lR sh -c "ls -lR '$dir' >/dev/null"
  timed "$label" rm-rf rm -rf "$dir"
}

make_tarball
mkdir -p /tmp/tsr-peers/local
run_on /tmp/tsr-peers/local local
FRESH=1 "$PEERS_DIR/moosefs/start.sh" >&2
sleep 10  # as the peers README prescribes: let the fresh MooseFS cluster settle
run_on /tmp/tsr-peers/moosefs/mnt moosefs || { WIPE=1 "$PEERS_DIR/moosefs/stop.sh"; exit 1; }
WIPE=1 "$PEERS_DIR/moosefs/stop.sh" >&2

# Tessera last, so that its idle daemons do not load the other runs; the FUSE test harness tears
# the cluster down by PID when this script exits.
export TESSERA_BIN_DIR=$ROOT/$BUILD/bin
source "$ROOT/tests/fuse/lib.sh"
fuse_cluster_start 3
run_on "$MNT" tessera

awk '
  { t[$1, $2] = $3; steps[$2] = 1 }
  END {
    printf "%-8s %10s %10s %10s %16s %14s\n", "step", "tessera", "moosefs", "local",
           "tessera/moosefs", "tessera/local"
    n = split("untar ls-lR rm-rf", order, " ")
    for (i = 1; i <= n; i++) {
      s = order[i]
      printf "%-8s %9.2fs %9.2fs %9.2fs %16.2f %14.2f\n", s, t["tessera", s], t["moosefs", s],
             t["local", s], t["tessera", s] / t["moosefs", s], t["tessera", s] / t["local", s]
    }
  }' "$RESULTS"
echo "(seconds, lower is better; $FILES files; raw lines in $RESULTS)"
