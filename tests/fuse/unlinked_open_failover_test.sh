#!/usr/bin/env bash
# An unlinked file held open survives a master failover: with three masters, a mount holds a
# file whose name another mount removed; the leader is killed (kill -9); after a new leader has
# led for longer than the grace, the holder still reads and writes the file (fsync reaches the
# new leader). Once closed, the new leader frees it and its chunk files go. As root and as an
# unprivileged user (uid 65534); the killed master comes back between the two.
MASTERS=3
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/unlinked_open_lib.sh"

fuse_cluster_start 3
unlinked_setup

for user in root nobody; do
  say "$user: A holds a file B unlinked; the leader dies; A keeps using it past the grace"
  # The holder uses the file for 4 graces: across the election and more than a grace after it.
  start_holder "$user" "$A" "held-$user" 2097152 $((4 * GRACE_MS / 1000))
  rm "$B/shared/held-$user" || fail "B cannot unlink held-$user"
  touch "$SIGNALS/unlinked"
  wait_leader
  old_leader=$LEADER
  say "killing leader master $((old_leader + 1))"
  kill9_master "$old_leader"
  wait_leader "$old_leader"
  say "master $((LEADER + 1)) leads now"
  finish_holder "$user across a failover" 120
  restart_master "$old_leader"
  wait_master_caught_up "$old_leader"
done
say "PASS"
