#!/usr/bin/env bash
# A source tree from the system (boost/asio, ~600 files) untarred into the mount is identical
# to the original (diff -r), also after a remount.
source "$(dirname "$0")/lib.sh"

ORIGIN=/usr/include/boost/asio
[ -d "$ORIGIN" ] || fail "$ORIGIN is missing (package libboost-dev)"
fuse_cluster_start 3
tar -C "$(dirname "$ORIGIN")" -cf "$TEST_DIR/tree.tar" "$(basename "$ORIGIN")"
mkdir "$MNT/src"
say "untarring $(tar -tf "$TEST_DIR/tree.tar" | wc -l) entries"
tar -C "$MNT/src" -xf "$TEST_DIR/tree.tar" || fail "tar x into the mount failed"
diff -r "$ORIGIN" "$MNT/src/asio" >"$TEST_DIR/diff.out" 2>&1 || { head -n 40 "$TEST_DIR/diff.out" >&2; fail "diff -r found differences"; }
WANT_COUNT=$(find "$ORIGIN" | wc -l)
[ "$(find "$MNT/src/asio" | wc -l)" = "$WANT_COUNT" ] || fail "entry count differs"

unmount_tessera 0
mount_tessera
drop_caches
diff -r "$ORIGIN" "$NEW_MNT/src/asio" >"$TEST_DIR/diff.out" 2>&1 || { head -n 40 "$TEST_DIR/diff.out" >&2; fail "diff -r after remount found differences"; }
tar -C "$NEW_MNT/src" -cf - asio | tar -tf - >/dev/null || fail "tar of the copy failed"
rm -rf "$NEW_MNT/src" || fail "rm -rf of the tree failed"
[ -z "$(ls -A "$NEW_MNT")" ] || fail "mount not empty after rm -rf: $(ls -A "$NEW_MNT")"
say "PASS"
