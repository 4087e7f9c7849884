#!/usr/bin/env python3
"""File locks across two mounts of one cluster (run by locks_test.sh, as root and as nobody).

  lock_checks.py points DIR_A DIR_B   fcntl and flock semantics between a process on mount A
                                      and one on mount B (DIR_A and DIR_B name the same
                                      directory through the two mounts); exits 1 on a failure
  lock_checks.py hold FILE            a lock holder driven by commands on stdin (below); used
                                      by `points` and by the shell test for kill -9 of a mount
  lock_checks.py try FILE KIND TYPE   one non-blocking attempt: prints "granted" or "blocked"
  lock_checks.py sqlite DB TAG ROWS   inserts ROWS rows tagged TAG, one small transaction each,
                                      into a rollback-journal SQLite database

Holder commands, one per line, each answered by one line ("ok", "blocked", "eintr" or an
error): "posix read|write|unlock START LEN", "wait read|write START LEN" (F_SETLKW),
"flock sh|ex|un", "flocknb sh|ex", "close-other" (opens and closes a second descriptor of the
file, which under POSIX drops the process's record locks), "exit".
"""

import errno
import fcntl
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import time

POSIX_TYPES = {"read": fcntl.F_RDLCK, "write": fcntl.F_WRLCK, "unlock": fcntl.F_UNLCK}
FLOCK_OPS = {"sh": fcntl.LOCK_SH, "ex": fcntl.LOCK_EX, "un": fcntl.LOCK_UN}
# struct flock on x86-64 and aarch64 Linux: short l_type, short l_whence, off_t l_start,
# off_t l_len, pid_t l_pid.
FLOCK_FORMAT = "hhqqi"
REPLY_TIMEOUT_S = 30


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


class Interrupted(Exception):
    """Raised by the SIGALRM handler: fcntl returned EINTR and Python ran the handler."""


def on_alarm(signum, frame):
    raise Interrupted()


def posix_lock(fd, lock_type, start, length, wait):
    request = struct.pack(FLOCK_FORMAT, lock_type, os.SEEK_SET, start, length, 0)
    fcntl.fcntl(fd, fcntl.F_SETLKW if wait else fcntl.F_SETLK, request)


def get_lock(fd, lock_type, start, length):
    request = struct.pack(FLOCK_FORMAT, lock_type, os.SEEK_SET, start, length, 0)
    answer = fcntl.fcntl(fd, fcntl.F_GETLK, request)
    return struct.unpack(FLOCK_FORMAT, answer)


def run_command(fd, path, words):
    verb = words[0]
    try:
        if verb == "posix":
            posix_lock(fd, POSIX_TYPES[words[1]], int(words[2]), int(words[3]), wait=False)
        elif verb == "wait":
            posix_lock(fd, POSIX_TYPES[words[1]], int(words[2]), int(words[3]), wait=True)
        elif verb == "waitintr":
            # A blocking lock that a signal interrupts: the handler raises only when the call
            # came back with EINTR (PEP 475 retries it otherwise).
            signal.signal(signal.SIGALRM, on_alarm)
            signal.setitimer(signal.ITIMER_REAL, float(words[4]))
            try:
                posix_lock(fd, POSIX_TYPES[words[1]], int(words[2]), int(words[3]), wait=True)
            except Interrupted:
                return "eintr"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            return "granted-not-interrupted"
        elif verb == "flock":
            fcntl.flock(fd, FLOCK_OPS[words[1]])
        elif verb == "flocknb":
            fcntl.flock(fd, FLOCK_OPS[words[1]] | fcntl.LOCK_NB)
        elif verb == "close-other":
            os.close(os.open(path, os.O_RDWR))
        else:
            return "unknown command " + verb
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return "blocked"
        return "error " + errno.errorcode.get(error.errno, str(error.errno))
    return "ok"


def hold(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "exit":
            return
        print(run_command(fd, path, words), flush=True)


class Holder:
    """A `hold` process on one mount, so that its locks have an owner of their own."""

    def __init__(self, path):
        self.process = subprocess.Popen([sys.executable, __file__, "hold", path],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def send(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def reply(self, timeout=REPLY_TIMEOUT_S):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        return self.process.stdout.readline().strip()

    def do(self, command, expect):
        self.send(command)
        got = self.reply()
        if got != expect:
            fail(f"'{command}' answered {got!r}, expected {expect!r}")

    def close(self):
        self.send("exit")
        if self.process.wait(timeout=REPLY_TIMEOUT_S) != 0:
            fail("a lock holder exited with an error")


def expect_getlk(path, lock_type, start, length, want_type, want_start=None, want_len=None):
    fd = os.open(path, os.O_RDWR)
    try:
        got_type, _, got_start, got_len, _ = get_lock(fd, lock_type, start, length)
    finally:
        os.close(fd)
    if got_type != want_type:
        fail(f"F_GETLK [{start}, +{length}) on {path} gave type {got_type}, expected {want_type}")
    if want_start is not None and (got_start, got_len) != (want_start, want_len):
        fail(f"F_GETLK gave range [{got_start}, +{got_len}), expected [{want_start}, +{want_len})")


def fcntl_points(a, b):
    path_a, path_b = os.path.join(a, "posix"), os.path.join(b, "posix")
    holder = Holder(path_a)
    other = Holder(path_b)
    # A write lock on A excludes overlapping locks on B, not disjoint ones; F_GETLK shows it.
    holder.do("posix write 0 100", "ok")
    other.do("posix write 50 10", "blocked")
    other.do("posix read 99 1", "blocked")
    other.do("posix write 100 10", "ok")
    expect_getlk(path_b, fcntl.F_RDLCK, 0, 10, fcntl.F_WRLCK, 0, 100)
    expect_getlk(path_b, fcntl.F_WRLCK, 200, 10, fcntl.F_UNLCK)
    # Splitting: unlocking the middle frees it for B, the ends stay held.
    holder.do("posix unlock 40 20", "ok")
    other.do("posix write 45 10", "ok")
    other.do("posix write 30 5", "blocked")
    other.do("posix write 70 5", "blocked")
    expect_getlk(path_b, fcntl.F_WRLCK, 60, 40, fcntl.F_WRLCK, 60, 40)
    other.do("posix unlock 0 0", "ok")
    # Downgrade to a read lock: B may share it but not write; upgrade conflicts with B's read.
    holder.do("posix read 0 0", "ok")
    other.do("posix read 10 10", "ok")
    other.do("posix write 10 10", "blocked")
    holder.do("posix write 0 0", "blocked")
    other.do("posix unlock 0 0", "ok")
    holder.do("posix write 0 0", "ok")
    expect_getlk(path_b, fcntl.F_RDLCK, 5000, 0, fcntl.F_WRLCK, 0, 0)
    # F_SETLKW on B waits until A lets go, and is granted then.
    other.send("wait write 0 10")
    if other.reply(timeout=1.0) is not None:
        fail("F_SETLKW was answered while a conflicting lock was held")
    holder.do("posix unlock 0 0", "ok")
    if other.reply() != "ok":
        fail("F_SETLKW was not granted after the holder unlocked")
    # An interrupted F_SETLKW returns EINTR and takes nothing.
    other.do("posix unlock 0 0", "ok")
    holder.do("posix write 0 0", "ok")
    started = time.monotonic()
    other.do("waitintr write 0 10 0.5", "eintr")
    if time.monotonic() - started < 0.4:
        fail("the blocking lock returned before the signal came")
    expect_getlk(path_b, fcntl.F_WRLCK, 0, 10, fcntl.F_WRLCK)
    # Closing any descriptor of the file drops the process's POSIX locks (POSIX close rule).
    holder.do("close-other", "ok")
    other.do("posix write 0 10", "ok")
    other.do("posix unlock 0 0", "ok")
    # A holder that exits (its descriptors closed by the kernel) leaves nothing behind.
    holder.do("posix write 0 0", "ok")
    holder.close()
    other.do("posix write 0 0", "ok")
    other.close()


def flock_points(a, b):
    path_a, path_b = os.path.join(a, "flock"), os.path.join(b, "flock")
    holder = Holder(path_a)
    other = Holder(path_b)
    holder.do("flock ex", "ok")
    other.do("flocknb ex", "blocked")
    other.do("flocknb sh", "blocked")
    # flock and fcntl locks are separate tables, as on Linux.
    other.do("posix write 0 0", "ok")
    other.do("posix unlock 0 0", "ok")
    # Shared locks share; an exclusive one waits for every shared one.
    holder.do("flock sh", "ok")
    other.do("flocknb sh", "ok")
    holder.do("flocknb ex", "blocked")
    other.do("flock un", "ok")
    holder.do("flocknb ex", "ok")
    # A blocking flock is granted when the holder unlocks.
    other.send("flock ex")
    if other.reply(timeout=1.0) is not None:
        fail("a blocking flock was answered while the file was locked")
    holder.do("flock un", "ok")
    if other.reply() != "ok":
        fail("a blocking flock was not granted after the holder unlocked")
    # Closing the descriptor releases the flock lock.
    other.close()
    holder.do("flocknb ex", "ok")
    holder.close()


def many_waiters_point(a, waiters=16):
    """More blocked F_SETLKW callers on one mount than it has FUSE worker threads (10): a
    waiting request must not hold a worker, or the holder's unlock on that mount never runs."""
    path = os.path.join(a, "many")
    holder = Holder(path)
    holder.do("posix write 0 0", "ok")
    blocked = [Holder(path) for _ in range(waiters)]
    for waiter in blocked:
        waiter.send("wait write 0 0")
    holder.do("posix unlock 0 0", "ok")
    # Each waiter gets the lock in turn and gives it up by exiting (close releases it).
    deadline = time.monotonic() + 120
    while blocked:
        streams = {waiter.process.stdout: waiter for waiter in blocked}
        ready, _, _ = select.select(list(streams), [], [], max(0, deadline - time.monotonic()))
        if not ready:
            fail(f"{len(blocked)} of {waiters} blocked lock callers were never granted")
        for stream in ready:
            waiter = streams[stream]
            reply = stream.readline().strip()
            if reply != "ok":
                fail(f"a blocked lock caller got {reply!r}")
            waiter.close()
            blocked.remove(waiter)
    holder.close()


def points(a, b):
    fcntl_points(a, b)
    flock_points(a, b)
    many_waiters_point(a)
    print(f"lock points passed as uid {os.getuid()}")


def try_lock(path, kind, lock_type):
    fd = os.open(path, os.O_RDWR)
    try:
        if kind == "posix":
            posix_lock(fd, POSIX_TYPES[lock_type], 0, 0, wait=False)
        else:
            fcntl.flock(fd, FLOCK_OPS[lock_type] | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        print("blocked")
        return
    finally:
        os.close(fd)
    print("granted")


def sqlite_writer(db, tag, rows):
    connection = sqlite3.connect(db, timeout=60, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 60000")
    mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    if mode.lower() != "delete":
        fail(f"journal mode is {mode}, not delete")
    connection.execute("CREATE TABLE IF NOT EXISTS t (tag TEXT, n INTEGER, pad TEXT)")
    for n in range(rows):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (?, ?, ?)", (tag, n, "x" * 200))
        connection.execute("COMMIT")
    connection.close()


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "points" and len(sys.argv) == 4:
        points(sys.argv[2], sys.argv[3])
    elif command == "hold" and len(sys.argv) == 3:
        hold(sys.argv[2])
    elif command == "try" and len(sys.argv) == 5:
        try_lock(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "sqlite" and len(sys.argv) == 5:
        sqlite_writer(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        fail("usage: see the docstring of " + __file__)


if __name__ == "__main__":
    main()
