#!/usr/bin/env bash
# A 300 MiB random file copied in reads back equal (also after dropping caches and after a
# remount); each of its chunks has its three replicas on three different chunk servers; with
# one chunk server killed by kill -9 the file still reads back correctly.
source "$(dirname "$0")/lib.sh"

fuse_cluster_start 3
SIZE_MIB=300
CHUNKS=$(((SIZE_MIB + 63) / 64))
SRC=$TEST_DIR/big.src
head -c "${SIZE_MIB}M" /dev/urandom >"$SRC"
WANT=$(sha_of "$SRC")

say "copying ${SIZE_MIB} MiB in"
cp "$SRC" "$MNT/big" || fail "cp of ${SIZE_MIB} MiB into the mount failed"
[ "$(stat -c %s "$MNT/big")" = $((SIZE_MIB << 20)) ] || fail "size is $(stat -c %s "$MNT/big")"
[ "$(sha_of "$MNT/big")" = "$WANT" ] || fail "read back differs (page cache)"
drop_caches
[ "$(sha_of "$MNT/big")" = "$WANT" ] || fail "read back differs after dropping caches"

say "remounting"
unmount_tessera 0
mount_tessera
MNT=$NEW_MNT
[ "$(sha_of "$MNT/big")" = "$WANT" ] || fail "read back differs after a remount"

say "checking replica placement"
declare -a IDS
for i in 0 1 2; do
  IDS[$i]=$(chunk_ids_in "${CS_DATA[$i]}")
  count=$(grep -c . <<<"${IDS[$i]}" || true)
  [ "$count" = "$CHUNKS" ] || fail "chunk server $i holds $count chunk files, want $CHUNKS (one replica of each chunk)"
done
[ "${IDS[0]}" = "${IDS[1]}" ] && [ "${IDS[1]}" = "${IDS[2]}" ] \
  || fail "the three chunk servers do not hold the same chunks"

say "killing chunk server 1 with SIGKILL"
kill9_chunk_server 1
drop_caches
[ "$(sha_of "$MNT/big")" = "$WANT" ] || fail "read back differs with a chunk server down"
unmount_tessera "$NEW_MOUNT_INDEX"
mount_tessera
[ "$(sha_of "$NEW_MNT/big")" = "$WANT" ] || fail "read back differs from a fresh mount with a chunk server down"
say "PASS"
