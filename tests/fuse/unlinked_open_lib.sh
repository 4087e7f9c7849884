# Shared by unlinked_open_test.sh and unlinked_open_failover_test.sh (sourced after lib.sh,
# before fuse_cluster_start): a short grace for unlinked open files and for chunk garbage, the
# holder process of unlinked_open_checks.py, and the chunk ids on the chunk servers.
GRACE_MS=3000
MASTER_FLAGS="--gc-grace-ms 500 --open-file-grace-ms $GRACE_MS"
MOUNT_FLAGS="-o allow_other"
PY=/usr/bin/python3
NOBODY=65534
CHECKS=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/unlinked_open_checks.py
[ -x "$PY" ] || fail "$PY is missing (deploy/install-deps.sh installs python3)"
command -v setpriv >/dev/null || fail "setpriv is missing (util-linux)"
[ -f "$CHECKS" ] || fail "$CHECKS is missing"

# unlinked_setup: after fuse_cluster_start; a second mount B next to A ($MNT), the checks where
# the unprivileged user can read them, and A/shared writable by everyone.
unlinked_setup() {
  chmod 0755 "$TEST_DIR"  # mktemp made it 0700; the unprivileged user must reach the mounts
  A=$MNT
  A_INDEX=0
  mount_tessera
  B=$NEW_MNT
  cp "$CHECKS" "$TEST_DIR/checks.py"
  chmod 0644 "$TEST_DIR/checks.py"
  mkdir "$A/shared"
  chmod 1777 "$A/shared"
}

all_chunk_ids() {
  local data
  for data in "${CS_DATA[@]}"; do chunk_ids_in "$data"; done | sort -u
}

# none_left IDS...: true when no chunk server holds any of the chunk ids.
none_left() {
  local now id
  now=$(all_chunk_ids)
  for id in "$@"; do grep -qx "$id" <<<"$now" && return 1; done
  return 0
}

# all_left IDS...: true when the chunk servers still hold every one of them.
all_left() {
  local now id
  now=$(all_chunk_ids)
  for id in "$@"; do grep -qx "$id" <<<"$now" || return 1; done
  return 0
}

# start_holder USER MOUNT NAME SIZE SECONDS: the holder (unlinked_open_checks.py hold) on
# MOUNT/shared/NAME in the background as USER (root or nobody), with its signals in SIGNALS;
# returns once it has written and fsynced the file, with the file's chunk ids in HELD_IDS and
# its pid in HOLDER_PID.
start_holder() {
  local user=$1 mount=$2 name=$3 size=$4 seconds=$5 before
  SIGNALS=$(mktemp -d "$TEST_DIR/signals-XXXXXX")
  chmod 0777 "$SIGNALS"
  before=$(all_chunk_ids)
  local -a holder=("$PY" "$TEST_DIR/checks.py" hold "$mount/shared/$name" "$SIGNALS" "$size"
                   "$seconds")
  # Started directly, so that $! is the holder itself (setpriv execs it).
  if [ "$user" = root ]; then
    "${holder[@]}" &
  else
    setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups -- "${holder[@]}" &
  fi
  HOLDER_PID=$!
  eventually 60 test -e "$SIGNALS/opened" || fail "the holder never opened $name"
  HELD_IDS=$(comm -13 <(echo "$before") <(all_chunk_ids) | tr '\n' ' ')
  [ -n "$HELD_IDS" ] || fail "no chunk file appeared for $name"
}

# finish_holder WHAT DEADLINE_S: waits (up to DEADLINE_S) for the holder's checks, which ran past
# the grace, checks the file's chunks are still there, lets it close, and waits until the
# chunks are gone.
finish_holder() {
  local what=$1
  eventually "$2" test -e "$SIGNALS/verified" \
    || { kill -KILL "$HOLDER_PID" 2>/dev/null; fail "$what: the holder's checks did not finish"; }
  # shellcheck disable=SC2086  # HELD_IDS is a list of ids
  all_left $HELD_IDS || fail "$what: chunks were deleted while the file was open"
  touch "$SIGNALS/close"
  wait "$HOLDER_PID" || fail "$what: the holder's checks failed"
  # shellcheck disable=SC2086
  eventually 60 none_left $HELD_IDS || fail "$what: chunks $HELD_IDS still on the servers"
}
