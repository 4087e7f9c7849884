#!/usr/bin/env bash
# A flipped byte in one replica's chunk file on disk: a reader through the mount still gets the
# right bytes (another replica serves them), the client reports the bad replica, the master
# drops it, and the replication manager makes a new good copy: in the end every replica of the
# chunk holds exactly the file's bytes and none is the damaged one.
source "$(dirname "$0")/lib.sh"

fuse_cluster_start 4
SRC=$TEST_DIR/src
head -c $((10 << 20)) /dev/urandom >"$SRC"
cp "$SRC" "$MNT/f" || fail "cp into the mount failed"
WANT=$(sha_of "$SRC")

chunk_files() {  # every chunk file of the file's one chunk, on live servers
  local i
  for i in "${!CS_DATA[@]}"; do
    [ -n "${CS_PIDS[$i]}" ] || continue
    find "${CS_DATA[$i]}/chunks" -type f -name '*.chunk' 2>/dev/null
  done
}
mapfile -t FILES < <(chunk_files)
[ ${#FILES[@]} = 3 ] || fail "expected 3 replicas, found ${#FILES[@]}: ${FILES[*]}"

# Flip one byte in the data of the replica readers go to first: the client tries replicas in the
# master's order (by server id) until one fails. (The 16 KiB header comes first in the file.)
VICTIM=$(for file in "${FILES[@]}"; do
  echo "$(cat "${file%%/chunks/*}/server_id") $file"
done | sort -n | head -1 | cut -d' ' -f2)
HEADER=16384
OFFSET=$((HEADER + 123456))
ORIGINAL=$(od -An -tu1 -j $OFFSET -N1 "$VICTIM" | tr -d ' ')
printf "$(printf '\\%03o' $(((ORIGINAL + 1) % 256)))" |
  dd of="$VICTIM" bs=1 seek=$OFFSET conv=notrunc status=none
VICTIM_INODE=$(stat -c %i "$VICTIM")
say "flipped byte $OFFSET of $VICTIM"

for round in 1 2; do
  drop_caches
  [ "$(sha_of "$MNT/f")" = "$WANT" ] || fail "round $round: the reader got damaged bytes"
done

say "waiting until the damaged replica is replaced"
deadline=$((SECONDS + 60))
while :; do
  mapfile -t FILES < <(chunk_files)
  good=0
  damaged=0
  for file in "${FILES[@]}"; do
    if [ -f "$file" ] && [ "$(stat -c %i "$file")" = "$VICTIM_INODE" ] && [ "$file" = "$VICTIM" ]; then
      damaged=1
    elif tail -c +$((HEADER + 1)) "$file" | cmp -s - "$SRC"; then
      good=$((good + 1))
    fi
  done
  [ $damaged = 0 ] && [ $good = 3 ] && [ ${#FILES[@]} = 3 ] && break
  [ $SECONDS -lt $deadline ] ||
    fail "after 60 s: ${#FILES[@]} replicas, $good good, damaged one present: $damaged"
  sleep 0.2
done
grep -q "corrupt replica of chunk" "$TEST_DIR/master/log" ||
  grep -q "corrupt replica of chunk" "$TEST_DIR"/master*/log ||
  fail "the master logged no corrupt-replica report"
drop_caches
[ "$(sha_of "$MNT/f")" = "$WANT" ] || fail "read back differs after the repair"
FSCK=$("$BIN/tessera" --masters "$MASTER_ADDR" fsck / --json) ||
  fail "tessera fsck says the repaired cluster is not healthy: $FSCK"
grep -q '"healthy":true,"files":1,"chunks":1,' <<<"$FSCK" || fail "unexpected fsck answer: $FSCK"
say "PASS: damaged replica served no reader and was replaced by a good copy"
