#!/usr/bin/env bash
# Every `tessera` subcommand against a real cluster (3 masters, 3 chunk servers, a mount):
# normal output, --json parsed by Python's json module, --help, bad arguments (a message on
# stderr and exit code 2), refusals (1), unhealthy answers (3), and the master address sources
# (--masters, TESSERA_MASTERS, --config, TESSERA_CONFIG, broken config files).
MASTERS=3
source "$(dirname "$0")/../fuse/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed to parse the JSON output"
TESSERA=$BIN/tessera

# run_cli ARGS...: runs tessera; stdout in OUT, stderr in ERR, exit code in RC. No --masters is
# added: callers say where the masters come from.
run_cli() {
  LAST="$*"
  set +e
  "$TESSERA" "$@" >"$TEST_DIR/cli.out" 2>"$TEST_DIR/cli.err"
  RC=$?
  set -e
  OUT=$(cat "$TEST_DIR/cli.out")
  ERR=$(cat "$TEST_DIR/cli.err")
}
tc() { run_cli --masters "$MASTER_ADDR" "$@"; }

expect_rc() {
  [ "$RC" = "$1" ] || fail "tessera $LAST: exit code $RC, want $1
stdout: $OUT
stderr: $ERR"
}
expect_out() { grep -qF -- "$1" <<<"$OUT" || fail "tessera $LAST: stdout lacks '$1':
$OUT"; }
expect_err() { grep -qF -- "$1" <<<"$ERR" || fail "tessera $LAST: stderr lacks '$1':
$ERR"; }

# json_check PY_EXPR: OUT parses as JSON (bound to d) and PY_EXPR is true of it.
json_check() {
  python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
if not eval(sys.argv[1]):
    sys.exit("does not hold: " + sys.argv[1] + "\n" + json.dumps(d, indent=1))
' "$1" <<<"$OUT" || fail "tessera $LAST: JSON check failed"
}

# bad_usage WORDS... -- SAYS: exit 2 and SAYS on stderr, nothing on stdout.
bad_usage() {
  local args=()
  while [ "$1" != -- ]; do args+=("$1"); shift; done
  tc "${args[@]}"
  expect_rc 2
  expect_err "$2"
  [ -z "$OUT" ] || fail "tessera $LAST: usage error printed on stdout: $OUT"
}

fuse_cluster_start 3
wait_leader

say "files: one of two chunks, small ones for the goal and health checks"
mkdir -p "$MNT/dir" "$MNT/g3" "$MNT/goals"
head -c $((64 * 1024 * 1024 + 4096)) /dev/urandom >"$MNT/dir/two-chunks.bin"
echo small >"$MNT/g3/f"
echo small >"$MNT/goals/f"
SIZE=$((64 * 1024 * 1024 + 4096))

say "--help on every command"
for command in status fsck goal fileinfo decommission master; do
  tc "$command" --help
  expect_rc 0
  expect_out "Usage: tessera"
done
run_cli --help
expect_rc 0
expect_out "Exit codes: 0 ok, 1 failed"
expect_out "fileinfo"

say "status"
tc status
expect_rc 0
expect_out "Masters: 3"
expect_out "Chunk servers: 3 (3 alive)"
expect_out "LOAD"
expect_out "Health: HEALTHY"
tc status --json
expect_rc 0
json_check 'len(d["masters"]) == 3 and [m["role"] for m in d["masters"]].count("leader") == 1'
json_check 'all(m["term"] >= 1 for m in d["masters"])'
json_check 'len(d["chunk_servers"]) == 3 and all(s["alive"] and s["capacity_bytes"] > 0 and "used_bytes" in s and "chunks" in s and "active_requests" in s and s["draining"] is False for s in d["chunk_servers"])'
json_check 'd["health"] == {"healthy": True, "problems": []} and d["chunk_count"] >= 3'
tc status --check
expect_rc 0
bad_usage status --bogus -- "unrecognised option"

say "fsck"
tc fsck
expect_rc 0
expect_out "HEALTHY"
tc fsck /dir --json
expect_rc 0
json_check 'd["healthy"] is True and d["files"] == 1 and d["chunks"] == 2 and d["problems"] == []'
bad_usage fsck relative -- "PATH must be absolute"
tc fsck /missing
expect_rc 1
expect_err "NOT_FOUND"

say "goal"
tc goal get /goals/f
expect_rc 0
expect_out "/goals/f: 3"
tc goal set /goals 2 -r --json
expect_rc 0
json_check 'd == {"path": "/goals", "goal": 2, "entries_set": 2, "recursive": True}'
tc goal get /goals/f --json
expect_rc 0
json_check 'd["path"] == "/goals/f" and d["goal"] == 2 and d["inode"] > 0'
tc goal set /goals/f 3
expect_rc 0
expect_out "goal 3 (1 entry set)"
bad_usage goal -- "goal: say 'get PATH' or 'set PATH N [-r]'"
bad_usage goal get dir -- "PATH must be absolute"
bad_usage goal set /dir 0 -- "N must be 1..16"
bad_usage goal set /dir 17 -- "N must be 1..16"
bad_usage goal set /dir x -- "N must be 1..16"
bad_usage goal get /dir --bogus -- "unknown option '--bogus'"
tc goal get /missing
expect_rc 1
expect_err "NOT_FOUND"

say "fileinfo"
tc fileinfo /dir/two-chunks.bin
expect_rc 0
expect_out "/dir/two-chunks.bin: inode"
expect_out "goal 3, 2 chunks"
expect_out "chunk 0: id"
expect_out "chunk 1: id"
expect_out "length 4096, 3/3 live"
for address in "${CS_ADDRS[@]}"; do expect_out "@$address live"; done
tc fileinfo /dir/two-chunks.bin --json
expect_rc 0
json_check 'd["path"] == "/dir/two-chunks.bin" and d["size"] == '"$SIZE"' and d["goal"] == 3 and d["fully_replicated"] is True and d["truncated"] is False'
json_check '[c["chunk_index"] for c in d["chunks"]] == [0, 1] and sum(c["length"] for c in d["chunks"]) == d["size"]'
json_check 'all(c["chunk_id"] > 0 and c["version"] >= 1 and c["live_copies"] == 3 and len(c["replicas"]) == 3 for c in d["chunks"])'
json_check 'all(r["state"] == "live" and r["version"] == c["version"] and r["address"] in "'"${CS_ADDRS[*]}"'".split() for c in d["chunks"] for r in c["replicas"])'
bad_usage fileinfo -- "PATH missing"
bad_usage fileinfo dir/two-chunks.bin -- "PATH must be absolute"
bad_usage fileinfo /a /b -- "one PATH only"
bad_usage fileinfo /a --bogus -- "unknown option '--bogus'"
tc fileinfo /missing
expect_rc 1
expect_err "NOT_FOUND"
tc fileinfo /dir
expect_rc 1
expect_err "IS_DIRECTORY"
tc fileinfo "/dir/$(head -c 300 /dev/zero | tr '\0' x)"
expect_rc 1
expect_err "NAME_TOO_LONG"

say "decommission (argument checks; the draining itself: ChunkDecommission* fault tests)"
tc decommission --status --json
expect_rc 0
json_check 'd == {"draining": []}'
tc decommission 999999 --no-wait --json
expect_rc 1
expect_err "NOT_FOUND"
bad_usage decommission abc -- "SERVER_ID must be a number"
bad_usage decommission -- "SERVER_ID"

say "master"
tc master members
expect_rc 0
expect_out "leader"
tc master members --json
expect_rc 0
json_check 'sorted(m["id"] for m in d) == [1, 2, 3] and all(m["voter"] for m in d)'
old_leader=$LEADER
tc master transfer-leader --json
expect_rc 0
json_check 'd == {"ok": True, "action": "transfer-leader", "id": 0}'
wait_leader "$old_leader"
# Remove a follower, wipe it, and add it back: it rejoins as a learner and becomes a voter.
index=$(((LEADER + 1) % 3))
id=$((index + 1))
tc master remove "$id" --json
expect_rc 0
json_check 'd == {"ok": True, "action": "remove", "id": '"$id"'}'
tc master members --json
json_check 'sorted(m["id"] for m in d) == sorted({1, 2, 3} - {'"$id"'})'
wipe_master "$index"   # stops it, empties its data dir, starts it with --join
tc master add "$id" "${MASTER_ADDRS[$index]}"
expect_rc 0
expect_out "master $id at ${MASTER_ADDRS[$index]} added"
wait_master_caught_up "$index"
tc master members --json
json_check 'sorted(m["id"] for m in d) == [1, 2, 3] and all(m["voter"] for m in d)'
bad_usage master -- "master: no command given"
bad_usage master bogus -- "unknown command 'bogus'"
bad_usage master add 0 127.0.0.1:1 -- "ID > 0"
bad_usage master add 4 nohostport -- "master add:"
bad_usage master remove abc -- "ID > 0"
bad_usage master transfer-leader 1 2 -- "transfer-leader [ID]"
tc master remove 99 --json
expect_rc 1
[ -n "$ERR" ] || fail "master remove 99: no message on stderr"

say "global usage errors"
bad_usage -- "no command given"
bad_usage bogus -- "unknown command 'bogus'"
bad_usage --bogus status -- "unknown option '--bogus'"
bad_usage --timeout-ms 0 status -- "--timeout-ms must be 1..3600000"

say "where the masters come from"
unset TESSERA_MASTERS TESSERA_CONFIG
run_cli --masters "nohostport" status
expect_rc 2
expect_err "--masters: invalid masters 'nohostport'"
TESSERA_MASTERS=$MASTER_ADDR run_cli status --json
expect_rc 0
json_check 'len(d["masters"]) == 3'
TESSERA_MASTERS=bad:port run_cli status
expect_rc 2
expect_err "TESSERA_MASTERS: invalid masters"
# --masters wins over TESSERA_MASTERS.
TESSERA_MASTERS=bad:port run_cli --masters "$MASTER_ADDR" status --check
expect_rc 0

CONF=$TEST_DIR/tessera.conf
printf '# test cluster\nmasters = %s\ntimeout-ms = 4000\n' "$MASTER_ADDR" >"$CONF"
run_cli --config "$CONF" fsck --json
expect_rc 0
json_check 'd["healthy"] is True'
TESSERA_CONFIG=$CONF run_cli master members --json
expect_rc 0
json_check 'len(d) == 3'
printf 'masters = %s\nmaster = x\n' "$MASTER_ADDR" >"$TEST_DIR/bad.conf"
run_cli --config "$TEST_DIR/bad.conf" status
expect_rc 2
expect_err "$TEST_DIR/bad.conf:2: unknown key 'master'"
printf 'masters 127.0.0.1:1\n' >"$TEST_DIR/bad2.conf"
TESSERA_CONFIG=$TEST_DIR/bad2.conf run_cli status
expect_rc 2
expect_err "bad2.conf:1: expected 'key = value'"
run_cli --config "$TEST_DIR/bad.conf" fileinfo --help
expect_rc 0
expect_out "Usage: tessera"
run_cli --config "$TEST_DIR/absent.conf" status
expect_rc 2
expect_err "absent.conf does not exist"
if [ ! -e /etc/tessera/tessera.conf ]; then
  run_cli status
  expect_rc 2
  expect_err "no masters given"
fi
run_cli --masters 127.0.0.1:1 --timeout-ms 500 status
expect_rc 1
expect_err "cannot get the cluster status"

say "an unhealthy cluster: exit code 3"
stop_pid "${CS_PIDS[2]}"
CS_PIDS[2]=
dead_reported() { tc status --check; [ "$RC" = 3 ]; }
eventually 30 dead_reported || fail "status --check did not turn to 3 after a chunk server died: $OUT"
expect_out "Health: DEGRADED"
expect_out "is dead"
tc status --json
json_check 'd["health"]["healthy"] is False and any("is dead" in p for p in d["health"]["problems"])'
tc fsck /g3 --json
expect_rc 3
json_check 'd["healthy"] is False and d["chunks_under_goal"] == 1 and d["problems"][0]["path"] == "/g3/f"'
tc fileinfo /g3/f
expect_rc 3
expect_out "UNDER GOAL"
tc fileinfo /g3/f --json
expect_rc 3
json_check 'd["fully_replicated"] is False and d["chunks"][0]["live_copies"] == 2'

say "PASS"
