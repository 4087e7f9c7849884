#!/usr/bin/env bash
# The checks of links_test.sh, run in the current directory (on the mount) by whichever user
# runs this script; ARG 1 names that user in messages. Needs PY (a python3 every user can run).
# Leaves the directory empty when every check passed.
set -euo pipefail
WHO=${1:?who runs the checks}
PY=${PY:?PY must name python3}

fail() {
  echo "FAIL ($WHO): $*" >&2
  exit 1
}

# errno_of OP ARGS...: runs one os call and prints OK or the errno name (ENOENT, EEXIST, ...).
# OP: link, symlink, mkdir, rmdir, unlink, rename, open_write (open for writing), stat,
# mknod_fifo, mknod_reg, mknod_chr, or renameat2 FLAGS OLD NEW (1 NOREPLACE, 2 EXCHANGE).
errno_of() {
  "$PY" - "$@" <<'PYEOF'
import ctypes, errno, os, stat, sys
op, args = sys.argv[1], sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
def renameat2(flags, old, new):
    AT_FDCWD = -100
    if libc.renameat2(AT_FDCWD, os.fsencode(old), AT_FDCWD, os.fsencode(new), int(flags)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
calls = {
    "link": os.link, "symlink": os.symlink, "mkdir": os.mkdir, "rmdir": os.rmdir,
    "unlink": os.unlink, "rename": os.rename, "stat": os.stat,
    "open_write": lambda p: os.close(os.open(p, os.O_WRONLY)),
    "mknod_fifo": lambda p: os.mknod(p, stat.S_IFIFO | 0o644),
    "mknod_reg": lambda p: os.mknod(p, stat.S_IFREG | 0o640),
    "mknod_chr": lambda p: os.mknod(p, stat.S_IFCHR | 0o644, os.makedev(1, 3)),
    "renameat2": renameat2,
}
try:
    calls[op](*args)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PYEOF
}

expect() {  # WANT OP ARGS...: errno_of OP ARGS must print WANT
  local want=$1 got
  shift
  got=$(errno_of "$@")
  [ "$got" = "$want" ] || fail "$*: want $want, got $got"
}

nlink() { stat -c %h "$1"; }
ino() { stat -c %i "$1"; }
ctime_ns() { "$PY" -c 'import os, sys; print(os.lstat(sys.argv[1]).st_ctime_ns)' "$1"; }

# ---- hard links ----
echo data >f
before=$(ctime_ns f)
ln f g || fail "ln"
[ "$(nlink f)" = 2 ] && [ "$(nlink g)" = 2 ] || fail "nlink after ln: $(nlink f)"
[ "$(ino f)" = "$(ino g)" ] || fail "a hard link has another inode"
[ "$(ctime_ns f)" -gt "$before" ] || fail "ln did not change the ctime"
mkdir sub
ln f sub/h || fail "ln into a subdirectory"
[ "$(nlink f)" = 3 ] || fail "nlink after a second ln: $(nlink f)"
echo more >>g
[ "$(cat sub/h)" = "$(printf 'data\nmore')" ] || fail "a write through one link is not seen via another"
expect EEXIST link f g
expect EPERM link sub sub2
expect ENOENT link missing x
rm f
[ "$(nlink g)" = 2 ] && [ "$(cat g)" = "$(printf 'data\nmore')" ] || fail "rm of one link"
rm sub/h
[ "$(nlink g)" = 1 ] || fail "nlink after removing two links: $(nlink g)"
rm g
[ ! -e g ] || fail "the last link did not remove the file"

# ---- symlinks ----
echo target-data >t
ln -s t l || fail "ln -s"
[ -L l ] || fail "l is not a symlink"
[ "$(readlink l)" = t ] || fail "readlink: $(readlink l)"
[ "$(cat l)" = target-data ] || fail "reading through a symlink"
[ "$(stat -c %s l)" = 1 ] || fail "lstat size of a symlink to 't': $(stat -c %s l)"
long_target=$(printf 'x/%.0s' {1..500})end
ln -s "$long_target" longl
[ "$(readlink longl)" = "$long_target" ] || fail "readlink of a 1003-byte target"
[ "$(stat -c %s longl)" = ${#long_target} ] || fail "lstat size of a long symlink"
ln -s /nowhere/at/all dangling
[ -L dangling ] && [ ! -e dangling ] || fail "a dangling symlink"
expect EEXIST symlink t l
ln -s ../sub sub/up
[ "$(readlink -f sub/up)" = "$(readlink -f sub)" ] || fail "a relative symlink to a directory"
rm l longl dangling sub/up t

# ---- FIFOs, sockets, mknod ----
mkfifo p || fail "mkfifo"
[ -p p ] || fail "p is not a FIFO"
timeout 20 cat p >fifo_out &
reader=$!
echo through-the-pipe >p
wait "$reader" || fail "the FIFO reader failed"
[ "$(cat fifo_out)" = through-the-pipe ] || fail "data through the FIFO: $(cat fifo_out)"
expect EEXIST mknod_fifo p
rm p fifo_out
"$PY" - <<'PYEOF' || fail "a unix socket bound on the mount"
import os, socket, stat
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind("sock")
server.listen(1)
assert stat.S_ISSOCK(os.lstat("sock").st_mode), "sock is not a socket node"
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.connect("sock")
conn, _ = server.accept()
client.sendall(b"ping")
assert conn.recv(4) == b"ping"
for s in (conn, client, server):
    s.close()
PYEOF
[ -S sock ] || fail "sock is not a socket"
rm sock
expect OK mknod_reg reg
[ -f reg ] && [ "$(stat -c %a reg)" = 640 ] || fail "mknod of a regular file"
rm reg
expect EPERM mknod_chr dev
[ ! -e dev ] || fail "a refused device node exists"

# ---- long names, deep paths, POSIX errors of names ----
n255=$(printf 'n%.0s' {1..255})
n256=${n255}n
touch "$n255" || fail "a 255-byte file name"
mkdir "d$(printf 'n%.0s' {1..254})" || fail "a 255-byte directory name"
ln -s t "s$(printf 'n%.0s' {1..254})" || fail "a 255-byte symlink name"
expect ENAMETOOLONG mkdir "$n256"
expect ENAMETOOLONG symlink t "$n256"
expect ENAMETOOLONG link "$n255" "$n256"
expect ENAMETOOLONG mknod_fifo "$n256"
expect ENAMETOOLONG rename "$n255" "$n256"
if touch "$n256" 2>/dev/null; then fail "touch of a 256-byte name worked"; fi
rm "$n255" "s$(printf 'n%.0s' {1..254})"
rmdir "d$(printf 'n%.0s' {1..254})"
deep=$(printf 'level/%.0s' {1..100})
mkdir -p "$deep" || fail "mkdir -p of 100 levels"
echo bottom >"${deep}leaf"
[ "$(cat "${deep}leaf")" = bottom ] || fail "a file 100 levels down"
[ "$(find level -type d | wc -l)" = 100 ] || fail "find sees $(find level -type d | wc -l) levels"
rm -r level

mkdir dir
touch dir/inner file
expect EEXIST mkdir dir
expect EEXIST mkdir file
expect ENOTEMPTY rmdir dir
expect ENOTDIR rmdir file
expect EISDIR unlink dir
expect EISDIR open_write dir
expect ENOTDIR mkdir file/x
expect ENOTDIR stat file/x
expect ENOENT rmdir missing
rm -r dir file

# ---- rename ----
echo one >a
echo two >b
ln b b2
expect OK rename a b
[ "$(cat b)" = one ] && [ ! -e a ] || fail "rename over a file"
[ "$(nlink b2)" = 1 ] && [ "$(cat b2)" = two ] || fail "the replaced inode's other link"
expect OK rename b b                   # onto itself
ln b b3
expect OK rename b b3                  # between links of one inode: nothing happens
[ -e b ] && [ -e b3 ] && [ "$(nlink b)" = 2 ] || fail "rename between links of one inode"
rm b b2 b3

mkdir d1 d2 full
touch full/x f
[ "$(nlink .)" = 6 ] || fail "directory nlink $(nlink .), want 2 + 4 subdirectories"
expect OK rename d1 d2                 # over an empty directory
[ -d d2 ] && [ ! -e d1 ] || fail "rename over an empty directory"
[ "$(nlink .)" = 5 ] || fail "nlink $(nlink .) after replacing a directory, want 5"
expect ENOTEMPTY rename d2 full
expect EISDIR rename f d2
expect ENOTDIR rename d2 f
mkdir -p d2/a/b
expect EINVAL rename d2 d2/a/b/c
expect EINVAL renameat2 0 d2 d2/a/inside
[ "$(nlink d2)" = 3 ] || fail "d2 nlink $(nlink d2), want 3"
expect OK rename d2/a/b d2/b           # a subdirectory moves up: link counts follow
[ "$(nlink d2)" = 4 ] && [ "$(nlink d2/a)" = 2 ] || fail "nlink after moving a subdirectory"

echo keep >n1
echo other >n2
expect EEXIST renameat2 1 n1 n2
[ "$(cat n2)" = other ] || fail "RENAME_NOREPLACE replaced the target"
expect OK renameat2 1 n1 n3
[ "$(cat n3)" = keep ] && [ ! -e n1 ] || fail "RENAME_NOREPLACE to a free name"
expect OK renameat2 2 n2 n3
[ "$(cat n2)" = keep ] && [ "$(cat n3)" = other ] || fail "RENAME_EXCHANGE of two files"
expect OK renameat2 2 n2 d2/a          # a file and a directory swap
[ -d n2 ] && [ -f d2/a ] && [ "$(cat d2/a)" = keep ] || fail "RENAME_EXCHANGE of a file and a directory"
[ "$(nlink d2)" = 3 ] && [ "$(nlink .)" = 6 ] || fail "nlink after exchanging a file and a directory"
expect ENOENT renameat2 2 n3 missing
expect EINVAL renameat2 2 d2 d2/b
expect EINVAL renameat2 3 n3 f

# A listing never misses the name while it is replaced again and again. (Listings, not opens:
# an open racing with the replacement may reach the replaced inode, which is the open-unlinked
# case, not a question of the rename's atomicity.)
"$PY" - <<'PYEOF' || fail "rename over a file is not atomic for readers"
import os, threading
with open("atomic", "w") as f:
    f.write("0")
stop = threading.Event()
missing = []
listings = []
def reader():
    while not stop.is_set():
        listings.append(1)
        if "atomic" not in os.listdir("."):
            missing.append(1)
t = threading.Thread(target=reader)
t.start()
try:
    for i in range(200):
        with open("atomic.tmp", "w") as f:
            f.write(str(i))
        os.rename("atomic.tmp", "atomic")
finally:
    stop.set()  # also when a step failed: the reader must not keep the script alive
    t.join()
assert listings, "the reader never listed the directory"
assert not missing, f"{len(missing)} of {len(listings)} listings lacked the name"
assert open("atomic").read() == "199"
PYEOF
rm -r atomic n2 n3 d2 full f sub
[ -z "$(ls -A .)" ] || fail "left behind: $(ls -A .)"
echo "all checks passed as $WHO"
