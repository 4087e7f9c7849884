#!/usr/bin/env bash
# ls, mkdir, mv, rm and rmdir behave as on a local file system, errors included.
source "$(dirname "$0")/lib.sh"

fuse_cluster_start 3
cd "$MNT"

expect_fail() {  # COMMAND...: must exit non-zero
  if "$@" 2>/dev/null; then fail "expected failure: $*"; fi
}

mkdir -p a/b/c || fail "mkdir -p"
[ -d a/b/c ] || fail "a/b/c is not a directory"
expect_fail mkdir a
echo one >a/f1
echo two >a/f2
[ "$(ls a | tr '\n' ' ')" = "b f1 f2 " ] || fail "ls a: $(ls a | tr '\n' ' ')"
[ "$(stat -c %s a/f1)" = 4 ] || fail "size of a/f1"
ls -la a >/dev/null || fail "ls -la"

mv a/f1 a/b/g1 || fail "mv into subdirectory"
[ ! -e a/f1 ] && [ "$(cat a/b/g1)" = one ] || fail "mv did not move a/f1"
mv a/f2 a/b/g1 || fail "mv over an existing file"
[ "$(cat a/b/g1)" = two ] && [ ! -e a/f2 ] || fail "mv over an existing file kept the wrong contents"
mv a/b a/bb || fail "mv of a directory"
[ -d a/bb/c ] && [ ! -e a/b ] || fail "directory rename"
expect_fail mv missing elsewhere

expect_fail rmdir a/bb          # not empty
expect_fail rm a/bb             # a directory
expect_fail rm nothing-here
expect_fail rmdir a/bb/g1       # not a directory
rm a/bb/g1 || fail "rm"
rmdir a/bb/c a/bb || fail "rmdir"
[ -z "$(ls -A a)" ] || fail "a is not empty: $(ls -A a)"

expect_fail touch "$(printf 'n%.0s' {1..256})"   # 256-byte name: ENAMETOOLONG
touch "$(printf 'n%.0s' {1..255})" || fail "a 255-byte name must work"
rm "$(printf 'n%.0s' {1..255})"

mkdir many
for i in $(seq 1 300); do : >"many/file$i"; done
[ "$(ls many | wc -l)" = 300 ] || fail "ls of 300 entries shows $(ls many | wc -l)"
rm -r many a || fail "rm -r"

mkdir errors
/usr/bin/python3 "$(dirname "$0")/posix_errors_checks.py" "$MNT/errors" || fail "POSIX error checks"
rm -r errors
[ -z "$(ls -A .)" ] || fail "mount not empty: $(ls -A .)"
cd /
say "PASS"
