#!/usr/bin/env python3
"""fsx-style random file operations on a Tessera mount, checked against an in-memory model.

    fsx_checks.py FILE OTHER_FILE SEED OPS MAX_SIZE

FILE is on mount A, OTHER_FILE is the same file seen through mount B. One file is opened read-write
on A and hit with a seeded random mix of operations: pwrite (holes too), pread, ftruncate up and
down, writes and reads through a shared mmap, O_APPEND writes through a second descriptor,
fallocate (plain and KEEP_SIZE), fstat, fsync/fdatasync, close and reopen (sometimes O_TRUNC).
Every read and every size is compared with the model at once. After each fsync the file is
opened through the other mount and its size and a random range must equal the model; now and
then the descriptor is closed and the file reopened on the other mount, which carries on
(close-to-open across clients). At the end the whole file is compared from both mounts.

On a mismatch it prints the seed, the operation number and the last operations, the way fsx
does, so that a failure can be replayed: the same SEED gives the same operations.
"""
import collections
import ctypes
import mmap
import os
import random
import sys

PAGE = mmap.PAGESIZE
FALLOC_FL_KEEP_SIZE = 1
LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]


def fallocate_keep_size(fd, offset, length):
    """fallocate(2) with FALLOC_FL_KEEP_SIZE, which os.posix_fallocate cannot ask for."""
    if LIBC.fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


class Mismatch(Exception):
    pass


class Fsx:
    def __init__(self, path, other_path, seed, max_size):
        self.path = path
        self.other_path = other_path
        self.random = random.Random(seed)
        self.max_size = max_size
        self.model = bytearray()
        self.history = collections.deque(maxlen=25)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        self.counts = collections.Counter()

    # ---- helpers ----
    def note(self, text):
        self.history.append(text)

    def expect(self, what, got, want):
        if got != want:
            raise Mismatch(f"{what}: got {describe(got)}, want {describe(want)}")

    def compare_range(self, what, data, offset):
        want = bytes(self.model[offset:offset + len(data)])
        if data != want:
            first = next(i for i in range(min(len(data), len(want)) + 1)
                         if i >= len(data) or i >= len(want) or data[i] != want[i])
            raise Mismatch(f"{what} at {offset}: {len(data)} bytes, first difference at byte "
                           f"{offset + first} (got {data[first:first + 8].hex()}, want "
                           f"{want[first:first + 8].hex()}), want {len(want)} bytes")

    def random_offset(self, slack=0):
        # Mostly inside the file, sometimes past its end (holes), at page and odd boundaries.
        limit = min(self.max_size, len(self.model) + slack)
        offset = self.random.randrange(0, max(1, limit))
        if self.random.random() < 0.3:
            offset -= offset % PAGE
        return offset

    def random_length(self, cap=1 << 18):
        return self.random.choice([1, 7, PAGE - 1, PAGE, PAGE + 1, self.random.randrange(1, cap)])

    def set_size(self, size):
        if size < len(self.model):
            del self.model[size:]
        else:
            self.model.extend(bytes(size - len(self.model)))

    # ---- operations ----
    def op_write(self):
        offset = self.random_offset(slack=1 << 20)
        length = min(self.random_length(), self.max_size - offset)
        if length <= 0:
            return
        data = self.random.randbytes(length)
        self.note(f"pwrite {offset}+{length}")
        written = os.pwrite(self.fd, data, offset)
        self.expect(f"pwrite {offset}+{length} wrote", written, length)
        if offset > len(self.model):
            self.set_size(offset)
        self.model[offset:offset + length] = data

    def op_read(self):
        offset = self.random_offset(slack=PAGE)
        length = self.random_length()
        self.note(f"pread {offset}+{length}")
        self.compare_range(f"pread {offset}+{length}", os.pread(self.fd, length, offset), offset)

    def op_truncate(self):
        size = self.random.randrange(0, self.max_size)
        if self.random.random() < 0.5:
            size = min(len(self.model) + self.random.randrange(0, 1 << 20), self.max_size)
        self.note(f"ftruncate {size}")
        os.ftruncate(self.fd, size)
        self.set_size(size)

    def op_stat(self):
        self.note("fstat")
        self.expect("fstat size", os.fstat(self.fd).st_size, len(self.model))

    def mmap_range(self):
        """A range inside the file starting at a mapping boundary (mmap's offset rule)."""
        offset = self.random_offset()
        offset -= offset % mmap.ALLOCATIONGRANULARITY
        return offset, min(self.random_length(), len(self.model) - offset)

    def op_mmap_read(self):
        if not self.model:
            return
        offset, length = self.mmap_range()
        self.note(f"mmap read {offset}+{length}")
        with mmap.mmap(self.fd, length, mmap.MAP_SHARED, mmap.PROT_READ, offset=offset) as m:
            self.compare_range(f"mmap read {offset}+{length}", m[:length], offset)

    def op_mmap_write(self):
        if not self.model:
            return
        offset, length = self.mmap_range()
        data = self.random.randbytes(length)
        self.note(f"mmap write {offset}+{length}")
        with mmap.mmap(self.fd, length, mmap.MAP_SHARED, offset=offset) as m:
            m[:length] = data
            if self.random.random() < 0.5:
                m.flush()
        self.model[offset:offset + length] = data

    def op_append(self):
        length = min(self.random_length(1 << 16), self.max_size - len(self.model))
        if length <= 0:
            return
        data = self.random.randbytes(length)
        self.note(f"append {length}")
        append_fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            self.expect(f"append {length} wrote", os.write(append_fd, data), length)
        finally:
            os.close(append_fd)
        self.model.extend(data)

    def op_fallocate(self):
        offset = self.random_offset(slack=1 << 20)
        length = min(self.random_length(1 << 20), self.max_size - offset)
        if length <= 0:
            return
        keep_size = self.random.random() < 0.5
        self.note(f"fallocate {'KEEP_SIZE ' if keep_size else ''}{offset}+{length}")
        try:
            if keep_size:
                fallocate_keep_size(self.fd, offset, length)
            else:
                os.posix_fallocate(self.fd, offset, length)
        except OSError as e:
            raise Mismatch(f"fallocate {offset}+{length} failed: {e}")
        if not keep_size and offset + length > len(self.model):
            self.set_size(offset + length)

    def op_sync(self):
        data_only = self.random.random() < 0.5
        self.note("fdatasync" if data_only else "fsync")
        (os.fdatasync if data_only else os.fsync)(self.fd)
        self.check_other_mount()

    def op_reopen(self):
        truncate = self.random.random() < 0.1
        self.note("close, reopen" + (" O_TRUNC" if truncate else ""))
        os.close(self.fd)
        self.fd = os.open(self.path, os.O_RDWR | (os.O_TRUNC if truncate else 0))
        if truncate:
            self.model.clear()

    def op_switch_mount(self):
        # Close-to-open across clients: what one mount wrote and closed, the other reads and
        # changes after its open, with whatever its kernel cached from earlier turns.
        self.note("close, reopen on the other mount")
        os.close(self.fd)
        self.path, self.other_path = self.other_path, self.path
        self.fd = os.open(self.path, os.O_RDWR)

    def check_other_mount(self):
        other = os.open(self.other_path, os.O_RDONLY)
        try:
            self.expect("size on the other mount after sync", os.fstat(other).st_size,
                        len(self.model))
            offset = self.random_offset()
            length = self.random_length()
            self.compare_range(f"read on the other mount {offset}+{length}",
                               os.pread(other, length, offset), offset)
        finally:
            os.close(other)

    def check_whole(self, path, what):
        fd = os.open(path, os.O_RDONLY)
        try:
            self.expect(f"{what} size", os.fstat(fd).st_size, len(self.model))
            offset = 0
            while True:
                data = os.pread(fd, 1 << 20, offset)
                if not data:
                    break
                self.compare_range(f"{what} final read", data, offset)
                offset += len(data)
            self.expect(f"{what} bytes read", offset, len(self.model))
        finally:
            os.close(fd)

    def run(self, ops):
        weighted = [(self.op_write, 30), (self.op_read, 25), (self.op_truncate, 6),
                    (self.op_stat, 8), (self.op_mmap_read, 6), (self.op_mmap_write, 6),
                    (self.op_append, 6), (self.op_fallocate, 4), (self.op_sync, 5),
                    (self.op_reopen, 4), (self.op_switch_mount, 3)]
        functions = [f for f, _ in weighted]
        weights = [w for _, w in weighted]
        for number in range(1, ops + 1):
            operation = self.random.choices(functions, weights)[0]
            self.counts[operation.__name__[3:]] += 1
            try:
                operation()
            except (Mismatch, OSError) as e:
                raise Mismatch(f"operation {number} ({self.history[-1] if self.history else '?'}): "
                               f"{e}") from e
        os.fsync(self.fd)
        os.close(self.fd)
        self.check_whole(self.path, "the last writer's mount")
        self.check_whole(self.other_path, "the other mount")


def describe(value):
    return f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else repr(value)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    path, other_path, seed, ops, max_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5])
    fsx = Fsx(path, other_path, seed, max_size)
    try:
        fsx.run(ops)
    except Mismatch as e:
        print(f"fsx seed {seed}: {e}", file=sys.stderr)
        print("last operations:\n  " + "\n  ".join(fsx.history), file=sys.stderr)
        sys.exit(1)
    done = ", ".join(f"{name} {count}" for name, count in sorted(fsx.counts.items()))
    print(f"fsx seed {seed}: {ops} operations, final size {len(fsx.model)}: {done}")


if __name__ == "__main__":
    main()
