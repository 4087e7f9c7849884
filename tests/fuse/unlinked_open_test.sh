#!/usr/bin/env bash
# An unlinked file that is still open stays readable and writable until the last close, as root
# and as an unprivileged user (uid 65534), checked by unlinked_open_checks.py:
# - on one mount: open, unlink, then read, write, fstat (nlink 0), ftruncate, a second
#   descriptor through /proc, for longer than the master's grace;
# - mount A holds the file open while mount B unlinks it, or renames another file over it: A
#   keeps reading and writing for longer than the grace; after A's close the file's chunk files
#   leave the chunk servers' data dirs and statfs's used space goes back down;
# - A's tessera-mount is killed (kill -9) with the file open: the file is freed after the grace.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/unlinked_open_lib.sh"

HOLD_S=6  # longer than the grace: a file freed by mistake would fail the holder's fsync

fuse_cluster_start 3
unlinked_setup

# as USER COMMAND...: runs COMMAND as root or as the unprivileged user.
as() {
  local user=$1
  shift
  if [ "$user" = root ]; then
    "$@"
  else
    setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$@"
  fi
}

# Bytes used on the cluster as statfs on the mount shows them.
used_bytes() {
  "$PY" -c 'import os, sys; s = os.statvfs(sys.argv[1]); print((s.f_blocks - s.f_bfree) * s.f_frsize)' "$1"
}

for user in root nobody; do
  say "$user: open, unlink, read, write, fstat, ftruncate on one mount past the grace"
  (cd / && as "$user" "$PY" "$TEST_DIR/checks.py" same-mount "$A/shared" "$HOLD_S") \
    || fail "$user: same-mount checks"

  say "$user: A holds a file open, B unlinks it; A keeps using it; freed after A's close"
  size=1048576
  [ "$user" = root ] && size=$((96 << 20))  # large enough for statfs to show it going
  start_holder "$user" "$A" "held-$user" "$size" "$HOLD_S"
  as "$user" rm "$B/shared/held-$user" || fail "$user: B cannot unlink held-$user"
  touch "$SIGNALS/unlinked"
  [ ! -e "$B/shared/held-$user" ] || fail "B still sees held-$user"
  if [ "$user" = root ]; then
    eventually $((HOLD_S + 60)) test -e "$SIGNALS/verified" || fail "the holder did not finish"
    used_held=$(used_bytes "$A")
  fi
  finish_holder "$user unlink by B" $((HOLD_S + 60))
  if [ "$user" = root ]; then
    # The chunk servers' disks share one file system here: each server's statfs shows the
    # removal of all three replicas, so the drop is 3 x 3 x 96 MiB; ask for half of it.
    want_drop=$((3 * 3 * 96 * 1048576 / 2))
    used_dropped() { [ $((used_held - $(used_bytes "$A"))) -ge "$want_drop" ]; }
    eventually 30 used_dropped || fail "statfs used space did not go down after the free " \
      "($used_held before, $(used_bytes "$A") now)"
  fi

  say "$user: A holds a file open, B renames another file over it"
  start_holder "$user" "$A" "victim-$user" 1048576 "$HOLD_S"
  as "$user" sh -c "echo replacement >'$B/shared/new-$user' && mv '$B/shared/new-$user' '$B/shared/victim-$user'" \
    || fail "$user: B cannot rename over victim-$user"
  touch "$SIGNALS/unlinked"
  finish_holder "$user rename over by B" $((HOLD_S + 60))
  [ "$(cat "$A/shared/victim-$user")" = replacement ] || fail "the name shows the wrong file"

  say "$user: A's tessera-mount is killed with an unlinked file open: freed after the grace"
  start_holder "$user" "$A" "orphan-$user" 1048576 0
  as "$user" rm "$B/shared/orphan-$user" || fail "$user: B cannot unlink orphan-$user"
  # Held past the grace by A's reports alone.
  deadline=$((SECONDS + GRACE_MS / 1000 + 3))
  while [ $SECONDS -lt $deadline ]; do
    # shellcheck disable=SC2086
    all_left $HELD_IDS || fail "$user: chunks of orphan-$user went while A was alive"
    sleep 0.5
  done
  kill -KILL "${MOUNT_PIDS[$A_INDEX]}"
  wait "${MOUNT_PIDS[$A_INDEX]}" 2>/dev/null || true
  kill -KILL "$HOLDER_PID" 2>/dev/null || true
  wait "$HOLDER_PID" 2>/dev/null || true
  fusermount3 -uz "$A" 2>/dev/null || umount -l "$A" || fail "cannot unmount the dead mount $A"
  MOUNT_PIDS[$A_INDEX]=
  MOUNT_DIRS[$A_INDEX]=
  # shellcheck disable=SC2086
  eventually 60 none_left $HELD_IDS || fail "$user: chunks of the dead mount's file stayed"
  mount_tessera
  A=$NEW_MNT
  A_INDEX=$NEW_MOUNT_INDEX
done

say "a name another mount removed cannot change the file a descriptor keeps"
# C caches names and attributes for 60 s, so its kernel still holds the removed name and sends
# the chmod straight to the inode.
MOUNT_FLAGS="--entry-timeout-s 60 --attr-timeout-s 60"
mount_tessera
C=$NEW_MNT
echo kept >"$A/shared/stale-name"
chmod 644 "$A/shared/stale-name"
exec 7<"$A/shared/stale-name"
stat "$C/shared/stale-name" >/dev/null || fail "C cannot see stale-name"
rm "$B/shared/stale-name" || fail "B cannot remove stale-name"
if out=$(chmod 600 "$C/shared/stale-name" 2>&1); then
  fail "chmod through C's stale name changed the unnamed file"
fi
grep -q "No such file" <<<"$out" || fail "chmod through a removed name: $out"
[ "$(stat -L -c %a /proc/self/fd/7)" = 644 ] || fail "the held file's mode changed: $(stat -L -c %a /proc/self/fd/7)"
[ "$(cat <&7)" = kept ] || fail "the held file lost its content"
exec 7<&-
say "PASS"
