#!/usr/bin/env bash
# tests/bench/rereplication.sh [GIB=2]: how fast the master brings chunks back to goal after a
# chunk server dies. Run by hand (root, FUSE), not part of ctest.
#
# For each chunk server setting (--replication-mbps 0 = unlimited, then the default): a fresh
# cluster of one master, five chunk servers and a mount (goal 3, tests/fuse/lib.sh); GIB GiB of
# random data written as files of 256 MiB (four full 64 MiB chunks each), SHA-256 remembered.
# kill -9 of the chunk server holding the most chunks; the clock starts at the master's log line
# declaring it dead and stops when every chunk again has three complete replicas (full-size chunk
# files) in the data directories of live servers, polled every 100 ms. Then the master's count is
# checked (`tessera status --json`: the alive servers hold 3 x chunks) and every file is read back
# through the mount after dropping the page cache.
#
# Rate = chunks the dead server held (each needs one copy) x 64 MiB over that time, in MB/s
# (10^6 bytes) and chunks/s. Env: TESSERA_BUILD (default build) selects the build dir;
# MASTER_FLAGS is passed on to the master.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${TESSERA_BUILD:-build}
export TESSERA_BIN_DIR=${TESSERA_BIN_DIR:-$ROOT/$BUILD/bin}
FILE_MIB=256
CHUNK_BYTES=$((64 << 20))
CHUNK_FILE_BYTES=$((CHUNK_BYTES + 16384))  # the chunk file header is 16 KiB
REPAIR_DEADLINE_S=600

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# The epoch milliseconds of a daemon log line, which starts with an ISO-8601 UTC timestamp.
log_line_ms() { date -u -d "${1%% *}" +%s%3N; }

# Ids of the complete chunk files in the data dirs of the live chunk servers, one line per
# replica.
live_full_replicas() {
  local i
  for ((i = 0; i < ${#CS_DATA[@]}; i++)); do
    [ -n "${CS_PIDS[$i]}" ] || continue
    [ -d "${CS_DATA[$i]}/chunks" ] || continue
    find "${CS_DATA[$i]}/chunks" -type f -name '*.chunk' -size "${CHUNK_FILE_BYTES}c" -printf '%f\n'
  done
}

# True when each of the CHUNKS chunk ids has exactly 3 live complete replicas.
all_at_goal() {
  local at_goal
  at_goal=$(live_full_replicas | sort | uniq -c | awk '$1 == 3' | wc -l)
  [ "$at_goal" = "$CHUNKS" ] && [ "$(live_full_replicas | wc -l)" = $((3 * CHUNKS)) ]
}

# The chunks the alive servers report in all, as the master shows them.
reported_replicas() {
  "$BIN/tessera" --masters "$MASTER_ADDR" status --json |
    grep -o '"alive":true,[^}]*"chunks":[0-9]*' | sed 's/.*"chunks"://' | awk '{ n += $1 } END { print n + 0 }'
}

# one_run LABEL GIB: one cluster, one kill; prints "result LABEL chunks copies dead_ms repair_ms".
one_run() {
  local label=$1 gib=$2 files i victim most count port killed_ms line dead_ms repaired_ms deadline
  source "$ROOT/tests/fuse/lib.sh"
  fuse_cluster_start 5
  files=$((gib * 1024 / FILE_MIB))
  declare -a sums=()
  say "[$label] writing $files files of $FILE_MIB MiB"
  for ((i = 0; i < files; i++)); do
    sums[i]=$(head -c $((FILE_MIB << 20)) /dev/urandom | tee "$MNT/file-$i" | sha256sum | cut -d' ' -f1)
  done
  CHUNKS=$((files * FILE_MIB / 64))
  deadline=$((SECONDS + 60))
  until all_at_goal; do
    [ $SECONDS -lt $deadline ] || fail "the $CHUNKS chunks never all had 3 replicas after the writes"
    sleep 0.1
  done

  victim=0 most=-1
  for ((i = 0; i < ${#CS_DATA[@]}; i++)); do
    count=$(chunk_ids_in "${CS_DATA[$i]}" | wc -l)
    if [ "$count" -gt "$most" ]; then victim=$i most=$count; fi
  done
  port=${CS_ADDRS[$victim]##*:}
  say "[$label] kill -9 of cs$((victim + 1)), which holds $most of the $CHUNKS chunks"
  killed_ms=$(now_ms)
  kill9_chunk_server "$victim"
  deadline=$((SECONDS + 30))
  until line=$(grep -m1 ":$port is dead" "$(master_dir 0)/log"); do
    [ $SECONDS -lt $deadline ] || fail "the master never declared cs$((victim + 1)) dead"
    sleep 0.05
  done
  dead_ms=$(log_line_ms "$line")
  deadline=$((SECONDS + REPAIR_DEADLINE_S))
  until all_at_goal; do
    [ $SECONDS -lt $deadline ] || fail "not every chunk was back at 3 replicas within ${REPAIR_DEADLINE_S}s"
    sleep 0.1
  done
  repaired_ms=$(now_ms)
  say "[$label] declared dead $((dead_ms - killed_ms)) ms after the kill; repaired $((repaired_ms - dead_ms)) ms after that; the master logged $(grep -c 're-replicat' "$(master_dir 0)/log" || true) re-replication lines"

  deadline=$((SECONDS + 30))
  until [ "$(reported_replicas)" = $((3 * CHUNKS)) ]; do
    [ $SECONDS -lt $deadline ] || fail "the master does not show 3 x $CHUNKS replicas on alive servers (shows $(reported_replicas))"
    sleep 0.2
  done
  drop_caches
  for ((i = 0; i < files; i++)); do
    [ "$(sha_of "$MNT/file-$i")" = "${sums[$i]}" ] || fail "file-$i reads back other data"
  done
  say "[$label] every file reads back intact"
  echo "result $label $CHUNKS $most $((dead_ms - killed_ms)) $((repaired_ms - dead_ms))"
}

case "${1:-}" in
  --run) CS_FLAGS=$3 one_run "$2" "$4"; exit 0 ;;
esac

GIB=${1:-2}
[[ "$GIB" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [GIB]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "error: benchmarks must run as root (FUSE)" >&2; exit 1; }
[ -x "$TESSERA_BIN_DIR/tessera-master" ] || { echo "error: no build in $TESSERA_BIN_DIR" >&2; exit 1; }

RESULTS=$(mktemp /tmp/tessera-rereplication-XXXXXX)
# Each run in a shell of its own: lib.sh tears its cluster down when that shell exits.
bash "$0" --run "unlimited" "--replication-mbps 0" "$GIB" | tee -a "$RESULTS"
bash "$0" --run "default" "" "$GIB" | tee -a "$RESULTS"

echo
echo "Re-replication after kill -9 of the busiest of 5 chunk servers (goal 3, $GIB GiB in 64 MiB chunks)"
printf "  %-10s %7s %7s %10s %10s %8s %9s\n" setting chunks copied "dead (ms)" "repair (ms)" "MB/s" "chunks/s"
awk '$1 == "result" {
  mb = $4 * 64 * 1048576 / 1e6; s = $6 / 1000
  printf "  %-10s %7d %7d %10d %10d %8.1f %9.2f\n", $2, $3, $4, $5, $6, mb / s, $4 / s
}' "$RESULTS"
echo "(dead: kill -9 to the master's 'is dead' line; repair: that line to every chunk at 3 replicas)"
echo "(raw results in $RESULTS)"
