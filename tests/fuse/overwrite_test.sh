#!/usr/bin/env bash
# A 200 MiB file (four chunks) overwritten in the middle of a chunk and across a chunk boundary
# with dd conv=notrunc; random reads match a local copy that had the same writes.
source "$(dirname "$0")/lib.sh"

fuse_cluster_start 3
SIZE=$((200 << 20))
LOCAL=$TEST_DIR/local
head -c "$SIZE" /dev/urandom >"$LOCAL"
cp "$LOCAL" "$MNT/f" || fail "cp into the mount failed"

overwrite_both() {  # OFFSET LENGTH: the same random bytes written to both copies
  head -c "$2" /dev/urandom >"$TEST_DIR/patch"
  dd if="$TEST_DIR/patch" of="$LOCAL" bs=1M seek="$1" oflag=seek_bytes conv=notrunc status=none
  dd if="$TEST_DIR/patch" of="$MNT/f" bs=1M seek="$1" oflag=seek_bytes conv=notrunc status=none \
    || fail "dd into the mount at $1 failed"
}
overwrite_both $(((96 << 20) + 12345)) $((1 << 20))          # middle of chunk 1, unaligned
overwrite_both $(((128 << 20) - 100000)) 300000               # across the chunk 1/2 boundary
overwrite_both 7 13                                            # tiny, at the start
overwrite_both $((SIZE - 4096)) 4096                           # the last block

[ "$(stat -c %s "$MNT/f")" = "$SIZE" ] || fail "conv=notrunc changed the size to $(stat -c %s "$MNT/f")"
drop_caches
[ "$(sha_of "$MNT/f")" = "$(sha_of "$LOCAL")" ] || fail "whole-file contents differ after the overwrites"

random_offset() { echo $((((RANDOM << 30) | (RANDOM << 15) | RANDOM) % $1)); }
read_range() {  # FILE OFFSET LENGTH
  dd if="$1" bs=64K iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none
}
check_range() {
  cmp -s <(read_range "$MNT/f" "$1" "$2") <(read_range "$LOCAL" "$1" "$2") \
    || fail "bytes [$1, +$2) differ from the local copy"
}
drop_caches
for _ in $(seq 1 150); do
  check_range "$(random_offset "$SIZE")" $((1 + RANDOM * 8))
done
# Around the patched places and the chunk boundaries exactly.
for offset in $(((96 << 20) + 12000)) $(((128 << 20) - 100500)) 0 $(((64 << 20) - 10)) $((SIZE - 5000)); do
  check_range "$offset" 200000
done
say "PASS"
