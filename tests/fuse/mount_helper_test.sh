#!/usr/bin/env bash
# `mount -t fuse.tessera MASTERS DIR` and /etc/fstab lines work (DESIGN.md, client and mount):
# mount(8) runs /sbin/mount.fuse.tessera (a link to tessera-mount) with fstab's options in one
# -o list. Shown: a mount with Tessera settings in -o, an fstab line with _netdev, nofail and
# x-systemd.* items (read from a file of our own with mount -T, not the machine's /etc/fstab),
# `mount -a` twice leaves one mount, bad options fail with a clear message and mount nothing,
# and umount ends the daemon. The link is created for the test and removed after it; one that
# exists already must point at this build's tessera-mount.
source "$(dirname "$0")/lib.sh"

HELPER=/sbin/mount.fuse.tessera
LINK_CREATED=
declare -a HELPER_MOUNTS=()

# The tessera-mount serving DIR, for stopping it by PID: the process whose executable is this
# build's tessera-mount (its name is the helper's, mount.fuse.tessera) and whose arguments hold
# the test's unique mount point.
daemon_of() {
  local proc exe
  exe=$(readlink -f "$BIN/tessera-mount")
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/exe" 2>/dev/null)" = "$exe" ] || continue
    if tr '\0' '\n' <"$proc/cmdline" 2>/dev/null | grep -qxF "$1"; then
      echo "${proc#/proc/}"
      return 0
    fi
  done
  return 1
}

cleanup_helper_mounts() {
  local status=$? dir pid
  set +e  # a failing step here must not skip teardown, which stops the cluster
  for dir in "${HELPER_MOUNTS[@]}"; do
    pid=$(daemon_of "$dir" || true)
    is_mounted "$dir" && { umount "$dir" 2>/dev/null || umount -l "$dir"; }
    [ -n "$pid" ] && stop_pid "$pid"
  done
  [ -n "$LINK_CREATED" ] && rm -f "$HELPER"
  (exit $status)
  teardown
}

if [ -e "$HELPER" ] || [ -L "$HELPER" ]; then
  [ "$(readlink -f "$HELPER")" = "$(readlink -f "$BIN/tessera-mount")" ] \
    || fail "$HELPER exists and is not this build's tessera-mount (it is $(readlink -f "$HELPER")): remove it to run this test"
else
  ln -s "$BIN/tessera-mount" "$HELPER"
  LINK_CREATED=1
fi
trap cleanup_helper_mounts EXIT

fuse_cluster_start 3

fstype_of() { awk -v dir="$1" '$5 == dir { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/self/mountinfo; }
source_of() { awk -v dir="$1" '$5 == dir { for (i = 7; $i != "-"; i++); print $(i + 2) }' /proc/self/mountinfo; }
mounts_at() { awk -v dir="$1" '$5 == dir { n++ } END { print n + 0 }' /proc/self/mountinfo; }

say "mount -t fuse.tessera, with Tessera's settings in -o"
D1=$TEST_DIR/by_mount
mkdir -p "$D1"
HELPER_MOUNTS+=("$D1")
mount -t fuse.tessera "$MASTER_ADDR" "$D1" \
  -o allow_other,noatime,attr_timeout=0,entry_timeout=0,log_file="$TEST_DIR/by_mount.log" \
  || fail "mount -t fuse.tessera failed"
is_mounted "$D1" || fail "$D1 is not mounted after mount returned"
[ "$(fstype_of "$D1")" = fuse.tessera ] || fail "file system type is '$(fstype_of "$D1")'"
[ "$(source_of "$D1")" = "$MASTER_ADDR" ] || fail "source is '$(source_of "$D1")', want the masters"
echo "through mount(8)" >"$D1/hello"
[ "$(cat "$MNT/hello")" = "through mount(8)" ] || fail "the other mount reads something else"
pid1=$(daemon_of "$D1") || fail "no tessera-mount serves $D1"
grep -q "noatime" <(tr '\0' ' ' <"/proc/$pid1/cmdline") || fail "the helper did not get -o noatime"
grep -q "serving $D1" "$TEST_DIR/by_mount.log" || fail "the background mount does not log to log_file"

say "an fstab line with fstab-only items; mount -a twice mounts once"
D2=$TEST_DIR/by_fstab
mkdir -p "$D2"
HELPER_MOUNTS+=("$D2")
printf '%s %s fuse.tessera _netdev,nofail,allow_other,defaults,x-systemd.automount,atime=strictatime,entry_timeout=0.5 0 0\n' \
  "$MASTER_ADDR" "$D2" >"$TEST_DIR/fstab"
mount -T "$TEST_DIR/fstab" "$D2" || fail "mount of the fstab line failed"
[ "$(cat "$D2/hello")" = "through mount(8)" ] || fail "the fstab mount reads something else"
mount -a -T "$TEST_DIR/fstab" || fail "mount -a failed"
mount -a -T "$TEST_DIR/fstab" || fail "second mount -a failed"
[ "$(mounts_at "$D2")" = 1 ] || fail "mount -a stacked $(mounts_at "$D2") mounts at $D2"

say "bad options fail with a clear message and mount nothing"
D3=$TEST_DIR/refused
mkdir -p "$D3"
HELPER_MOUNTS+=("$D3")
for bad in attr_timeout=-1 atime=sometimes admin_port=99999 no_such_option log_file=/nonexistent/dir/log; do
  if out=$(mount -t fuse.tessera "$MASTER_ADDR" "$D3" -o "$bad" 2>&1); then
    fail "mount -o $bad succeeded"
  fi
  want=${bad%%=*}
  [ "$want" = log_file ] && want=/nonexistent/dir/log
  grep -q -- "$want" <<<"$out" || fail "mount -o $bad: the error does not name '$want': $out"
  is_mounted "$D3" && fail "mount -o $bad left a mount at $D3"
done
if out=$(mount -t fuse.tessera "127.0.0.1" "$D3" 2>&1); then fail "masters without a port accepted"; fi
grep -q "masters" <<<"$out" || fail "a bad masters list is not named: $out"

say "umount ends the daemon"
pid2=$(daemon_of "$D2") || fail "no tessera-mount serves $D2"
umount "$D1" || fail "umount $D1 failed"
umount "$D2" || fail "umount $D2 failed"
for pid in $pid1 $pid2; do
  eventually 10 test ! -e "/proc/$pid" || fail "tessera-mount $pid still runs after umount"
done
say PASS
