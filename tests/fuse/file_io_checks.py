"""File data semantics on a Tessera mount, one check after another (file_io_test.sh runs it as
root and as an unprivileged user). Usage: file_io_checks.py DIR_ON_MOUNT_A DIR_ON_MOUNT_B, the
same directory seen through two mounts. Exits non-zero at the first failed check."""
import ctypes
import errno
import mmap
import os
import subprocess
import sys
import time

MIB = 1 << 20
CHUNK = 64 * MIB
FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
FALLOC_FL_ZERO_RANGE = 0x10

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def pattern(seed, size):
    # Distinct, position-dependent bytes: a misplaced block shows.
    block = bytes((seed * 131 + i * 7) % 251 for i in range(4096))
    return (block * (size // 4096 + 1))[:size]


def read_at(path, offset, size):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(size)


def read_settled(path, size, deadline_s=10):
    """The first `size` bytes once another mount's committed writes are visible: this mount's
    cached attributes (attribute timeout) may hold the old size for a moment."""
    deadline = time.monotonic() + deadline_s
    while True:
        data = read_at(path, 0, size + 1)
        if len(data) >= size or time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def expect_zeros(path, offset, size, what):
    data = read_at(path, offset, size)
    check(len(data) == size, "%s: read %d of %d bytes at %d" % (what, len(data), size, offset))
    check(data.count(0) == size, "%s: [%d, %d) is not all zeros" % (what, offset, offset + size))


def fallocate(fd, mode, offset, length):
    if libc.fallocate(fd, mode, offset, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def truncate_checks(d):
    path = os.path.join(d, "truncated")
    data = pattern(1, CHUNK + 2 * MIB)  # two chunks
    with open(path, "wb") as f:
        f.write(data)
    cut = MIB + 123  # inside chunk 0; chunk 1 lies wholly past it
    os.truncate(path, cut)
    check(os.stat(path).st_size == cut, "truncate down: size %d" % os.stat(path).st_size)
    check(read_at(path, 0, 2 * MIB) == data[:cut], "truncate down: kept bytes differ")
    os.truncate(path, CHUNK + 2 * MIB)  # grow again over the cut bytes and the freed chunk
    check(os.stat(path).st_size == CHUNK + 2 * MIB, "truncate up: size")
    check(read_at(path, 0, cut) == data[:cut], "truncate up: kept bytes differ")
    expect_zeros(path, cut, 2 * MIB, "truncate up: cut bytes of chunk 0")
    expect_zeros(path, CHUNK - MIB, 3 * MIB, "truncate up: freed chunk 1")

    # ftruncate on an open descriptor with writes still buffered, down then up in one chunk.
    path = os.path.join(d, "ftruncated")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, pattern(2, 3 * MIB))
    os.ftruncate(fd, 2 * MIB + 5)
    check(os.fstat(fd).st_size == 2 * MIB + 5, "ftruncate down: size")
    os.ftruncate(fd, 3 * MIB)
    check(os.pread(fd, MIB, 2 * MIB) == pattern(2, 3 * MIB)[2 * MIB:2 * MIB + 5] +
          bytes(MIB - 5), "ftruncate up: bytes past the cut do not read as zeros")
    os.close(fd)
    expect_zeros(path, 2 * MIB + 5, MIB - 5, "ftruncate up, after close")

    # A write far past the end after a cut: the gap reads as zeros.
    path = os.path.join(d, "cut_then_write")
    with open(path, "wb") as f:
        f.write(pattern(3, 4 * MIB))
    os.truncate(path, 1000)
    with open(path, "r+b") as f:
        f.seek(3 * MIB)
        f.write(b"tail")
    check(os.stat(path).st_size == 3 * MIB + 4, "write past the end: size")
    expect_zeros(path, 1000, 3 * MIB - 1000, "write past the end: gap over cut bytes")


def sparse_checks(d):
    path = os.path.join(d, "sparse")
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    os.pwrite(fd, b"A" * 10, 10 * MIB + 5)   # inside chunk 0
    os.pwrite(fd, b"B" * 10, 2 * CHUNK + 7)  # chunk 2; chunk 1 never written
    os.close(fd)
    check(os.stat(path).st_size == 2 * CHUNK + 17, "sparse: size %d" % os.stat(path).st_size)
    expect_zeros(path, 0, MIB, "sparse: start of chunk 0")
    expect_zeros(path, 10 * MIB + 15, MIB, "sparse: after the first write")
    expect_zeros(path, CHUNK - MIB, 2 * MIB, "sparse: end of chunk 0 and start of chunk 1")
    expect_zeros(path, CHUNK + 30 * MIB, MIB, "sparse: middle of the missing chunk 1")
    check(read_at(path, 10 * MIB + 5, 10) == b"A" * 10, "sparse: first write")
    check(read_at(path, 2 * CHUNK, 17) == bytes(7) + b"B" * 10, "sparse: second write")


def o_trunc_checks(d):
    path = os.path.join(d, "otrunc")
    with open(path, "wb") as f:
        f.write(pattern(4, 3 * MIB))
    fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    check(os.fstat(fd).st_size == 0, "O_TRUNC: size after open")
    os.write(fd, b"short")
    os.close(fd)
    check(read_at(path, 0, 100) == b"short", "O_TRUNC: contents")
    os.truncate(path, 2 * MIB)
    expect_zeros(path, 5, 2 * MIB - 5, "O_TRUNC then grow")


def fallocate_checks(d):
    path = os.path.join(d, "fallocated")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    os.write(fd, b"head")
    os.posix_fallocate(fd, 0, 5 * MIB)
    check(os.fstat(fd).st_size == 5 * MIB, "posix_fallocate: size %d" % os.fstat(fd).st_size)
    fallocate(fd, 0, 6 * MIB, MIB)  # mode 0 past the end
    check(os.fstat(fd).st_size == 7 * MIB, "fallocate mode 0: size %d" % os.fstat(fd).st_size)
    fallocate(fd, 0, 0, MIB)  # inside the file: changes nothing
    check(os.fstat(fd).st_size == 7 * MIB, "fallocate inside: size")
    fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20 * MIB)
    check(os.fstat(fd).st_size == 7 * MIB, "fallocate KEEP_SIZE changed the size")
    for mode, name in ((FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, "PUNCH_HOLE"),
                       (FALLOC_FL_ZERO_RANGE, "ZERO_RANGE")):
        try:
            fallocate(fd, mode, 0, 4096)
            fail("fallocate %s succeeded" % name)
        except OSError as e:
            check(e.errno == errno.EOPNOTSUPP, "fallocate %s: %s" % (name, e))
    os.close(fd)
    check(read_at(path, 0, 4) == b"head", "fallocate: kept bytes")
    expect_zeros(path, 4, 7 * MIB - 4, "fallocate: new bytes")

    # SEEK_DATA / SEEK_HOLE: the whole file may count as data, but answers must be consistent.
    fd = os.open(path, os.O_RDONLY)
    size = 7 * MIB
    check(os.lseek(fd, 0, os.SEEK_DATA) == 0, "SEEK_DATA at 0")
    hole = os.lseek(fd, 0, os.SEEK_HOLE)
    check(0 < hole <= size, "SEEK_HOLE at 0 answered %d (size %d)" % (hole, size))
    check(os.lseek(fd, 100, os.SEEK_DATA) in range(100, size), "SEEK_DATA at 100")
    for whence, name in ((os.SEEK_DATA, "SEEK_DATA"), (os.SEEK_HOLE, "SEEK_HOLE")):
        try:
            os.lseek(fd, size, whence)
            fail("%s at the end succeeded" % name)
        except OSError as e:
            check(e.errno == errno.ENXIO, "%s at the end: %s" % (name, e))
    check(os.lseek(fd, 0, os.SEEK_END) == size, "SEEK_END")
    os.close(fd)


def o_direct_checks(d):
    path = os.path.join(d, "direct")
    size = 16 * 4096
    out = mmap.mmap(-1, size)  # page aligned, as O_DIRECT wants
    out.write(pattern(5, size))
    fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_DIRECT, 0o644)
    check(os.writev(fd, [out]) == size, "O_DIRECT write")
    back = mmap.mmap(-1, size)
    check(os.preadv(fd, [back], 0) == size, "O_DIRECT read length")
    check(back[:] == out[:], "O_DIRECT read differs")
    os.fsync(fd)
    os.close(fd)
    check(read_at(path, 0, size) == out[:], "O_DIRECT data through a buffered read")


def fsync_checks(a, b):
    # fsync and fdatasync return only when every replica holds the data and the size is
    # committed: the other mount sees them while the descriptor is still open.
    path = os.path.join(a, "synced")
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, pattern(6, 3 * MIB))
    os.fsync(fd)
    check(read_settled(os.path.join(b, "synced"), 3 * MIB) == pattern(6, 3 * MIB),
          "after fsync the other mount does not read the data")
    os.write(fd, b"more")
    os.fdatasync(fd)
    check(read_settled(os.path.join(b, "synced"), 3 * MIB + 4)[3 * MIB:] == b"more",
          "after fdatasync the other mount does not read the data")
    os.close(fd)


RECORDS = 200
RECORD_BYTES = 100


def record(writer, i):
    text = "%s %04d " % (writer, i)
    return (text + "." * (RECORD_BYTES - 1 - len(text)) + "\n").encode()


def append_writer(path, writer):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    for i in range(RECORDS):
        check(os.write(fd, record(writer, i)) == RECORD_BYTES, "short append")
    os.close(fd)


def append_checks(a, b):
    path_a = os.path.join(a, "appended")
    with open(path_a, "wb"):
        pass
    # Two processes on two mounts append at once.
    writers = [subprocess.Popen([sys.executable, __file__, "append", p, w])
               for p, w in ((path_a, "A"), (os.path.join(b, "appended"), "B"))]
    for w in writers:
        check(w.wait() == 0, "an append writer failed")
    data = read_settled(path_a, 2 * RECORDS * RECORD_BYTES)
    check(len(data) == 2 * RECORDS * RECORD_BYTES,
          "appends: %d bytes, expected %d" % (len(data), 2 * RECORDS * RECORD_BYTES))
    records = [data[i:i + RECORD_BYTES] for i in range(0, len(data), RECORD_BYTES)]
    want = {record(w, i) for w in "AB" for i in range(RECORDS)}
    check(set(records) == want and len(records) == len(want),
          "appends: %d of %d records intact" % (len(want & set(records)), len(want)))
    for w in "AB":  # each writer's records in its own order
        mine = [r for r in records if r.startswith(w.encode())]
        check(mine == [record(w, i) for i in range(RECORDS)], "appends of %s out of order" % w)
    # O_APPEND also appends after the file was changed by the other mount.
    with open(os.path.join(b, "appended"), "ab") as f:
        f.write(b"last\n")
    with open(path_a, "ab") as f:
        f.write(b"final\n")
    check(read_settled(path_a, len(data) + 11)[len(data):] == b"last\nfinal\n",
          "append after the other mount's append")


def main():
    if sys.argv[1] == "append":
        append_writer(sys.argv[2], sys.argv[3])
        return
    a, b = sys.argv[1], sys.argv[2]
    for name, run in (("truncate", lambda: truncate_checks(a)),
                      ("sparse", lambda: sparse_checks(a)),
                      ("O_TRUNC", lambda: o_trunc_checks(a)),
                      ("fallocate and SEEK_DATA/SEEK_HOLE", lambda: fallocate_checks(a)),
                      ("O_DIRECT", lambda: o_direct_checks(a)),
                      ("fsync/fdatasync", lambda: fsync_checks(a, b)),
                      ("O_APPEND from two mounts", lambda: append_checks(a, b))):
        run()
        print("ok: " + name, flush=True)


if __name__ == "__main__":
    main()
