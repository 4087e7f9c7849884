#!/usr/bin/env bash
# Permissions and times, checked by the master with the caller's uid, gid and groups, for root
# and for unprivileged users (setpriv): EACCES in a private directory, sticky and setgid
# directories, chown/chgrp/chmod rules and EPERM, setuid/setgid dropped by a non-owner's write
# and by chown, access(), utimensat with UTIME_NOW/UTIME_OMIT, ctime and mtime.
#
# Two mounts: root sets things up on the second one, the checks run on the first. The kernel
# checks permission bits too (default_permissions), so cached names grant nothing; setting up
# on another mount keeps the master's answers, not the kernel's, under test where they differ.
MOUNT_FLAGS="-o allow_other"  # other users must be let in
source "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv (util-linux) is required"
PYTHON=/usr/bin/python3  # the system one: a per-user shim (pyenv) is not reachable by others
[ -x "$PYTHON" ] || fail "$PYTHON is required"

fuse_cluster_start 3
mount_tessera
SETUP=$NEW_MNT
chmod 0755 "$TEST_DIR"  # mktemp made it 0700: other users must reach the mounts

NOBODY=(--reuid=65534 --regid=65534 --clear-groups)
STAFF=50
ALICE=(--reuid=1000 --regid=1000 --groups=$STAFF)

# One system call, its outcome printed as OK or the errno name (EACCES, EPERM, ...).
PYOP=$TEST_DIR/op.py
cat >"$PYOP" <<'PY'
import errno, os, sys
op, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    if op == "read":
        os.close(os.open(path, os.O_RDONLY))
    elif op == "write":
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        os.write(fd, b"more\n")
        os.close(fd)
    elif op == "trunc":
        os.close(os.open(path, os.O_WRONLY | os.O_TRUNC))
    elif op == "create":
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    elif op == "mkdir":
        os.mkdir(path, int(args[0], 8) if args else 0o755)
    elif op == "unlink":
        os.unlink(path)
    elif op == "rmdir":
        os.rmdir(path)
    elif op == "rename":
        os.rename(path, args[0])
    elif op == "chmod":
        os.chmod(path, int(args[0], 8))
    elif op == "chown":
        os.chown(path, int(args[0]), int(args[1]))
    elif op == "listdir":
        os.listdir(path)
    elif op == "chdir":
        os.chdir(path)
    elif op == "access":
        mask = {"f": os.F_OK, "r": os.R_OK, "w": os.W_OK, "x": os.X_OK}[args[0]]
        if not os.access(path, mask):
            raise PermissionError(errno.EACCES, "access")
    elif op == "utime_now":  # both times now (times == NULL)
        os.utime(path)
    elif op == "utime":  # explicit atime and mtime, seconds
        os.utime(path, ns=(int(args[0]) * 10**9, int(args[1]) * 10**9))
    else:
        sys.exit("unknown op " + op)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
chmod 0644 "$PYOP"

# expect WANT AS OP PATH [ARGS...]: AS is root, nobody or alice.
expect() {
  local want=$1 who=$2 got
  shift 2
  case $who in
    root) got=$("$PYTHON" "$PYOP" "$@") ;;
    nobody) got=$(setpriv "${NOBODY[@]}" -- "$PYTHON" "$PYOP" "$@") ;;
    alice) got=$(setpriv "${ALICE[@]}" -- "$PYTHON" "$PYOP" "$@") ;;
    *) fail "unknown user $who" ;;
  esac
  [ "$got" = "$want" ] || fail "$who $*: got $got, want $want"
}

# wait_stat FORMAT PATH WANT: stat -c FORMAT PATH prints WANT within 10 s (attributes cached by
# the kernel expire after the mount's attr timeout).
wait_stat() {
  local format=$1 path=$2 want=$3 got deadline=$((SECONDS + 10))
  while true; do
    got=$(stat -c "$format" "$path")
    [ "$got" = "$want" ] && return 0
    [ $SECONDS -lt $deadline ] || fail "stat -c '$format' $path: got $got, want $want"
    sleep 0.1
  done
}

# changed FORMAT PATH BEFORE: the value of stat -c FORMAT PATH differs from BEFORE within 10 s.
wait_changed() {
  local format=$1 path=$2 before=$3 deadline=$((SECONDS + 10))
  until [ "$(stat -c "$format" "$path")" != "$before" ]; do
    [ $SECONDS -lt $deadline ] || fail "stat -c '$format' $path stayed $before"
    sleep 0.1
  done
}

say "a private (0700) directory refuses other users, not root"
mkdir "$SETUP/priv"
echo secret >"$SETUP/priv/f"
chmod 0644 "$SETUP/priv/f"
chmod 0700 "$SETUP/priv"
expect EACCES nobody listdir "$MNT/priv"
expect EACCES nobody read "$MNT/priv/f"
expect EACCES nobody create "$MNT/priv/new"
expect EACCES nobody chdir "$MNT/priv"
expect EACCES alice mkdir "$MNT/priv/d"
expect OK root listdir "$MNT/priv"
expect OK root read "$MNT/priv/f"
expect OK root create "$MNT/priv/by_root"

say "open checks the access mode; O_TRUNC needs write"
mkdir "$SETUP/open"
chmod 0777 "$SETUP/open"
echo data >"$SETUP/open/ro"
chmod 0644 "$SETUP/open/ro"
echo data >"$SETUP/open/noread"
chmod 0200 "$SETUP/open/noread"
expect OK nobody read "$MNT/open/ro"
expect EACCES nobody write "$MNT/open/ro"
expect EACCES nobody trunc "$MNT/open/ro"
expect EACCES nobody read "$MNT/open/noread"
expect OK root read "$MNT/open/noread"
expect OK root write "$MNT/open/ro"

say "access() through the master"
echo x >"$SETUP/open/plain"
chmod 0644 "$SETUP/open/plain"
echo x >"$SETUP/open/exe"
chmod 0744 "$SETUP/open/exe"
expect OK nobody access "$MNT/open/plain" r
expect EACCES nobody access "$MNT/open/plain" w
expect EACCES nobody access "$MNT/open/plain" x
expect OK nobody access "$MNT/open/plain" f
expect OK root access "$MNT/open/plain" w
expect EACCES root access "$MNT/open/plain" x
expect OK root access "$MNT/open/exe" x
expect EACCES nobody access "$MNT/open/exe" x
expect OK alice access "$MNT/open" w

say "a sticky (/tmp-like) directory"
mkdir "$SETUP/tmp"
chmod 1777 "$SETUP/tmp"
expect OK alice create "$MNT/tmp/alices"
expect OK nobody create "$MNT/tmp/nobodys"
expect EPERM nobody unlink "$MNT/tmp/alices"
expect EPERM nobody rename "$MNT/tmp/alices" "$MNT/tmp/taken"
expect EPERM nobody rename "$MNT/tmp/nobodys" "$MNT/tmp/alices"
expect OK nobody rename "$MNT/tmp/nobodys" "$MNT/tmp/nobodys2"
expect OK nobody unlink "$MNT/tmp/nobodys2"
expect OK root unlink "$MNT/tmp/alices"

say "a setgid directory passes its group, and its bit to subdirectories"
mkdir "$SETUP/sg"
chgrp $STAFF "$SETUP/sg"
chmod 2777 "$SETUP/sg"
expect OK alice create "$MNT/sg/f"
wait_stat %g "$MNT/sg/f" $STAFF
expect OK nobody create "$MNT/sg/g"
wait_stat %g:%u "$MNT/sg/g" $STAFF:65534
expect OK alice mkdir "$MNT/sg/sub" 755
wait_stat %g:%a "$MNT/sg/sub" $STAFF:2755
expect OK root create "$MNT/sg/sub/deeper"
wait_stat %g "$MNT/sg/sub/deeper" $STAFF

say "chown, chgrp and chmod rules"
expect OK alice create "$MNT/open/alices"
expect EPERM alice chown "$MNT/open/alices" 65534 -1
expect OK alice chown "$MNT/open/alices" -1 $STAFF
wait_stat %g "$MNT/open/alices" $STAFF
expect EPERM alice chown "$MNT/open/alices" -1 60
expect EPERM nobody chown "$MNT/open/alices" -1 65534
expect EPERM nobody chmod "$MNT/open/alices" 777
expect OK alice chmod "$MNT/open/alices" 640
wait_stat %a "$MNT/open/alices" 640
expect OK root chown "$MNT/open/alices" 65534 60
wait_stat %u:%g "$MNT/open/alices" 65534:60
# nobody owns it now but is not in group 60: its setgid bit does not stick.
expect OK nobody chmod "$MNT/open/alices" 2755
wait_stat %a "$MNT/open/alices" 755

say "setuid/setgid are dropped by a non-root write and by chown, kept by root's write"
echo x >"$SETUP/open/suid"
chmod 6777 "$SETUP/open/suid"
expect OK root write "$MNT/open/suid"
wait_stat %a "$MNT/open/suid" 6777
expect OK nobody write "$MNT/open/suid"
wait_stat %a "$MNT/open/suid" 777
chmod 4755 "$MNT/open/suid"
wait_stat %a "$MNT/open/suid" 4755
chown 1000 "$MNT/open/suid"
wait_stat %u:%a "$MNT/open/suid" 1000:755
expect OK alice chmod "$MNT/open/suid" 4755
expect OK alice chown "$MNT/open/suid" -1 $STAFF
wait_stat %g:%a "$MNT/open/suid" $STAFF:755

say "utimens: explicit times for the owner, now for writers, UTIME_OMIT keeps a time"
expect OK alice create "$MNT/open/times"
expect OK alice chmod "$MNT/open/times" 666
expect OK alice utime "$MNT/open/times" 1000 2000
wait_stat %X:%Y "$MNT/open/times" 1000:2000
expect EPERM nobody utime "$MNT/open/times" 5 6
expect OK nobody utime_now "$MNT/open/times"
wait_changed %Y "$MNT/open/times" 2000
now=$(date +%s)
mtime=$(stat -c %Y "$MNT/open/times")
[ $((now - mtime)) -le 5 ] && [ $((mtime - now)) -le 5 ] || fail "UTIME_NOW gave mtime $mtime at $now"
# touch -a: atime given, mtime UTIME_OMIT; touch -m the other way round.
setpriv "${ALICE[@]}" -- touch -a -d @3000 "$MNT/open/times" || fail "touch -a as the owner"
wait_stat %X:%Y "$MNT/open/times" 3000:$mtime
setpriv "${ALICE[@]}" -- touch -m -d @4000 "$MNT/open/times" || fail "touch -m as the owner"
wait_stat %X:%Y "$MNT/open/times" 3000:4000
# One time now and the other omitted is not "both now": owner only.
if setpriv "${NOBODY[@]}" -- touch -a "$MNT/open/times" 2>/dev/null; then
  fail "touch -a (atime now, mtime omitted) by a non-owner must fail with EPERM"
fi
expect OK alice chmod "$MNT/open/times" 644
expect EACCES nobody utime_now "$MNT/open/times"
expect OK root utime "$MNT/open/times" 7 8
wait_stat %X:%Y "$MNT/open/times" 7:8

say "ctime moves on every inode change, mtime on data, parents on entry changes"
echo start >"$MNT/open/ct"
ctime=$(stat -c %Z "$MNT/open/ct")
mtime=$(stat -c %Y "$MNT/open/ct")
# Times have one-second resolution in stat -c: set them back so a change is visible at once.
touch -d @100 "$MNT/open/ct"
wait_stat %Y "$MNT/open/ct" 100
ctime=$(stat -c %.9Z "$MNT/open/ct")
chmod 0600 "$MNT/open/ct"
wait_changed %.9Z "$MNT/open/ct" "$ctime"
wait_stat %Y "$MNT/open/ct" 100  # chmod leaves mtime
ctime=$(stat -c %.9Z "$MNT/open/ct")
chown 65534 "$MNT/open/ct"
wait_changed %.9Z "$MNT/open/ct" "$ctime"
ctime=$(stat -c %.9Z "$MNT/open/ct")
mv "$MNT/open/ct" "$MNT/open/ct2"
wait_changed %.9Z "$MNT/open/ct2" "$ctime"
wait_stat %Y "$MNT/open/ct2" 100  # rename leaves mtime
ctime=$(stat -c %.9Z "$MNT/open/ct2")
echo more >>"$MNT/open/ct2"
wait_changed %Y "$MNT/open/ct2" 100
wait_changed %.9Z "$MNT/open/ct2" "$ctime"
touch -d @100 "$MNT/open/ct2"
wait_stat %Y "$MNT/open/ct2" 100
truncate -s 1 "$MNT/open/ct2"
wait_changed %Y "$MNT/open/ct2" 100
# The parent: create, mkdir, unlink, rmdir and rename (both parents) move its mtime and ctime.
mkdir "$MNT/par" "$MNT/par2"
check_parent_touched() {  # DIR DESCRIPTION COMMAND...
  local dir=$1 what=$2
  shift 2
  touch -d @100 "$dir"
  wait_stat %Y "$dir" 100
  local ctime
  ctime=$(stat -c %.9Z "$dir")
  "$@" || fail "$what"
  wait_changed %Y "$dir" 100
  wait_changed %.9Z "$dir" "$ctime"
}
check_parent_touched "$MNT/par" "create" touch "$MNT/par/f"
check_parent_touched "$MNT/par" "mkdir" mkdir "$MNT/par/d"
check_parent_touched "$MNT/par" "rename (old parent)" mv "$MNT/par/f" "$MNT/par2/f"
touch -d @100 "$MNT/par"
check_parent_touched "$MNT/par2" "rename (new parent)" mv "$MNT/par/d" "$MNT/par2/d"
check_parent_touched "$MNT/par2" "unlink" rm "$MNT/par2/f"
check_parent_touched "$MNT/par2" "rmdir" rmdir "$MNT/par2/d"
# The same as an unprivileged user in a directory it may write.
chmod 0777 "$MNT/par"
check_parent_touched "$MNT/par" "create as nobody" setpriv "${NOBODY[@]}" -- touch "$MNT/par/n"
check_parent_touched "$MNT/par" "unlink as nobody" setpriv "${NOBODY[@]}" -- rm "$MNT/par/n"

say "PASS"
