#!/usr/bin/env bash
# Caching that is fast and correct (issue 5), on real mounts, as root and as nobody (setpriv):
#  1. the kernel page cache is kept across opens of an unchanged file (the second read of a
#     32 MiB file sends no read request to the mount), and a write, truncate or O_TRUNC on
#     another mount is seen by the very next open, even with 60 s attribute/entry timeouts;
#     stat and names from another mount show up once the (1 s) timeouts pass;
#  2. mmap: MAP_SHARED writes (msync or munmap + close) reach other mounts, another mount's
#     closed file reads right through a mapping, MAP_PRIVATE writes stay private;
#  3. atime: relatime moves it on the first read only, strictatime on every open that reads,
#     noatime never; at most one update per open;
#  4. a cached name does not let a caller past a directory whose search bit was just removed;
#  5. ftruncate through a descriptor opened for writing works though the mode forbids writing,
#     truncate by path does not.
#
# Mounts: A (index 0) caches attributes and names for 60 s and is noatime, so that nothing but
# the open-time check refreshes what its kernel caches; B is a second client with the 1 s
# defaults; E is relatime (the default) with 60 s timeouts, D strictatime; O caches nothing
# (timeouts 0), so its stat is the master's truth. A, B and E log at debug level: each read
# request the kernel sends is a line "read inode N offset ...", which is how page-cache hits
# are told from misses, and each atime update a line "atime of inode N moved to ...".
LONG_CACHE="--attr-timeout-s 60 --entry-timeout-s 60"
MOUNT_FLAGS="-o allow_other --log-level debug $LONG_CACHE --atime noatime"
source "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv (util-linux) is required"
PYTHON=/usr/bin/python3  # the system one: a per-user shim is not reachable by others
[ -x "$PYTHON" ] || fail "$PYTHON is required"

fuse_cluster_start 3
A=$MNT
MOUNT_FLAGS="-o allow_other --log-level debug"
mount_tessera
B=$NEW_MNT
MOUNT_FLAGS="-o allow_other --log-level debug $LONG_CACHE"
mount_tessera
E=$NEW_MNT
E_INDEX=$NEW_MOUNT_INDEX
MOUNT_FLAGS="-o allow_other --atime strictatime"
mount_tessera
D=$NEW_MNT
MOUNT_FLAGS="-o allow_other --attr-timeout-s 0 --entry-timeout-s 0"
mount_tessera
O=$NEW_MNT
chmod 0755 "$TEST_DIR"  # mktemp made it 0700: other users must reach the mounts
CHECKS=$TEST_DIR/cache_checks.py
cp "$(dirname "$0")/cache_checks.py" "$CHECKS"
chmod 0644 "$CHECKS"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
as_user() {  # USER(root|nobody) COMMAND...
  local user=$1
  shift
  if [ "$user" = root ]; then "$@"; else "${NOBODY[@]}" "$@"; fi
}
check() { as_user "$1" "$PYTHON" "$CHECKS" "${@:2}"; }  # USER OP PATH [ARGS]

# Read requests mount INDEX received for INODE so far.
reads_of() { grep -c "read inode $2 offset" "$TEST_DIR/mount$1.log" || true; }
# Same hash as through the observer mount (the master's truth)?
same_as_truth() { [ "$(sha_of "$1")" = "$(sha_of "$O/${1#"$2"/}")" ]; }

mkdir -m 0777 "$B/shared"

# ---- 1. page cache kept when unchanged, dropped when another mount changed the file ----
for user in root nobody; do
  f=shared/big.$user
  head -c 32M /dev/urandom >"$TEST_DIR/big"
  as_user $user cp "$TEST_DIR/big" "$B/$f"
  ino=$(stat -c %i "$O/$f")
  before=$(reads_of 0 "$ino")
  as_user $user cmp "$TEST_DIR/big" "$A/$f" || fail "$user: A reads wrong data"
  first=$(reads_of 0 "$ino")
  [ "$first" -gt "$before" ] || fail "$user: the first read on A sent no read request (log?)"
  as_user $user cmp "$TEST_DIR/big" "$A/$f" || fail "$user: A's second read differs"
  second=$(reads_of 0 "$ino")
  [ "$second" = "$first" ] ||
    fail "$user: the second open of an unchanged file read again ($((second - first)) requests): page cache dropped"
  say "$user: 32 MiB reread from the page cache ($((first - before)) read requests the first time, 0 the second)"

  # Another mount rewrites 4 KiB in place (same size): the next open on A sees it at once.
  dd if=/dev/urandom of="$TEST_DIR/big" bs=4k count=1 seek=100 conv=notrunc status=none
  as_user $user dd if="$TEST_DIR/big" of="$B/$f" bs=4k count=1 skip=100 seek=100 conv=notrunc status=none
  as_user $user cmp "$TEST_DIR/big" "$A/$f" || fail "$user: A reads stale pages after B's write in place"
  # B grows the file: A sees the new size at the next open, though it caches attributes 60 s.
  as_user $user sh -c "head -c 1000 /dev/urandom >>'$B/$f'"
  cp "$O/$f" "$TEST_DIR/big"
  # (read_raw does not stat: the size must come from the open, not from a stat's refresh)
  [ "$(check $user read_raw "$A/$f")" = "$(sha_of "$TEST_DIR/big")" ] ||
    fail "$user: A does not see B's append at its next open"
  # B truncates into the middle of a chunk.
  as_user $user truncate -s 5000000 "$B/$f"
  head -c 5000000 "$TEST_DIR/big" >"$TEST_DIR/big.cut"
  [ "$(check $user read_raw "$A/$f")" = "$(sha_of "$TEST_DIR/big.cut")" ] ||
    fail "$user: A does not see B's truncate at its next open"
  # B rewrites it with O_TRUNC, shorter.
  as_user $user sh -c "echo 'rewritten by B' >'$B/$f'"
  [ "$(as_user $user cat "$A/$f")" = "rewritten by B" ] || fail "$user: A does not see B's O_TRUNC rewrite"
done

# Attributes and names: A caches them 60 s, B 1 s. A change on O shows on B within its timeout
# (plus scheduling slack), while A still shows what it cached: the timeouts are what bounds it.
echo attrs >"$O/shared/attrs"
chmod 0644 "$O/shared/attrs"
[ "$(stat -c %a "$A/shared/attrs")" = 644 ] && [ "$(stat -c %a "$B/shared/attrs")" = 644 ] ||
  fail "the mounts disagree on a new file's mode"
chmod 0600 "$O/shared/attrs"
mv "$O/shared/attrs" "$O/shared/attrs.renamed"
start=$SECONDS
eventually 4 test "$(stat -c %a "$B/shared/attrs.renamed" 2>/dev/null)" = 600 ||
  fail "B does not see another mount's rename + chmod after its 1 s timeouts"
eventually 4 test ! -e "$B/shared/attrs" || fail "B still sees the old name after its entry timeout"
say "B saw another mount's chmod and rename within $((SECONDS - start)) s (timeouts 1 s)"
[ "$(stat -c %a "$A/shared/attrs" 2>/dev/null)" = 644 ] ||
  fail "A (60 s timeouts) did not cache the name and mode: the timeout flags have no effect"

# ---- 2. mmap ----
for user in root nobody; do
  # MAP_SHARED writes, msync, munmap, close on A: B reads them.
  check $user mmap_write "$A/shared/map.$user" "A-$user" 3000000 sync
  check $user expect_pattern "$B/shared/map.$user" "A-$user" || fail "$user: B does not see A's msync'ed mmap writes"
  [ "$(stat -c %s "$B/shared/map.$user")" = 3000000 ] || fail "$user: wrong size after mmap writes"
  # Without msync: munmap + close must write back too.
  check $user mmap_write "$A/shared/map2.$user" "A2-$user" 200000 nosync
  check $user expect_pattern "$B/shared/map2.$user" "A2-$user" || fail "$user: mmap writes without msync are lost"
  # A mapped it (pages cached); B rewrites it and closes: a new mapping on A sees B's data.
  check $user mmap_read "$A/shared/map.$user" >/dev/null
  check $user mmap_write "$B/shared/map.$user" "B-$user" 3000000 sync
  check root mmap_write "$TEST_DIR/expected.$user" "B-$user" 3000000 sync
  [ "$(check $user mmap_read "$A/shared/map.$user")" = "$(sha_of "$TEST_DIR/expected.$user")" ] ||
    fail "$user: an mmap read on A shows stale pages after B's rewrite"
  # MAP_PRIVATE writes are not written back.
  check $user mmap_private_write "$A/shared/map.$user" "private"
  check $user expect_pattern "$A/shared/map.$user" "B-$user" || fail "$user: MAP_PRIVATE writes reached the file (A)"
  check $user expect_pattern "$B/shared/map.$user" "B-$user" || fail "$user: MAP_PRIVATE writes reached the file (B)"
done
say "mmap: shared writes published, other mounts' writes seen, private writes kept private"

# ---- 3. atime ----
atime_updates_on_E() { grep -c "atime of inode .* moved to" "$TEST_DIR/mount$E_INDEX.log" || true; }
for user in root nobody; do
  f=shared/atime.$user
  as_user $user sh -c "echo 'read me' >'$B/$f'"
  t0=$(check $user atime "$O/$f")
  updates0=$(atime_updates_on_E)
  check $user read "$E/$f" >/dev/null
  t1=$(check $user atime "$O/$f")
  [ "$t1" -gt "$t0" ] || fail "$user: relatime: the first read of a new file did not move atime ($t0 -> $t1)"
  [ "$(check $user atime "$E/$f")" = "$t1" ] || fail "$user: E's own stat shows a stale atime after its read"
  for _ in 1 2 3; do check $user read "$E/$f" >/dev/null; done
  t2=$(check $user atime "$O/$f")
  [ "$t2" = "$t1" ] || fail "$user: relatime: rereads of an unchanged file moved atime ($t1 -> $t2)"
  [ $(($(atime_updates_on_E) - updates0)) = 1 ] || fail "$user: relatime sent $(($(atime_updates_on_E) - updates0)) atime updates for 4 reads"
  # noatime (A): a read of a file changed since its last read leaves atime alone.
  as_user $user sh -c "echo 'changed' >>'$B/$f'"
  t3=$(check $user atime "$O/$f")
  check $user read "$A/$f" >/dev/null
  [ "$(check $user atime "$O/$f")" = "$t3" ] || fail "$user: noatime: a read moved atime"
  # strictatime (D): every open that reads moves it, also when the pages come from the cache.
  check $user read "$D/$f" >/dev/null
  t4=$(check $user atime "$O/$f")
  [ "$t4" -gt "$t3" ] || fail "$user: strictatime: the first read did not move atime"
  check $user read "$D/$f" >/dev/null
  t5=$(check $user atime "$O/$f")
  [ "$t5" -gt "$t4" ] || fail "$user: strictatime: a reread (page cache kept) did not move atime"
done
say "atime: relatime once per change, strictatime per open, noatime never"

# ---- 4. a cached name does not skip the search permission of the path ----
mkdir -p "$A/p4/a/b"
echo secret >"$A/p4/a/b/f"
chmod 0755 "$A/p4" "$A/p4/a" "$A/p4/a/b"
chmod 0644 "$A/p4/a/b/f"
chown 1000:1000 "$A/p4/a"
[ "$(as_user nobody cat "$A/p4/a/b/f")" = secret ] || fail "nobody cannot read through open directories"
[ "$(cat "$A/p4/a/b/f")" = secret ] || fail "root cannot read the file"
setpriv --reuid=1000 --regid=1000 --clear-groups chmod 0700 "$A/p4/a"
err=$(as_user nobody cat "$A/p4/a/b/f" 2>&1) && fail "nobody still reads through a 0700 directory (cached name)"
[[ "$err" == *"Permission denied"* ]] || fail "expected EACCES, got: $err"
[ "$(check nobody truncate "$A/p4/a/b/f" 0)" = EACCES ] || fail "nobody truncates through a 0700 directory"
[ "$(cat "$A/p4/a/b/f")" = secret ] || fail "root lost access (or the file changed)"
say "search permission of a path is checked at once, cached names or not"

# ---- 5. ftruncate judged by the descriptor, truncate by the mode ----
for user in nobody root; do
  [ "$(check $user ftruncate_readonly_mode "$A/shared/ro.$user")" = 12 ] ||
    fail "$user: open(O_CREAT|O_RDWR, 0444) + ftruncate + write failed"
  [ "$(stat -c %s "$O/shared/ro.$user")" = 12 ] || fail "$user: the master has the wrong size"
done
[ "$(check nobody truncate "$A/shared/ro.nobody" 5)" = EACCES ] || fail "nobody truncates a 0444 file by path"
[ "$(check root truncate "$A/shared/ro.nobody" 5)" = OK ] || fail "root cannot truncate a 0444 file"
say "ftruncate through a writable descriptor works on a 0444 file; truncate by path is refused"

say "PASS"
