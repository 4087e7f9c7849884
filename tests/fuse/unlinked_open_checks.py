#!/usr/bin/env python3
"""Checks of unlinked_open_test.sh: a file unlinked while open stays readable and writable.

  same-mount DIR SECONDS
      opens DIR/same, writes it, unlinks it on this very mount, checks that no name finds it and
      that fstat shows nlink 0, then reads, writes, fsyncs and ftruncates it (also through a
      second descriptor opened by /proc/self/fd) for SECONDS, longer than the master's grace.
  hold PATH SIGNALS SIZE SECONDS
      creates PATH with SIZE random bytes, fsyncs, creates SIGNALS/opened; waits for
      SIGNALS/unlinked (another mount removed or replaced the name), then uses the open file
      for SECONDS, checking every byte it reads; creates SIGNALS/verified and closes the file
      once SIGNALS/close exists. With SECONDS 0 it only waits for SIGNALS/close (the test kills
      its mount instead).

Every failure raises; the exit status is 0 only when every check passed.
"""
import os
import sys
import time

DEADLINE_S = 60
RECORD = 4096


def wait_for(path, seconds=DEADLINE_S):
    deadline = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SystemExit("waited %ds for %s" % (seconds, path))
        time.sleep(0.05)


def touch(path):
    with open(path, "w"):
        pass


def expect(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)


def read_all(fd, size):
    data = bytearray()
    while len(data) < size:
        piece = os.pread(fd, min(1 << 20, size - len(data)), len(data))
        if not piece:
            break
        data += piece
    return bytes(data)


def nlink_becomes_zero(fd):
    # Another mount's unlink reaches this kernel's attribute cache within its timeout (1 s).
    deadline = time.monotonic() + 10
    while os.fstat(fd).st_nlink != 0:
        expect(time.monotonic() < deadline, "fstat still shows nlink %d" % os.fstat(fd).st_nlink)
        time.sleep(0.1)


def keep_using(fd, data, seconds):
    """Writes a record, fsyncs and reads it back, over and over for `seconds`; then checks
    the whole file. `data` (a bytearray) mirrors what the file must hold."""
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end or rounds == 0:
        offset = (rounds * 7 * RECORD) % max(RECORD, len(data) - RECORD)
        record = os.urandom(RECORD)
        expect(os.pwrite(fd, record, offset) == RECORD, "short write at %d" % offset)
        data[offset:offset + RECORD] = record
        os.fsync(fd)  # reaches the master: fails if the file was freed
        expect(os.pread(fd, RECORD, offset) == record, "record at %d reads back wrong" % offset)
        expect(os.fstat(fd).st_nlink == 0, "nlink of the unlinked file is not 0")
        rounds += 1
        time.sleep(0.2)  # pacing between rounds, not waiting for a condition
    expect(os.fstat(fd).st_size == len(data), "size %d, expected %d" %
           (os.fstat(fd).st_size, len(data)))
    expect(read_all(fd, len(data)) == bytes(data), "the file's contents differ")
    return rounds


def same_mount(directory, seconds):
    path = os.path.join(directory, "same")
    data = bytearray(os.urandom((1 << 20) + 123))
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
    os.write(fd, data)
    os.fsync(fd)
    os.unlink(path)
    expect(not os.path.exists(path), "the unlinked name still resolves")
    expect("same" not in os.listdir(directory), "the unlinked name is still listed")
    expect(os.fstat(fd).st_nlink == 0, "fstat shows nlink %d" % os.fstat(fd).st_nlink)
    expect(read_all(fd, len(data)) == bytes(data), "contents differ right after unlink")
    # Grows with a hole past the end, then ftruncate down and up inside the first chunk.
    tail = os.urandom(1000)
    os.pwrite(fd, tail, 3 << 20)
    os.fsync(fd)
    expect(os.fstat(fd).st_size == (3 << 20) + 1000, "size after the write past the end")
    expect(os.pread(fd, 1000, 3 << 20) == tail, "the write past the end reads back wrong")
    expect(os.pread(fd, 4096, 2 << 20) == bytes(4096), "the hole does not read as zeros")
    os.ftruncate(fd, len(data))
    expect(os.fstat(fd).st_size == len(data), "ftruncate down")
    os.ftruncate(fd, 5000)
    os.ftruncate(fd, 9000)
    expect(os.pread(fd, 9000, 0) == bytes(data[:5000]) + bytes(4000), "ftruncate down then up")
    data = bytearray(os.pread(fd, 9000, 0)) + bytearray(os.urandom((1 << 20) - 9000))
    os.pwrite(fd, bytes(data[9000:]), 9000)
    # A second descriptor opened through /proc reaches the master by inode only.
    again = os.open("/proc/self/fd/%d" % fd, os.O_RDWR)
    rounds = keep_using(fd, data, seconds)
    expect(read_all(again, len(data)) == bytes(data), "the second descriptor reads other bytes")
    os.close(again)
    os.close(fd)
    print("same-mount: %d rounds over %ss on an unlinked file" % (rounds, seconds))


def hold(path, signals, size, seconds):
    data = bytearray(os.urandom(size))
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_RDWR, 0o644)
    written = 0
    while written < size:
        written += os.write(fd, data[written:written + (1 << 20)])
    os.fsync(fd)
    touch(os.path.join(signals, "opened"))
    if seconds == 0:
        wait_for(os.path.join(signals, "close"), 600)
        return
    wait_for(os.path.join(signals, "unlinked"))
    nlink_becomes_zero(fd)
    rounds = keep_using(fd, data, seconds)
    touch(os.path.join(signals, "verified"))
    wait_for(os.path.join(signals, "close"))
    os.close(fd)
    print("hold: %d rounds over %ss on a file another mount unlinked" % (rounds, seconds))


def main(argv):
    if len(argv) == 4 and argv[1] == "same-mount":
        same_mount(argv[2], float(argv[3]))
    elif len(argv) == 6 and argv[1] == "hold":
        hold(argv[2], argv[3], int(argv[4]), float(argv[5]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
