#!/usr/bin/env bash
# Listings hand the kernel each entry's attributes (readdirplus), so `ls -l`, find and rm -r skip
# a lookup per entry. Shown here: what a listing reports equals what stat reports, for root and
# for nobody; a caller who may read a directory but not search it lists names and nothing else;
# another mount's changes still show within the attribute timeout (1 s) after a listing. (That a
# listing never brings back a name this mount just renamed away is links_test.sh's rename race.)
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || fail "$PY is missing"
command -v setpriv >/dev/null || fail "setpriv is missing; it runs the checks as nobody"

MOUNT_FLAGS="-o allow_other"
fuse_cluster_start 3
A=$MNT
mount_tessera
B=$NEW_MNT
chmod 755 "$TEST_DIR"

# listing_matches_stat DIR: every entry's d_type and the attributes ls -l prints equal lstat's.
listing_matches_stat() {
  "$PY" - "$1" <<'PYEOF'
import os, stat, sys
d = sys.argv[1]
seen = 0
for e in os.scandir(d):
    st = e.stat(follow_symlinks=False)
    fresh = os.lstat(os.path.join(d, e.name))
    for field in ("st_ino", "st_mode", "st_size", "st_uid", "st_gid", "st_nlink", "st_mtime_ns"):
        if getattr(st, field) != getattr(fresh, field):
            sys.exit(f"{e.name}: {field} {getattr(st, field)} != {getattr(fresh, field)}")
    kind = "d" if e.is_dir(follow_symlinks=False) else "l" if e.is_symlink() else "f"
    want = "d" if stat.S_ISDIR(fresh.st_mode) else "l" if stat.S_ISLNK(fresh.st_mode) else "f"
    if kind != want:
        sys.exit(f"{e.name}: listed as {kind}, is {want}")
    seen += 1
if seen == 0:
    sys.exit("empty listing")
PYEOF
}

# make_tree DIR: 200 files of distinct sizes and modes, a directory, a symlink and a hard link.
make_tree() {
  "$PY" - "$1" <<'PYEOF'
import os, sys
d = sys.argv[1]
os.makedirs(d)
for i in range(200):
    p = os.path.join(d, "f%03d" % i)
    with open(p, "wb") as f:
        f.write(b"x" * (i * 37))
    os.chmod(p, 0o600 + (i % 8) * 0o10 + (i % 5))
os.mkdir(os.path.join(d, "sub"))
os.symlink("f001", os.path.join(d, "link"))
os.link(os.path.join(d, "f002"), os.path.join(d, "hard"))
PYEOF
}

for who in root nobody; do
  as=()
  [ "$who" = nobody ] && as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  mkdir "$A/$who" && chmod 777 "$A/$who"
  "${as[@]}" env PY=$PY bash -c "$(declare -f make_tree); make_tree '$A/$who/tree'" \
    || fail "($who) cannot make the tree"
  "${as[@]}" env PY=$PY bash -c "$(declare -f listing_matches_stat); listing_matches_stat '$A/$who/tree'" \
    || fail "($who) listing on the writing mount differs from stat"
  "${as[@]}" env PY=$PY bash -c "$(declare -f listing_matches_stat); listing_matches_stat '$B/$who/tree'" \
    || fail "($who) listing on the second mount differs from stat"
  # ls -l output is the same on both mounts (names, modes, links, owners, sizes, times).
  diff <(cd "$A/$who/tree" && "${as[@]}" ls -ln --time-style=+%s.%N) \
    <(cd "$B/$who/tree" && "${as[@]}" ls -ln --time-style=+%s.%N) \
    || fail "($who) ls -l differs between the mounts"
done
say "listings equal stat, as root and as nobody"

# Read permission without search permission: the names, but no attributes (the kernel would then
# skip the lookup that the master refuses).
mkdir "$A/noexec" && echo secret >"$A/noexec/file" && chmod 744 "$A/noexec"
names=$(setpriv --reuid=65534 --regid=65534 --clear-groups ls "$B/noexec") || fail "nobody cannot list a 744 directory"
[ "$names" = file ] || fail "nobody lists '$names' in a 744 directory, want 'file'"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups stat -c %s "$B/noexec/file" 2>&1) \
  && fail "nobody stat'ed a file in a directory it may not search: $out"
echo "$out" | grep -q "Permission denied" || fail "stat without search permission: $out"
say "no search permission: names only, stat refused"

# Another mount's changes show within the attribute timeout even right after a listing.
ls -l "$B/root/tree" >/dev/null
chmod 640 "$A/root/tree/f010"
echo "now longer than before" >"$A/root/tree/f011"
mv "$A/root/tree/f012" "$A/root/tree/moved"
stat_is() { [ "$(stat -c "$1" "$2")" = "$3" ]; }  # FORMAT PATH WANT
eventually 3 stat_is %a "$B/root/tree/f010" 640 || fail "B keeps the old mode of f010"
eventually 3 stat_is %s "$B/root/tree/f011" 23 || fail "B keeps the old size of f011"
eventually 3 test ! -e "$B/root/tree/f012" || fail "B still finds the moved f012"
[ -f "$B/root/tree/moved" ] || fail "B does not find the moved file"
say "another mount's changes show after the timeout"

# A listing read before this mount's own buffered writes must not hand the kernel the size from
# before them: the kernel would shrink the file to it and reads would stop short.
mkdir "$A/growing" && head -c 100 /dev/urandom >"$A/growing/f"
"$PY" - "$A/growing" <<'PYEOF' || fail "a listing taken before a buffered write shrinks the file"
import os, sys
d = sys.argv[1]
path = os.path.join(d, "f")
fd = os.open(path, os.O_WRONLY)
listing = os.scandir(d)  # opendir: the snapshot holds size 100
os.pwrite(fd, b"y" * 4000, 100)  # buffered on the mount, not committed yet
names = [e.name for e in listing]  # readdirplus
if names != ["f"]:
    sys.exit(f"listed {names}")
size = os.stat(path).st_size
with open(path, "rb") as f:
    data = f.read()
os.close(fd)
if size != 4100 or len(data) != 4100:
    sys.exit(f"stat says {size}, read gives {len(data)} bytes after the listing; want 4100")
PYEOF
say "a listing does not undo this mount's buffered writes"

rm -r "$A/root" "$A/nobody" "$A/noexec" "$A/growing"
say "PASS"
