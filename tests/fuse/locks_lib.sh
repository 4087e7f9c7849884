# Helpers of the lock tests (sourced after lib.sh): lock holders driven through FIFOs,
# non-blocking probes from another mount, and kill -9 of a mount.
LOCK_CHECKS=$(dirname "$0")/lock_checks.py
# The system interpreter: a per-user shim (pyenv) is not reachable by nobody.
PY=/usr/bin/python3
NOBODY=65534

as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "$@"; }

# start_holder NAME FILE [as_nobody]: a `lock_checks.py hold FILE` process; its pid goes to
# NAME_PID, the descriptors writing its commands and reading its answers to NAME_IN, NAME_OUT.
start_holder() {
  local name=$1 file=$2 in_fd out_fd
  shift 2
  mkfifo "$TEST_DIR/$name.in" "$TEST_DIR/$name.out"
  "$@" "$PY" "$LOCK_CHECKS" hold "$file" <"$TEST_DIR/$name.in" >"$TEST_DIR/$name.out" &
  printf -v "${name}_PID" %s $!
  exec {in_fd}>"$TEST_DIR/$name.in" {out_fd}<"$TEST_DIR/$name.out"
  printf -v "${name}_IN" %s "$in_fd"
  printf -v "${name}_OUT" %s "$out_fd"
}

# holder_do NAME COMMAND EXPECTED: sends COMMAND to holder NAME and checks its one-line answer.
holder_do() {
  local in_var=${1}_IN out_var=${1}_OUT reply=
  echo "$2" >&"${!in_var}"
  read -r -t 30 reply <&"${!out_var}" || true
  [ "$reply" = "$3" ] || fail "holder $1: '$2' answered '$reply', expected '$3'"
}

# probe FILE KIND TYPE [as_nobody]: "granted" or "blocked" for one non-blocking attempt.
probe() {
  local file=$1 kind=$2 type=$3
  shift 3
  "$@" "$PY" "$LOCK_CHECKS" try "$file" "$kind" "$type"
}

# probe_is WANT FILE KIND TYPE [as_nobody]: whether probe answers WANT (for `eventually`).
probe_is() {
  local want=$1
  shift
  [ "$(probe "$@")" = "$want" ]
}

# kill9_mount INDEX: kill -9 of that mount's tessera-mount, then a lazy unmount of the dead
# mount point (its connection is gone; processes that used it get ENOTCONN).
kill9_mount() {
  local i=$1
  kill -KILL "${MOUNT_PIDS[$i]}"
  wait "${MOUNT_PIDS[$i]}" 2>/dev/null || true
  fusermount3 -uz "${MOUNT_DIRS[$i]}" 2>/dev/null || umount -l "${MOUNT_DIRS[$i]}" ||
    fail "cannot unmount the dead mount ${MOUNT_DIRS[$i]}"
  MOUNT_PIDS[$i]=
  MOUNT_DIRS[$i]=
}
