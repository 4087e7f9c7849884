#!/usr/bin/env bash
# Two mounts of one cluster see each other's closed files (close-to-open) and directories.
source "$(dirname "$0")/lib.sh"

fuse_cluster_start 3
A=$MNT
mount_tessera
B=$NEW_MNT

echo "hello from A" >"$A/a.txt"
[ "$(cat "$B/a.txt")" = "hello from A" ] || fail "B does not see A's small file"

head -c 5M /dev/urandom >"$TEST_DIR/b.bin"
cp "$TEST_DIR/b.bin" "$B/b.bin"
cmp "$TEST_DIR/b.bin" "$A/b.bin" || fail "A does not see B's 5 MiB file"

mkdir "$B/dir"
echo inner >"$B/dir/f"
[ -d "$A/dir" ] || fail "A does not see B's directory"
[ "$(cat "$A/dir/f")" = inner ] || fail "A does not see the file in B's directory"

# A rewrites a file B has read before: B sees the new contents when it opens it again.
echo "version 2 is longer than version 1" >"$A/a.txt"
eventually 5 grep -qx "version 2 is longer than version 1" "$B/a.txt" || fail "B reads stale contents: $(cat "$B/a.txt")"

head -c 3M /dev/urandom >"$TEST_DIR/c.bin"
cp "$TEST_DIR/c.bin" "$A/b.bin"   # truncate and rewrite, shorter
eventually 5 cmp -s "$TEST_DIR/c.bin" "$B/b.bin" || fail "B does not see A's rewrite of b.bin"

mv "$A/dir" "$A/renamed"
eventually 5 test -f "$B/renamed/f" || fail "B does not see A's rename"
rm "$B/a.txt"
eventually 5 test ! -e "$A/a.txt" || fail "A still sees the file B removed"
say "PASS"
