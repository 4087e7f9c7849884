#!/usr/bin/env bash
# File locks through a master failover (three masters): a lock held on mount A survives kill -9
# of the leader, with A alive it is still held two mount timeouts later (the new leader gives
# every mount a full timeout from its election), A can still release it, and the new leader
# still expires a mount that dies afterwards, so mount B gets that mount's locks.
MASTERS=3
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/locks_lib.sh"

for tool in "$PY" fusermount3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (deploy/install-deps.sh installs it)"
done
MOUNT_TIMEOUT_MS=2000

MASTER_FLAGS="--mount-timeout-ms $MOUNT_TIMEOUT_MS" fuse_cluster_start 3
A=$MNT
A_INDEX=0
mount_tessera
B=$NEW_MNT
touch "$A/f"
eventually 5 test -f "$B/f" || fail "B does not see A's file"

start_holder HOLDER "$A/f"
holder_do HOLDER "posix write 0 0" ok
holder_do HOLDER "flock ex" ok
probe_is blocked "$B/f" posix write || fail "B got the write lock A holds"

wait_leader
old_leader=$LEADER
say "kill -9 of the leader (master index $old_leader) while A holds its locks"
kill9_master "$old_leader"
wait_leader "$old_leader"
say "master index $LEADER leads now"
# Two full timeouts after the failover, A's live locks must still hold.
deadline=$((SECONDS + 2 * MOUNT_TIMEOUT_MS / 1000 + 1))
while [ $SECONDS -lt $deadline ]; do
  probe_is blocked "$B/f" posix write || fail "A's lock was lost in the failover"
  probe_is blocked "$B/f" flock ex || fail "A's flock was lost in the failover"
  sleep 0.2
done
holder_do HOLDER "posix unlock 0 0" ok
probe_is granted "$B/f" posix write || fail "B did not get the lock A released after the failover"
probe_is blocked "$B/f" flock ex || fail "A's flock went with its POSIX lock"

say "kill -9 of mount A: the new leader must expire it"
kill9_mount $A_INDEX
kill -KILL "$HOLDER_PID" 2>/dev/null || true
wait "$HOLDER_PID" 2>/dev/null || true
wait "$HOLDER_PID" 2>/dev/null || true
deadline_s=$((MOUNT_TIMEOUT_MS / 1000 * 3 + 5))
eventually $deadline_s probe_is granted "$B/f" flock ex ||
  fail "B did not get dead mount A's flock within ${deadline_s}s"
grep -q "declared dead" "$(master_dir "$LEADER")/log" || fail "the new leader logged no expiry"
say "PASS"
