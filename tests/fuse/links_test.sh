#!/usr/bin/env bash
# Names and links on a real mount: hard links and nlink, symlinks and readlink, FIFOs, sockets,
# mknod, 255/256-byte names, a 100-level path, the POSIX errors of names, and every rename case
# (replace, ENOTEMPTY/EISDIR/ENOTDIR, RENAME_NOREPLACE, RENAME_EXCHANGE, EINVAL into its own
# subtree, onto itself). links_points.sh holds the checks; they run once as root and once as
# the unprivileged user nobody (65534), each in a directory of its own.
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3  # a system python every user can run (root's may live under /root)
[ -x "$PY" ] || fail "$PY is missing; the checks need it for renameat2 and errno values"
command -v setpriv >/dev/null || fail "setpriv is missing; it runs the checks as nobody"

MOUNT_FLAGS="-o allow_other" fuse_cluster_start 3
chmod 755 "$TEST_DIR"  # nobody must reach the mount point
cp "$(dirname "$0")/links_points.sh" "$TEST_DIR/links_points.sh"
chmod 644 "$TEST_DIR/links_points.sh"

mkdir "$MNT/root" "$MNT/user"
chown 65534:65534 "$MNT/user" || fail "chown of the unprivileged user's directory"

say "checks as root"
(cd "$MNT/root" && PY=$PY bash "$TEST_DIR/links_points.sh" root) || fail "checks as root"
say "checks as nobody"
(cd "$MNT/user" && setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i PATH=/usr/local/bin:/usr/bin:/bin PY=$PY bash "$TEST_DIR/links_points.sh" nobody) \
  || fail "checks as nobody"

# Both trees are gone again and the root directory counts only its two subdirectories.
[ "$(stat -c %h "$MNT")" = 4 ] || fail "mount root nlink $(stat -c %h "$MNT"), want 4"
rmdir "$MNT/root" "$MNT/user" || fail "the check directories are not empty"
[ "$(stat -c %h "$MNT")" = 2 ] || fail "mount root nlink $(stat -c %h "$MNT") after rmdir, want 2"
cd /
say "PASS"
