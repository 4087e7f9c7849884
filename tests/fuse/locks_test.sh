#!/usr/bin/env bash
# File locks held across two mounts (kept by the master), as root and as nobody (uid 65534):
#  1. fcntl record locks and flock between processes on mounts A and B (lock_checks.py points:
#     conflicts, F_GETLK, split ranges, downgrade/upgrade, F_SETLKW granted at unlock, EINTR
#     of an interrupted F_SETLKW, release at close, flock apart from fcntl);
#  2. SQLite: one process per mount inserting into ONE rollback-journal database at once; the
#     count is the sum and integrity_check is ok, read from both mounts;
#  3. kill -9 of mount A's tessera-mount: the master expires it after --mount-timeout-ms and
#     B gets the locks A's processes held.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/locks_lib.sh"

for tool in "$PY" sqlite3 setpriv fusermount3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (deploy/install-deps.sh installs it)"
done
MOUNT_TIMEOUT_MS=2000
SQLITE_ROWS=${SQLITE_ROWS:-300}

MASTER_FLAGS="--mount-timeout-ms $MOUNT_TIMEOUT_MS" MOUNT_FLAGS="-o allow_other" \
  fuse_cluster_start 3
A=$MNT
A_INDEX=0
MOUNT_FLAGS="-o allow_other" mount_tessera
B=$NEW_MNT
chmod 755 "$TEST_DIR"  # nobody must reach the mount points

mkdir "$A/root" "$A/user"
chown $NOBODY:$NOBODY "$A/user"
eventually 5 test -d "$B/user" || fail "B does not see the test directories"

say "1. fcntl and flock across two mounts, as root and as nobody"
"$PY" "$LOCK_CHECKS" points "$A/root" "$B/root" || fail "lock points as root"
as_nobody "$PY" "$LOCK_CHECKS" points "$A/user" "$B/user" || fail "lock points as nobody"

# sqlite_two_mounts DIR [as_nobody]: two writers, one per mount, on DIR/db at the same time.
sqlite_two_mounts() {
  local dir=$1 a_pid b_pid count
  shift
  "$@" "$PY" "$LOCK_CHECKS" sqlite "$A/$dir/db" from-a "$SQLITE_ROWS" &
  a_pid=$!
  "$@" "$PY" "$LOCK_CHECKS" sqlite "$B/$dir/db" from-b "$SQLITE_ROWS" &
  b_pid=$!
  wait "$a_pid" || fail "the SQLite writer on mount A failed"
  wait "$b_pid" || fail "the SQLite writer on mount B failed"
  for mount in "$A" "$B"; do
    count=$("$@" sqlite3 "$mount/$dir/db" "SELECT count(*) FROM t")
    [ "$count" = $((2 * SQLITE_ROWS)) ] || fail "$mount/$dir/db holds $count rows, not $((2 * SQLITE_ROWS))"
    count=$("$@" sqlite3 "$mount/$dir/db" "SELECT count(DISTINCT tag || '/' || n) FROM t")
    [ "$count" = $((2 * SQLITE_ROWS)) ] || fail "$mount/$dir/db: $count distinct rows"
    [ "$("$@" sqlite3 "$mount/$dir/db" "PRAGMA integrity_check")" = ok ] ||
      fail "$mount/$dir/db fails integrity_check"
  done
}

say "2. SQLite from two mounts at once, $SQLITE_ROWS rows each, as root and as nobody"
sqlite_two_mounts root
sqlite_two_mounts user as_nobody

say "3. kill -9 of mount A releases its locks within the mount timeout"
start_holder ROOT_HOLDER "$A/root/dead"
start_holder USER_HOLDER "$A/user/dead" as_nobody
holder_do ROOT_HOLDER "posix write 0 0" ok
holder_do ROOT_HOLDER "flock ex" ok
holder_do USER_HOLDER "posix read 0 100" ok
probe_is blocked "$B/root/dead" posix write || fail "B got a write lock A holds"
probe_is blocked "$B/root/dead" flock ex || fail "B got a flock A holds"
probe_is blocked "$B/user/dead" posix write as_nobody || fail "B got a lock A's nobody holds"
kill9_mount $A_INDEX
killed_at=$SECONDS
kill -KILL "$ROOT_HOLDER_PID" "$USER_HOLDER_PID" 2>/dev/null || true
wait "$ROOT_HOLDER_PID" "$USER_HOLDER_PID" 2>/dev/null || true
wait "$ROOT_HOLDER_PID" "$USER_HOLDER_PID" 2>/dev/null || true
deadline_s=$((MOUNT_TIMEOUT_MS / 1000 * 3 + 5))
eventually $deadline_s probe_is granted "$B/root/dead" posix write ||
  fail "B did not get A's write lock within ${deadline_s}s of A's death"
probe_is granted "$B/root/dead" flock ex || fail "A's flock outlived its mount"
probe_is granted "$B/user/dead" posix write as_nobody || fail "A's read lock outlived its mount"
grep -q "declared dead" "$(master_dir 0)/log" || fail "the master logged no expiry"
say "A's locks were released $((SECONDS - killed_at))s after its mount died"
say "PASS"
