#!/usr/bin/env bash
# fsx-style random operations (fsx_checks.py) on one file of a real mount, every read and size
# checked against a model, and the file checked through a second mount after each fsync: three
# seeds, two of them on a file that crosses the 64 MiB chunk boundary.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || fail "$PY is missing"

fuse_cluster_start 3
A=$MNT
mount_tessera
B=$NEW_MNT

CHUNK=$((64 << 20))
run_fsx() {  # NAME SEED OPS MAX_SIZE
  "$PY" "$(dirname "$0")/fsx_checks.py" "$A/$1" "$B/$1" "$2" "$3" "$4" \
    || fail "fsx on $1 (seed $2) found a difference"
}
run_fsx small 1 3000 $((4 << 20))
run_fsx boundary 2 1500 $((CHUNK + (4 << 20)))
run_fsx boundary2 3 1500 $((2 * CHUNK + (1 << 20)))
say "PASS"
