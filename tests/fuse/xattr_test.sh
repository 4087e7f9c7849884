#!/usr/bin/env bash
# Extended attributes on a real mount, through setfattr/getfattr and the raw syscalls (Python
# os.*xattr and libc through ctypes), as root and as an unprivileged user (uid 65534):
# XATTR_CREATE / XATTR_REPLACE, ENODATA, size probing and ERANGE, name and value limits, the
# per-inode total (ENOSPC), the namespaces (user., trusted., security.; system.* and POSIX ACLs
# EOPNOTSUPP), mode-bit and sticky-directory checks, ctime, and durability: the attributes are
# seen from a second mount, after a remount and after a master restart; cp --preserve=xattr and
# tar --xattrs carry them into and out of the mount.
#
# Symlinks and special files (user.* refused there) are covered by tests/unit/master/xattr_test.cc:
# this mount has no symlink or mknod operation yet.
source "$(dirname "$0")/lib.sh"

MOUNT_FLAGS="-o allow_other"
PY=/usr/bin/python3
NOBODY=65534
[ -x "$PY" ] || fail "$PY is missing (deploy/install-deps.sh installs python3)"
for tool in setfattr getfattr setpriv; do
  command -v "$tool" >/dev/null || fail "$tool is missing (deploy/install-deps.sh installs attr)"
done

fuse_cluster_start 3
chmod 0755 "$TEST_DIR"  # mktemp made it 0700; the unprivileged user must reach the mounts
A=$MNT

# One xattr call; prints "OK[ result]" or the errno name (ENODATA, ERANGE, ...).
HELPER=$TEST_DIR/xattr_call.py
cat >"$HELPER" <<'EOF'
import ctypes, errno, os, sys

libc = ctypes.CDLL(None, use_errno=True)

def check(n):
    if n < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return n

def probe(call, *args):
    # Size 0 asks for the size; a buffer one byte short must give ERANGE.
    size = check(call(*args, None, 0))
    if size < 2:
        return str(size)
    buf = ctypes.create_string_buffer(size)
    short = call(*args, buf, size - 1)
    full = check(call(*args, buf, size))
    short_errno = errno.errorcode.get(ctypes.get_errno(), "?") if short < 0 else "no-ERANGE"
    return "%d %s %d" % (size, short_errno, full)

def run(op, path, args):
    p = path.encode()
    if op == "set":       # NAME VALUE FLAGS
        os.setxattr(path, args[0], args[1].encode(), int(args[2]))
    elif op == "setsize":  # NAME BYTES FLAGS
        os.setxattr(path, args[0], b"v" * int(args[1]), int(args[2]))
    elif op == "setacl":   # NAME: a valid extended ACL (user 65534 r--), so only the file
        entries = [(0x01, 6, 0xFFFFFFFF), (0x02, 4, 65534), (0x04, 4, 0xFFFFFFFF),
                   (0x10, 4, 0xFFFFFFFF), (0x20, 4, 0xFFFFFFFF)]  # system may refuse it
        blob = (2).to_bytes(4, "little") + b"".join(
            t.to_bytes(2, "little") + m.to_bytes(2, "little") + i.to_bytes(4, "little")
            for t, m, i in entries)
        os.setxattr(path, args[0], blob, 0)
    elif op == "get":
        return os.getxattr(path, args[0]).decode()
    elif op == "getsize":
        return str(len(os.getxattr(path, args[0])))
    elif op == "list":
        return ",".join(sorted(os.listxattr(path)))
    elif op == "remove":
        os.removexattr(path, args[0])
    elif op == "probe":
        return probe(libc.getxattr, p, args[0].encode())
    elif op == "listprobe":
        return probe(libc.listxattr, p)
    elif op == "ctime":
        return str(os.stat(path).st_ctime_ns)
    else:
        raise SystemExit("unknown op " + op)
    return ""

try:
    out = run(sys.argv[1], sys.argv[2], sys.argv[3:])
    print("OK" + (" " + out if out else ""))
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
EOF
chmod 0644 "$HELPER"

as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$@"; }
x() { "$PY" "$HELPER" "$@"; }
x_nobody() { as_nobody "$PY" "$HELPER" "$@"; }
# expect WANT COMMAND...: the command prints exactly WANT.
expect() {
  local want=$1 got
  shift
  got=$("$@" 2>&1) || true
  [ "$got" = "$want" ] || fail "'$*' printed '$got', expected '$want'"
}
# ctime_after PATH NS: PATH's ctime (nanoseconds) is later than NS.
ctime_after() {
  local now
  now=$(x ctime "$1")
  [ "${now#OK }" -gt "$2" ]
}
# listing NAME...: what `x list` prints for these names (sorted bytewise, as Python sorts).
listing() { echo "OK $(printf '%s\n' "$@" | LC_ALL=C sort | paste -sd,)"; }

CREATE=1
REPLACE=2

say "root: set, get, list, remove, flags"
echo data >"$A/f"
mkdir "$A/d"
setfattr -n user.color -v red "$A/f" || fail "setfattr user.color"
[ "$(getfattr --only-values -n user.color "$A/f")" = red ] || fail "getfattr does not read red"
expect "OK red" x get "$A/f" user.color
expect "EEXIST" x set "$A/f" user.color blue $CREATE
expect "ENODATA" x set "$A/f" user.shape round $REPLACE
expect "OK" x set "$A/f" user.color green $REPLACE
expect "OK green" x get "$A/f" user.color
expect "OK" x set "$A/f" user.shape round $CREATE
expect "OK" x set "$A/f" user.empty "" 0
expect "OK 0" x getsize "$A/f" user.empty
expect "OK user.color,user.empty,user.shape" x list "$A/f"
dump=$(getfattr -d "$A/f")
grep -qx 'user.shape="round"' <<<"$dump" || fail "getfattr -d does not dump user.shape: $dump"
expect "ENODATA" x get "$A/f" user.absent
expect "ENODATA" x remove "$A/f" user.absent
setfattr -x user.empty "$A/f" || fail "setfattr -x user.empty"
expect "ENODATA" x get "$A/f" user.empty
expect "OK" x set "$A/d" user.dir "on a directory" 0
expect "OK on a directory" x get "$A/d" user.dir

say "root: size probing and ERANGE"
expect "OK 5 ERANGE 5" x probe "$A/f" user.color
# "user.color\0user.shape\0" is 22 bytes.
expect "OK 22 ERANGE 22" x listprobe "$A/f"

say "root: limits (names 255 bytes, values 64 KiB, 256 KiB per inode)"
long=user.$(printf 'n%.0s' $(seq 250))
expect "OK" x set "$A/f" "$long" v 0
expect "OK v" x get "$A/f" "$long"
expect "ERANGE" x set "$A/f" "${long}n" v 0   # the kernel refuses names over 255 bytes
expect "OK" x setsize "$A/f" user.big 65536 0
expect "OK 65536" x getsize "$A/f" user.big
expect "E2BIG" x setsize "$A/f" user.bigger 65537 0
echo full >"$A/full"
expect "OK" x setsize "$A/full" user.1 65536 0
expect "OK" x setsize "$A/full" user.2 65536 0
expect "OK" x setsize "$A/full" user.3 65536 0
expect "ENOSPC" x setsize "$A/full" user.4 65536 0
expect "ENODATA" x get "$A/full" user.4
expect "OK" x setsize "$A/full" user.3 65536 $REPLACE  # a replacement counts once
expect "OK" x remove "$A/full" user.3
expect "OK" x setsize "$A/full" user.4 65536 0

say "root: namespaces (EOPNOTSUPP is ENOTSUP on Linux, the name Python prints)"
expect "OK" x set "$A/f" trusted.t tvalue 0
expect "OK" x set "$A/f" security.s svalue 0
expect "OK tvalue" x get "$A/f" trusted.t
expect "ENOTSUP" x setacl "$A/f" system.posix_acl_access
expect "ENOTSUP" x setacl "$A/d" system.posix_acl_default
expect "ENOTSUP" x get "$A/f" system.posix_acl_access
expect "ENOTSUP" x set "$A/f" system.other v 0
expect "ENOTSUP" x set "$A/f" nonamespace.x v 0
dump=$(getfattr -m - -d "$A/f")  # captured: grep -q closing the pipe early would fail pipefail
grep -qx 'trusted.t="tvalue"' <<<"$dump" || fail "getfattr -m - misses trusted.t"

say "root: ctime moves with set and remove"
before=$(x ctime "$A/f")
before=${before#OK }
expect "OK" x set "$A/f" user.tick 1 0
eventually 5 ctime_after "$A/f" "$before" || fail "setxattr did not move ctime ($before)"
before=$(x ctime "$A/f")
before=${before#OK }
expect "OK" x remove "$A/f" user.tick
eventually 5 ctime_after "$A/f" "$before" || fail "removexattr did not move ctime ($before)"

say "root: a removed file's attributes go with it"
echo gone >"$A/gone"
expect "OK" x set "$A/gone" user.old value 0
rm "$A/gone"
echo new >"$A/gone"
expect "OK" x list "$A/gone"

say "unprivileged user"
chmod 0644 "$A/f"
expect "OK green" x_nobody get "$A/f" user.color
expect "EACCES" x_nobody set "$A/f" user.color mine 0
expect "EACCES" x_nobody remove "$A/f" user.color
expect "EPERM" x_nobody set "$A/f" trusted.mine v 0
expect "ENODATA" x_nobody get "$A/f" trusted.t
expect "EPERM" x_nobody set "$A/f" security.mine v 0
expect "OK svalue" x_nobody get "$A/f" security.s
# trusted.* is hidden from a non-root listing.
expect "$(listing security.s user.big user.color user.shape "$long")" x_nobody list "$A/f"
dump=$(as_nobody getfattr -m - -d "$A/f")
grep -q '^security.s="svalue"$' <<<"$dump" || fail "getfattr as nobody misses security.s: $dump"
if grep -q '^trusted' <<<"$dump"; then fail "getfattr as nobody lists trusted.*"; fi
echo secret >"$A/secret"
chmod 0600 "$A/secret"
expect "OK" x set "$A/secret" user.s hidden 0
expect "EACCES" x_nobody get "$A/secret" user.s
mkdir -m 0777 "$A/pub"
as_nobody sh -c "echo mine >'$A/pub/mine'" || fail "nobody cannot create a file in a 0777 dir"
expect "OK" x_nobody set "$A/pub/mine" user.owner nobody 0
as_nobody setfattr -n user.tool -v setfattr "$A/pub/mine" || fail "setfattr as nobody"
[ "$(as_nobody getfattr --only-values -n user.tool "$A/pub/mine")" = setfattr ] ||
  fail "getfattr as nobody"
expect "OK nobody" x_nobody get "$A/pub/mine" user.owner
expect "EEXIST" x_nobody set "$A/pub/mine" user.owner again $CREATE
expect "OK" x_nobody remove "$A/pub/mine" user.owner
expect "ENODATA" x_nobody remove "$A/pub/mine" user.owner
as_nobody chmod 0444 "$A/pub/mine" || fail "nobody cannot chmod its own file"
expect "EACCES" x_nobody set "$A/pub/mine" user.owner again 0  # the owner's bits count
mkdir -m 1777 "$A/sticky"
expect "EPERM" x_nobody set "$A/sticky" user.x v 0
expect "OK" x set "$A/sticky" user.x v 0

say "a second mount sees the attributes at once"
mount_tessera
B=$NEW_MNT
expect "OK green" x get "$B/f" user.color
expect "OK" x remove "$A/f" user.shape
expect "ENODATA" x get "$B/f" user.shape
expect "OK" x set "$B/f" user.fromb b 0
expect "OK b" x_nobody get "$A/f" user.fromb

say "remount"
unmount_tessera 0
mount_tessera
A=$NEW_MNT
expect "OK green" x get "$A/f" user.color
expect "OK tvalue" x get "$A/f" trusted.t
expect "OK 65536" x getsize "$A/f" user.big
expect "OK on a directory" x get "$A/d" user.dir

say "master restart"
stop_master 0
restart_master 0
wait_alive 3
expect "OK green" x get "$A/f" user.color
expect "OK b" x get "$B/f" user.fromb
expect "$(listing security.s trusted.t user.big user.color user.fromb "$long")" x list "$B/f"
expect "OK" x set "$A/f" user.after restart 0
expect "OK restart" x get "$B/f" user.after

say "cp --preserve=xattr and tar --xattrs carry the attributes in and out"
src=$TEST_DIR/src
mkdir -p "$src/sub"
echo one >"$src/one"
echo two >"$src/sub/two"
setfattr -n user.origin -v local "$src/one"
setfattr -n user.binary -v 0x00ff10 "$src/sub/two"
setfattr -n user.dir -v yes "$src/sub"
setfattr -n trusted.root -v only "$src/one"
cp -a --preserve=xattr "$src" "$A/copied" || fail "cp --preserve=xattr into the mount"
# dump DIR: every attribute of every entry below DIR, by relative path.
dump() { (cd "$1" && getfattr -R -h -m - -d -e hex . 2>&1); }
copied=$(dump "$A/copied")
grep -qx 'user.origin=0x6c6f63616c' <<<"$copied" || fail "cp lost user.origin: $copied"
grep -qx 'trusted.root=0x6f6e6c79' <<<"$copied" || fail "cp lost trusted.root: $copied"
[ "$copied" = "$(dump "$src")" ] ||
  fail "attributes differ after cp: $(diff <(dump "$src") <(dump "$A/copied"))"
tar --xattrs --xattrs-include='*' -C "$B/copied" -cf "$TEST_DIR/copied.tar" . ||
  fail "tar --xattrs out of the mount"
mkdir "$TEST_DIR/untarred"
tar --xattrs --xattrs-include='*' -C "$TEST_DIR/untarred" -xf "$TEST_DIR/copied.tar" ||
  fail "tar --xattrs extract"
[ "$(dump "$TEST_DIR/untarred")" = "$(dump "$src")" ] ||
  fail "attributes differ after tar: $(diff <(dump "$src") <(dump "$TEST_DIR/untarred"))"
say "PASS"
