#!/usr/bin/env python3
"""POSIX error codes and corner cases that programs rely on, checked in DIR (a fresh directory).

    posix_errors_checks.py DIR

Each check names the errno Linux file systems (ext4, tmpfs) give; every mismatch is listed and
the exit status is 1. Covers rename rules (into its own subtree, over a non-empty directory,
file over directory and back, onto a hard link of itself, RENAME_NOREPLACE), rmdir/unlink/link
on the wrong type, O_EXCL on a dangling symlink, name length, EFBIG past the largest file size,
times before 1970, setuid cleared by chown.
"""
import ctypes
import errno
import os
import stat
import sys

d = sys.argv[1]
os.chdir(d)
res = []
def expect(name, fn, err):
    try:
        fn()
        got = 0
    except OSError as e:
        got = e.errno
    if got != err:
        res.append(f"{name}: got {errno.errorcode.get(got, got)}, want {errno.errorcode.get(err, err)}")
os.makedirs("a/b/c")
open("f", "w").write("x")
expect("rename dir into own subdir", lambda: os.rename("a", "a/b/x"), errno.EINVAL)
os.makedirs("ne/sub")
os.mkdir("empty")
expect("rename dir over non-empty", lambda: os.rename("empty", "ne"), errno.ENOTEMPTY)
expect("rename file over dir", lambda: os.rename("f", "empty"), errno.EISDIR)
expect("rename dir over file", lambda: os.rename("empty", "f"), errno.ENOTDIR)
expect("rmdir dot", lambda: os.rmdir("a/."), errno.EINVAL)
expect("rmdir non-empty", lambda: os.rmdir("a"), errno.ENOTEMPTY)
expect("link dir", lambda: os.link("a", "alink"), errno.EPERM)
expect("unlink dir", lambda: os.unlink("a"), errno.EISDIR)
expect("mkdir existing", lambda: os.mkdir("a"), errno.EEXIST)
os.symlink("nowhere", "sl")
expect("O_EXCL on dangling symlink", lambda: os.open("sl", os.O_CREAT | os.O_EXCL | os.O_WRONLY), errno.EEXIST)
expect("name 256", lambda: open("n" * 256, "w"), errno.ENAMETOOLONG)
expect("name 255 ok", lambda: open("n" * 255, "w").close(), 0)
expect("truncate dir", lambda: os.truncate("a", 0), errno.EISDIR)
expect("open dir for write", lambda: os.open("a", os.O_WRONLY), errno.EISDIR)
expect("file as dir", lambda: os.stat("f/x"), errno.ENOTDIR)
expect("mkdir under file", lambda: os.mkdir("f/x"), errno.ENOTDIR)
expect("rename to same", lambda: os.rename("f", "f"), 0)
os.link("f", "f2")
expect("rename hardlink onto sibling", lambda: os.rename("f", "f2"), 0)
expect("both names remain (POSIX: same inode -> no-op)", lambda: (os.stat("f"), os.stat("f2")), 0)
expect("rmdir file", lambda: os.rmdir("f2"), errno.ENOTDIR)
expect("readlink on file", lambda: os.readlink("f2"), errno.EINVAL)
expect("symlink existing", lambda: os.symlink("x", "f2"), errno.EEXIST)
expect("mknod fifo", lambda: os.mkfifo("fifo"), 0)
expect("fifo type", lambda: None if stat.S_ISFIFO(os.lstat("fifo").st_mode) else (_ for _ in ()).throw(OSError(errno.EIO, "not fifo")), 0)
fd = os.open("g", os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, b"hello")
os.close(fd)
fd = os.open("g", os.O_RDONLY)
expect("write on rdonly fd", lambda: os.write(fd, b"x"), errno.EBADF)
os.close(fd)
st = os.stat("g")
os.utime("g", ns=(1, 2))
st2 = os.stat("g")
if (st2.st_atime_ns, st2.st_mtime_ns) != (1, 2): res.append(f"utime ns: {st2.st_atime_ns} {st2.st_mtime_ns}")
if st2.st_ctime_ns < st.st_ctime_ns: res.append("ctime went back on utime")
expect("negative utime", lambda: os.utime("g", ns=(-1000000000, 5)), 0)
st3 = os.stat("g")
if st3.st_atime_ns != -1000000000: res.append(f"negative atime: {st3.st_atime_ns}")
fd = os.open("big", os.O_CREAT | os.O_WRONLY, 0o644)
expect("write at huge offset", lambda: os.pwrite(fd, b"x", (1 << 63) - 2), errno.EFBIG)
expect("ftruncate negative", lambda: os.ftruncate(fd, -1), errno.EINVAL)
os.close(fd)
expect("lseek SEEK_DATA", lambda: os.lseek(os.open("g", os.O_RDONLY), 0, os.SEEK_DATA), 0)
expect("chown -1 -1", lambda: os.chown("g", -1, -1), 0)
os.chmod("g", 0o4755)
os.chown("g", 0, 0)  # root chown keeps? Linux clears setuid on chown even for root on regular files with x
m = os.stat("g").st_mode
if m & 0o4000: res.append(f"setuid kept after chown: {oct(m)}")
expect("rename RENAME_NOREPLACE onto existing", lambda: ctypes.CDLL(None, use_errno=True).renameat2(-100, b"g", -100, b"f2", 1) == 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "")), errno.EEXIST)
if res:
    sys.exit("\n".join(res))
print("posix error checks: all as on a local file system")
