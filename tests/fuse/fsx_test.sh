#!/usr/bin/env bash
# fsx-style random operations (fsx_checks.py) on one file of a real mount: every read and size
# checked against a model, the file checked through a second mount after each fsync, and the
# writing moved between the two mounts now and then (close-to-open). Three seeds, two on files
# that cross the 64 MiB chunk boundary, and one more on two mounts that cache attributes and
# names for 60 s, where only the open-time check keeps the kernel's cache honest. First, writes of
# the same bytes through one or two descriptors must land in the order they were made.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || fail "$PY is missing"

fuse_cluster_start 3
A=$MNT
mount_tessera
B=$NEW_MNT
MOUNT_FLAGS="--attr-timeout-s 60 --entry-timeout-s 60"
mount_tessera
LONG_A=$NEW_MNT
mount_tessera
LONG_B=$NEW_MNT

CHUNK=$((64 << 20))
run_fsx() {  # MOUNT OTHER_MOUNT NAME SEED OPS MAX_SIZE
  "$PY" "$(dirname "$0")/fsx_checks.py" "$1/$3" "$2/$3" "$4" "$5" "$6" \
    || fail "fsx on $3 (seed $4) found a difference"
}
"$PY" "$(dirname "$0")/overlapping_writes_checks.py" "$A/overlap" "$B/overlap" \
  || fail "an older write of the same bytes landed after a newer one"
run_fsx "$A" "$B" small 1 3000 $((4 << 20))
run_fsx "$A" "$B" boundary 2 1500 $((CHUNK + (4 << 20)))
run_fsx "$A" "$B" boundary2 3 1500 $((2 * CHUNK + (1 << 20)))
run_fsx "$LONG_A" "$LONG_B" long_cache 4 2000 $((4 << 20))
say "PASS"
