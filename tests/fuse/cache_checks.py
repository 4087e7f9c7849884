"""System calls the cache test needs that shell tools do not make (mmap, ftruncate, atime in
nanoseconds). Usage: cache_checks.py OP PATH [ARGS]; prints results on stdout, exits 1 with
the reason on failure. Runs as whatever user invokes it (root or nobody via setpriv)."""
import errno
import mmap
import os
import sys


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def pattern(seed, size):
    block = (seed.encode() * (4096 // len(seed) + 1))[:4096]
    return (block * (size // 4096 + 1))[:size]


def mmap_write(path, seed, size_text, sync):
    """Creates PATH with SIZE zero bytes, fills it through a MAP_SHARED mapping, msyncs (unless
    sync == "nosync"), unmaps, closes."""
    size = int(size_text)
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
    os.ftruncate(fd, size)
    with mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE) as mapped:
        mapped[:] = pattern(seed, size)
        if sync == "sync":
            mapped.flush()
    os.close(fd)


def mmap_read(path):
    """Prints the file's bytes as read through a MAP_SHARED read-only mapping (hex of a hash)."""
    import hashlib
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    with mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ) as mapped:
        print(hashlib.sha256(mapped[:]).hexdigest())
    os.close(fd)


def mmap_private_write(path, seed):
    """Writes through a MAP_PRIVATE mapping, checks the mapping sees it, then unmaps: the
    file must not change."""
    fd = os.open(path, os.O_RDWR)
    size = os.fstat(fd).st_size
    with mmap.mmap(fd, size, mmap.MAP_PRIVATE, mmap.PROT_READ | mmap.PROT_WRITE) as mapped:
        mapped[:] = pattern(seed, size)
        if mapped[:] != pattern(seed, size):
            fail("a MAP_PRIVATE mapping does not show its own writes")
    os.fsync(fd)
    os.close(fd)


def expect_pattern(path, seed):
    """Fails unless PATH holds pattern(SEED) of its size (read with read(2))."""
    with open(path, "rb") as f:
        data = f.read()
    if data != pattern(seed, len(data)):
        fail(f"{path} does not hold the pattern '{seed}' ({len(data)} bytes)")


def ftruncate_readonly_mode(path):
    """open(O_CREAT|O_RDWR, 0444), ftruncate up to 10, write to 13, ftruncate down to 12, close:
    POSIX judges the descriptor, so all of it works. Prints the size."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o444)
    os.ftruncate(fd, 10)
    os.pwrite(fd, b"abc", 10)
    os.ftruncate(fd, 12)
    os.close(fd)
    print(os.stat(path).st_size)


def truncate_path(path, size):
    """truncate(2) by path: prints OK or the errno name."""
    try:
        os.truncate(path, int(size))
        print("OK")
    except OSError as error:
        print(errno.errorcode[error.errno])


def read_file(path):
    """Reads PATH to its end in one open; prints the byte count."""
    with open(path, "rb") as f:
        print(len(f.read()))


def read_raw(path):
    """Reads PATH with open(2) and read(2) only (no stat, as many programs read), so that the
    kernel learns the size from nothing but what it caches; prints the sha256 of the bytes."""
    import hashlib
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        digest.update(chunk)
    os.close(fd)
    print(digest.hexdigest())


def atime(path):
    print(os.stat(path).st_atime_ns)


def main():
    op, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    ops = {
        "mmap_write": mmap_write,
        "mmap_read": mmap_read,
        "mmap_private_write": mmap_private_write,
        "expect_pattern": expect_pattern,
        "ftruncate_readonly_mode": ftruncate_readonly_mode,
        "truncate": truncate_path,
        "read": read_file,
        "read_raw": read_raw,
        "atime": atime,
    }
    if op not in ops:
        fail(f"unknown op {op}")
    ops[op](path, *args)


if __name__ == "__main__":
    main()
