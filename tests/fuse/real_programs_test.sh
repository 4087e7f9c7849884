#!/usr/bin/env bash
# Real programs on a real mount, as users run them:
#  1. git: init, add, commit, branch, commit, checkout back, fsck --full, log, gc, local clone;
#  2. a C source tree (generated here) untarred onto the mount and built with make and cc, the
#     binary run, make a no-op the second time and a one-file rebuild after touch;
#  (1 and 2 are real_programs_points.sh, run as root and as the unprivileged user nobody, with
#  a write + fchmod 2755 + futimens + close as tar -p does it)
#  3. rsync -aHX of a tree with modes, times, symlinks, hard links and xattrs into the mount and
#     back out: diff -r, stat (type+mode, mtime in ns, nlink, size, owner) and getfattr -d
#     show no difference;
#  4. the same tree through tar --xattrs into the mount and back.
source "$(dirname "$0")/lib.sh"

for tool in git make cc tar rsync getfattr setfattr setpriv; do
  command -v "$tool" >/dev/null || fail "$tool is missing (deploy/install-deps.sh installs it)"
done

MOUNT_FLAGS="-o allow_other" fuse_cluster_start 3
chmod 755 "$TEST_DIR"  # nobody must reach the mount point and the files below

# ---- the C source tree, as a tarball on local disk ----
make_source_tarball() {
  local dir=$TEST_DIR/calc-src
  mkdir -p "$dir/src" "$dir/include"
  cat >"$dir/include/calc.h" <<'C'
#ifndef CALC_H
#define CALC_H
int add(int a, int b);
int multiply(int a, int b);
const char *greeting(void);
#endif
C
  cat >"$dir/src/add.c" <<'C'
#include "calc.h"
int add(int a, int b) { return a + b; }
C
  cat >"$dir/src/multiply.c" <<'C'
#include "calc.h"
int multiply(int a, int b) {
  int product = 0;
  for (int i = 0; i < b; i++) product = add(product, a);
  return product;
}
C
  cat >"$dir/src/greeting.c" <<'C'
#include "calc.h"
const char *greeting(void) { return "hello from tessera"; }
C
  cat >"$dir/src/main.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "calc.h"
int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int a = atoi(argv[1]), b = atoi(argv[2]);
  printf("sum=%d product=%d greeting=%s\n", add(a, b), multiply(a, b), greeting());
  return 0;
}
C
  printf '%s\n' \
    'OBJS = src/add.o src/multiply.o src/greeting.o src/main.o' \
    'calc: $(OBJS)' \
    '	cc -o calc $(OBJS)' \
    'src/%.o: src/%.c include/calc.h' \
    '	cc -O2 -Wall -Werror -Iinclude -c -o $@ $<' \
    'clean:' \
    '	rm -f calc $(OBJS)' \
    '.PHONY: clean' >"$dir/Makefile"
  tar -C "$dir" -cf "$TEST_DIR/calc-src.tar" . || fail "tar of the source tree"
  chmod 644 "$TEST_DIR/calc-src.tar"
}
make_source_tarball
cp "$(dirname "$0")/real_programs_points.sh" "$TEST_DIR/real_programs_points.sh"
chmod 644 "$TEST_DIR/real_programs_points.sh"

mkdir "$MNT/root" "$MNT/user"
chown 65534:65534 "$MNT/user" || fail "chown of the unprivileged user's directory"
say "git and build as root"
(cd "$MNT/root" && bash "$TEST_DIR/real_programs_points.sh" root "$TEST_DIR/calc-src.tar") \
  || fail "git and build as root"
say "git and build as nobody"
(cd "$MNT/user" && setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent \
  bash "$TEST_DIR/real_programs_points.sh" nobody "$TEST_DIR/calc-src.tar") \
  || fail "git and build as nobody"
rmdir "$MNT/root" "$MNT/user" || fail "the git and build checks left files behind"

say "git: a repository committed on one mount, read and committed to on a second"
export GIT_AUTHOR_NAME="Tessera Test" GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME="Tessera Test" GIT_COMMITTER_EMAIL=test@example.invalid
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
git init -q -b main "$MNT/shared-repo" || fail "git init for two mounts"
printf 'one\n' >"$MNT/shared-repo/file"
git -C "$MNT/shared-repo" add file && git -C "$MNT/shared-repo" commit -q -m "from mount 0" \
  || fail "git commit on mount 0"
mount_tessera
OTHER=$NEW_MNT/shared-repo
log_is() { [ "$(git -C "$2" log --format=%s 2>/dev/null | tr '\n' ' ')" = "$1" ]; }
# Metadata caches of the second mount may lag by their timeout (1 s): poll with a deadline.
eventually 10 log_is "from mount 0 " "$OTHER" || fail "mount 1 does not see mount 0's commit"
printf 'two\n' >>"$OTHER/file"
git -C "$OTHER" commit -q -am "from mount 1" || fail "git commit on mount 1"
eventually 10 log_is "from mount 1 from mount 0 " "$MNT/shared-repo" \
  || fail "mount 0 does not see mount 1's commit"
out=$(git -C "$MNT/shared-repo" fsck --full --strict 2>&1) || fail "git fsck on mount 0: $out"
[ -z "$out" ] || fail "git fsck on mount 0 reported: $out"
[ -z "$(git -C "$MNT/shared-repo" status --porcelain)" ] || fail "git status on mount 0 not clean"
rm -rf "$MNT/shared-repo" || fail "rm -rf of the shared repository"

# ---- a tree with modes, times, symlinks, hard links and xattrs, on local disk ----
TREE=$TEST_DIR/tree
make_tree() {
  mkdir -p "$TREE/a/b/c" "$TREE/private" "$TREE/empty" "$TREE/shared"
  printf 'plain\n' >"$TREE/plain.txt"
  head -c 300000 /dev/urandom >"$TREE/a/random.bin"
  printf '#!/bin/sh\n' >"$TREE/a/b/script.sh"
  printf 'secret\n' >"$TREE/private/key"
  : >"$TREE/a/b/c/empty-file"
  chmod 755 "$TREE/a/b/script.sh"
  chmod 600 "$TREE/private/key"
  chmod 700 "$TREE/private"
  chmod 640 "$TREE/plain.txt"
  chmod 2775 "$TREE/shared"
  chmod 1777 "$TREE/empty"
  chown 65534:65534 "$TREE/a/random.bin"
  ln "$TREE/plain.txt" "$TREE/a/plain-hardlink"
  ln "$TREE/plain.txt" "$TREE/a/b/plain-hardlink2"
  ln -s ../plain.txt "$TREE/a/rel-link"
  ln -s /nonexistent/target "$TREE/a/b/dangling-link"
  ln -s b "$TREE/a/dir-link"
  setfattr -n user.color -v blue "$TREE/plain.txt"
  setfattr -n user.empty "$TREE/a/random.bin"
  setfattr -n user.bin -v 0x00ff10 "$TREE/a/random.bin"
  setfattr -n user.dir -v "on a directory" "$TREE/a/b"
  setfattr -n trusted.owner-only -v t "$TREE/a/b/script.sh"
  mkfifo -m 620 "$TREE/a/fifo"
  # Times in the past with nanoseconds, set last (creating children moves a directory's mtime).
  local path i=0
  while read -r path; do
    i=$((i + 1))
    touch -h -d "2021-0$((i % 9 + 1))-1$((i % 9)) 10:2$((i % 10)):33.$((123456789 + i))" "$path"
  done < <(find "$TREE" -depth)
}
make_tree

# describe DIR: one line per entry: path, type+mode, mtime in ns, nlink, size (not for
# directories: their size is file-system specific), owner; and a symlink's target.
describe() {
  (cd "$1" && find . -printf '%p\n' | LC_ALL=C sort | while read -r path; do
    if [ -d "$path" ] && [ ! -L "$path" ]; then
      stat -c '%n %f %.9Y %h %u:%g' "$path"
    else
      stat -c '%n %f %.9Y %h %s %u:%g' "$path"
      [ ! -L "$path" ] || readlink "$path"
    fi
  done)
}
# xattrs_of DIR: getfattr -d of every entry (all namespaces but security.*, which the local file
# system may add), in sorted order: readdir orders differ between file systems.
xattrs_of() {
  (cd "$1" && find . -printf '%p\n' | LC_ALL=C sort | while read -r path; do
    getfattr -h -d -m - "$path" 2>&1 | grep -v '^security\.'
  done)
}

# same_tree WHAT DIR: DIR holds what $TREE holds: contents, metadata, xattrs.
same_tree() {
  # diff -r reports every FIFO as a difference; describe checks the FIFO's type and mode.
  diff -r --no-dereference -x fifo "$TREE" "$2" || fail "$1: diff -r found differences"
  diff <(describe "$TREE") <(describe "$2") || fail "$1: stat differs (mode, mtime, nlink, size, owner)"
  diff <(xattrs_of "$TREE") <(xattrs_of "$2") || fail "$1: getfattr -d differs"
}

say "rsync -aHX into the mount and back"
rsync -aHX "$TREE/" "$MNT/rsync/" || fail "rsync into the mount"
same_tree "rsync into the mount" "$MNT/rsync"
rsync -aHX "$MNT/rsync/" "$TEST_DIR/rsync-back/" || fail "rsync out of the mount"
same_tree "rsync out of the mount" "$TEST_DIR/rsync-back"
out=$(rsync -aHXn --itemize-changes "$TREE/" "$MNT/rsync/") || fail "rsync dry run"
[ -z "$out" ] || fail "a second rsync would still change: $out"

say "rsync -aHX --delete of a changed tree: updates replace files by rename, removals"
printf 'changed, and longer than before\n' >"$TREE/a/b/script.sh"
head -c 1000 /dev/urandom >>"$TREE/a/random.bin"  # the delta algorithm sends a few blocks
rm "$TREE/a/b/plain-hardlink2" "$TREE/a/b/c/empty-file" "$TREE/a/dir-link"
printf 'new\n' >"$TREE/private/new-file"
ln "$TREE/private/new-file" "$TREE/new-hardlink"
ln -s private "$TREE/dir-link2"
setfattr -n user.color -v green "$TREE/plain.txt"
setfattr -x user.bin "$TREE/a/random.bin"
touch -h -d "2022-02-02 02:02:02.020202020" "$TREE/a/b/script.sh" "$TREE/private/new-file" \
  "$TREE/dir-link2" "$TREE/a/b/c" "$TREE/a/b" "$TREE/a" "$TREE/private" "$TREE"
rsync -aHX --delete "$TREE/" "$MNT/rsync/" || fail "rsync --delete of the changed tree"
same_tree "rsync of the changed tree into the mount" "$MNT/rsync"
rsync -aHX --delete "$MNT/rsync/" "$TEST_DIR/rsync-back/" || fail "rsync --delete out of the mount"
same_tree "rsync of the changed tree out of the mount" "$TEST_DIR/rsync-back"

say "tar --xattrs into the mount and back"
mkdir "$MNT/tar" "$TEST_DIR/tar-back"
tar --xattrs --xattrs-include='*' -C "$TREE" -cf - . \
  | tar --xattrs --xattrs-include='*' -C "$MNT/tar" -xpf - || fail "tar into the mount"
same_tree "tar into the mount" "$MNT/tar"
tar --xattrs --xattrs-include='*' -C "$MNT/tar" -cf - . \
  | tar --xattrs --xattrs-include='*' -C "$TEST_DIR/tar-back" -xpf - || fail "tar out of the mount"
same_tree "tar out of the mount" "$TEST_DIR/tar-back"

rm -rf "$MNT/rsync" "$MNT/tar" || fail "rm -rf of the copies"
[ -z "$(ls -A "$MNT")" ] || fail "the mount is not empty at the end: $(ls -A "$MNT")"
cd /
say "PASS"
