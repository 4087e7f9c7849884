#!/usr/bin/env python3
"""A later write of the same bytes lands last, through one descriptor or two.

    overlapping_writes_checks.py FILE OTHER_FILE

FILE is on mount A, OTHER_FILE the same file through mount B. The mount buffers writes and sends
them to the chunk servers in pieces that travel in parallel; a write that is not contiguous with
the buffered bytes starts a new piece. Each round writes 1 MiB at offset 0 and then 4 KiB at
offset 0 (through the same descriptor, or through a second one of the same file), fsyncs, and
checks the first 4 KiB on both mounts: they must hold the second write. Before the fix, the
two pieces raced and the older bytes won in about 6 rounds of 10.
"""
import os
import sys

ROUNDS = 40


def check(path, other_path, want, what):
    with open(path, "rb") as f:
        got = f.read(4096)
    if got != want:
        sys.exit(f"{what}: this mount reads byte {got[0]}, want {want[0]}")
    with open(other_path, "rb") as f:
        got = f.read(4096)
    if got != want:
        sys.exit(f"{what}: the other mount reads byte {got[0]}, want {want[0]}")


def main():
    path, other_path = sys.argv[1], sys.argv[2]
    first = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    second = os.open(path, os.O_RDWR)
    for round_number in range(ROUNDS):
        older = bytes([round_number % 100 + 1]) * (1 << 20)
        newer = bytes([round_number % 100 + 101]) * 4096
        through = first if round_number % 2 == 0 else second
        os.pwrite(first, older, 0)
        os.pwrite(through, newer, 0)
        os.fsync(first)
        os.fsync(second)
        check(path, other_path, newer,
              f"round {round_number} ({'one descriptor' if through == first else 'two descriptors'})")
    os.close(first)
    os.close(second)
    print(f"overlapping writes: {ROUNDS} rounds, the later write won every time")


if __name__ == "__main__":
    main()
