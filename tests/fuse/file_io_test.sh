#!/usr/bin/env bash
# File data semantics on a real mount, as root and as an unprivileged user (uid 65534), checked
# by file_io_checks.py through the raw syscalls: truncate and ftruncate down and up inside
# chunks (cut bytes and freed chunks read as zeros), sparse files (holes inside a chunk and whole
# missing chunks), O_TRUNC, fallocate (mode 0 extends, KEEP_SIZE keeps the size, PUNCH_HOLE and
# ZERO_RANGE EOPNOTSUPP), SEEK_DATA/SEEK_HOLE, O_DIRECT with aligned buffers, fsync/fdatasync
# making data visible to a second mount, and O_APPEND from two mounts at once (200 records each,
# every record present and intact). Also statfs against the cluster's own capacity figures.
source "$(dirname "$0")/lib.sh"

MOUNT_FLAGS="-o allow_other"
PY=/usr/bin/python3
NOBODY=65534
CHECKS=$(dirname "$(readlink -f "$0")")/file_io_checks.py
[ -x "$PY" ] || fail "$PY is missing (deploy/install-deps.sh installs python3)"
command -v setpriv >/dev/null || fail "setpriv is missing (util-linux)"
[ -f "$CHECKS" ] || fail "$CHECKS is missing"

fuse_cluster_start 3
chmod 0755 "$TEST_DIR"  # mktemp made it 0700; the unprivileged user must reach the mounts
A=$MNT
mount_tessera
B=$NEW_MNT
# The checks run from a copy the unprivileged user can read wherever the source tree is.
cp "$CHECKS" "$TEST_DIR/file_io_checks.py"
chmod 0644 "$TEST_DIR/file_io_checks.py"

say "statfs shows the cluster's capacity and free space"
# A server's space is known from its first heartbeat after registering: wait for all three.
space_known() {
  [ "$("$BIN/tessera" --masters "$MASTER_ADDR" status --json \
        | grep -o '"capacity_bytes":[1-9]' | wc -l)" = 3 ]
}
eventually 30 space_known || fail "the master never learned every chunk server's space"
status=$("$BIN/tessera" --masters "$MASTER_ADDR" status --json)
"$PY" - "$A" "$status" <<'PYEOF' || fail "statfs does not match the cluster's capacity"
import json, os, sys
servers = [s for s in json.loads(sys.argv[2])["chunk_servers"] if s["alive"]]
total = sum(s["capacity_bytes"] for s in servers)
free = sum(s["free_bytes"] for s in servers)
st = os.statvfs(sys.argv[1])
seen_total, seen_free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
print("statfs: total %d (cluster %d), free %d (cluster %d)" % (seen_total, total, seen_free, free))
# Block rounding per reply; free space moves a little as other programs write to the disk.
assert total > 0 and abs(seen_total - total) <= st.f_frsize, "total"
assert abs(seen_free - free) <= max(total // 50, 64 << 20), "free"
PYEOF

say "root"
mkdir "$A/root"
"$PY" "$TEST_DIR/file_io_checks.py" "$A/root" "$B/root" || fail "checks as root"

say "unprivileged user (uid $NOBODY)"
mkdir "$A/user"
chown "$NOBODY:$NOBODY" "$A/user"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- \
  "$PY" "$TEST_DIR/file_io_checks.py" "$A/user" "$B/user" || fail "checks as uid $NOBODY"
[ "$(stat -c %u "$A/user/appended")" = "$NOBODY" ] || fail "the user's files are not its own"

say "PASS"
