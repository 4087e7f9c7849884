#!/usr/bin/env bash
# netns-cluster.sh: a Tessera cluster where every node is its own "host": a network namespace
# with its own address, as on several machines. Needs root and iproute2 (`ip netns`).
#
#   deploy/netns-cluster.sh start       3 masters, $CHUNK_SERVERS chunk servers, a client mount
#   deploy/netns-cluster.sh status      each node: namespace, address, daemon pid; `tessera status`
#   deploy/netns-cluster.sh stop        unmount, stop every daemon by its PID, delete the network
#   deploy/netns-cluster.sh env         shell assignments for tests: eval "$(... env)"
#   deploy/netns-cluster.sh exec NODE CMD...     run CMD in NODE's namespace (m1, cs2, client)
#   deploy/netns-cluster.sh cli ARGS...          `tessera ARGS` from the client namespace
#   deploy/netns-cluster.sh partition NODE       cut NODE off the network (its link goes down)
#   deploy/netns-cluster.sh heal NODE            and back
#   deploy/netns-cluster.sh cut NODE NODE        lose all packets between two nodes only
#   deploy/netns-cluster.sh uncut NODE NODE      and back
#   deploy/netns-cluster.sh kill NODE            SIGKILL NODE's daemon (by its recorded pid)
#   deploy/netns-cluster.sh restart NODE         start a killed NODE again: same data, address
#   deploy/netns-cluster.sh leader               the leading master's node name (m1..m3)
#   deploy/netns-cluster.sh admin NODE [PATH]    GET PATH (/status) of NODE's admin HTTP port
#
# Network: a "switch" namespace holds a bridge; each node namespace has eth0 (a veth whose
# other end is a bridge port) with $NETNS_SUBNET.X/24: masters .11-.13, chunk servers .21..,
# the client .100. Nothing is added to the host's own namespace: the addresses exist only in
# the namespaces this script creates, and `stop` deletes them with everything inside.
#
# `cut A B` gives each of the two a permanent neighbour entry for the other's address with a
# MAC address no node has ($CUT_MAC): their packets to each other still leave, and are lost in
# the switch, so TCP sees a real partition (connect hangs until its timeout, sent data is
# retransmitted unanswered). A `blackhole`, `prohibit` or `unreachable` route does not: the
# kernel fails connect() and send() at once in the sender (EINVAL, EACCES, EHOSTUNREACH), which
# no real partition does; tc's drop actions are often missing from container kernels.
# Admin HTTP ports: masters 9401, chunk servers 9501 (on the node's address).
#
# Daemons run in their namespace under `ip netns exec`, from config files written to
# $NETNS_RUN_DIR/NODE/*.conf in the format of deploy/config/*.conf (tessera-exec-config turns
# them into flags), logging to $NETNS_RUN_DIR/NODE/log. The mount is started with
# `nsenter --net` instead: `ip netns exec` also gives the process a private mount namespace,
# which would hide the FUSE mount from everyone else. It is mounted at $NETNS_RUN_DIR/mnt.
#
# Settings (environment): TESSERA_BIN_DIR (default: build/bin of this tree), NETNS_RUN_DIR
# (./run/netns), NETNS_PREFIX (tnc; namespace names PREFIX-m1, PREFIX-cs1, PREFIX-client,
# PREFIX-sw; lets several clusters coexist), NETNS_SUBNET (10.77.0), CHUNK_SERVERS (3, 1..50),
# DEFAULT_GOAL (3), READY_TIMEOUT_S (60).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN=${TESSERA_BIN_DIR:-$TESSERA_ROOT/build/bin}
RUN_DIR=${NETNS_RUN_DIR:-$PWD/run/netns}
PREFIX=${NETNS_PREFIX:-tnc}
SUBNET=${NETNS_SUBNET:-10.77.0}
CHUNK_SERVERS=${CHUNK_SERVERS:-3}
DEFAULT_GOAL=${DEFAULT_GOAL:-3}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-60}
MASTER_PORT=9400
CHUNK_PORT=9500
MASTER_ADMIN_PORT=9401
CHUNK_ADMIN_PORT=9501
CUT_MAC=02:00:00:00:00:01
EXEC_CONFIG=$TESSERA_ROOT/deploy/tessera-exec-config

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

usage_error() {  # MESSAGE: bad usage, exit 2
  echo "netns-cluster.sh: $*" >&2
  exit 2
}

check_settings() {
  [[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,5}$ ]] || die "NETNS_PREFIX must be 1..6 of [a-z0-9], starting with a letter: '$PREFIX'"
  [[ "$SUBNET" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "NETNS_SUBNET must be A.B.C: '$SUBNET'"
  local part
  for part in "${BASH_REMATCH[@]:1}"; do [ "$part" -le 255 ] || die "NETNS_SUBNET part $part > 255"; done
  [[ "$CHUNK_SERVERS" =~ ^[0-9]+$ ]] && [ "$CHUNK_SERVERS" -ge 1 ] && [ "$CHUNK_SERVERS" -le 50 ] \
    || die "CHUNK_SERVERS must be 1..50: '$CHUNK_SERVERS'"
  [[ "$RUN_DIR" = /* ]] || RUN_DIR=$PWD/$RUN_DIR
}

require_tools() {
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, FUSE); got uid $(id -u)"
  command -v ip >/dev/null || die "iproute2's 'ip' is missing (apt-get install iproute2)"
  ip netns list >/dev/null 2>&1 || die "'ip netns' does not work here: $(ip netns list 2>&1 | head -n1)"
  command -v nsenter >/dev/null || die "nsenter (util-linux) is missing"
}

require_binaries() {
  local program
  for program in tessera-master tessera-chunkserver tessera-mount tessera; do
    [ -x "$BIN/$program" ] || die "$BIN/$program is missing: build first or set TESSERA_BIN_DIR"
  done
  [ -c /dev/fuse ] || die "/dev/fuse is missing: modprobe fuse, or give the container the device"
}

# Node names and addresses.
nodes() {
  local i
  echo m1 m2 m3
  for ((i = 1; i <= CHUNK_SERVERS; i++)); do echo "cs$i"; done
  echo client
}
ns_of() { echo "$PREFIX-$1"; }
# check_node NODE: exit 2 unless NODE is one of this cluster's nodes.
check_node() {
  if [[ "$1" =~ ^cs([1-9][0-9]?)$ ]] && [ "${BASH_REMATCH[1]}" -le "$CHUNK_SERVERS" ]; then return 0; fi
  [[ "$1" =~ ^(m[1-3]|client)$ ]] || usage_error "unknown node '$1' (m1..m3, cs1..cs$CHUNK_SERVERS, client)"
}
ip_of() {
  check_node "$1"
  case $1 in
    m*) echo "$SUBNET.$((10 + ${1#m}))" ;;
    cs*) echo "$SUBNET.$((20 + ${1#cs}))" ;;
    client) echo "$SUBNET.100" ;;
  esac
}
masters_list() { echo "$(ip_of m1):$MASTER_PORT,$(ip_of m2):$MASTER_PORT,$(ip_of m3):$MASTER_PORT"; }
program_of() {
  case $1 in m*) echo tessera-master ;; cs*) echo tessera-chunkserver ;; client) echo tessera-mount ;; esac
}
pid_file() { echo "$RUN_DIR/$1/pid"; }
node_pid() { cat "$(pid_file "$1")" 2>/dev/null || true; }

# The settings of a running cluster win over the environment: stop and status must act on
# what start created.
load_state() {
  [ -f "$RUN_DIR/state.env" ] || return 1
  # shellcheck disable=SC1091
  source "$RUN_DIR/state.env"
}

save_state() {
  mkdir -p "$RUN_DIR"
  printf 'PREFIX=%q\nSUBNET=%q\nCHUNK_SERVERS=%q\nBIN=%q\n' \
    "$PREFIX" "$SUBNET" "$CHUNK_SERVERS" "$BIN" >"$RUN_DIR/state.env"
}

create_network() {
  local sw node ns
  sw=$(ns_of sw)
  ip netns add "$sw" || die "cannot create namespace $sw (left from an earlier run? try stop)"
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  ip -n "$sw" link set lo up
  for node in $(nodes); do
    ns=$(ns_of "$node")
    ip netns add "$ns" || die "cannot create namespace $ns"
    # Both ends are born in the switch namespace and one moves to the node: the host's own
    # namespace never holds any of them.
    ip -n "$sw" link add "v-$node" type veth peer name eth0 netns "$ns"
    ip -n "$sw" link set "v-$node" master br0 up
    ip -n "$ns" addr add "$(ip_of "$node")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
}

write_configs() {
  local i node dir
  for i in 1 2 3; do
    node=m$i
    dir=$RUN_DIR/$node
    mkdir -p "$dir/data"
    cat >"$dir/master.conf" <<EOF
listen = $(ip_of "$node"):$MASTER_PORT
data-dir = $dir/data
id = $i
peers = 1=$(ip_of m1):$MASTER_PORT,2=$(ip_of m2):$MASTER_PORT,3=$(ip_of m3):$MASTER_PORT
default-goal = $DEFAULT_GOAL
chunkserver-timeout-ms = 3000
admin-port = $MASTER_ADMIN_PORT
EOF
  done
  for ((i = 1; i <= CHUNK_SERVERS; i++)); do
    node=cs$i
    dir=$RUN_DIR/$node
    mkdir -p "$dir/data"
    cat >"$dir/chunkserver.conf" <<EOF
listen = $(ip_of "$node"):$CHUNK_PORT
masters = $(masters_list)
data-dir = $dir/data
rack = rack$i
heartbeat-ms = 500
admin-port = $CHUNK_ADMIN_PORT
EOF
  done
  mkdir -p "$RUN_DIR/client" "$RUN_DIR/mnt"
  cat >"$RUN_DIR/client/mount.conf" <<EOF
masters = $(masters_list)
mountpoint = $RUN_DIR/mnt
foreground = true
EOF
  printf 'masters = %s\n' "$(masters_list)" >"$RUN_DIR/client/tessera.conf"
}

# start_node NODE: its daemon in its namespace, PID to NODE/pid.
start_node() {
  local node=$1 program config
  program=$(program_of "$node")
  case $node in m*) config=master.conf ;; cs*) config=chunkserver.conf ;; client) config=mount.conf ;; esac
  if [ "$node" = client ]; then
    nsenter --net="/run/netns/$(ns_of "$node")" -- setsid "$EXEC_CONFIG" "$BIN/$program" \
      "$RUN_DIR/$node/$config" </dev/null >>"$RUN_DIR/$node/log" 2>&1 &
  else
    ip netns exec "$(ns_of "$node")" setsid "$EXEC_CONFIG" "$BIN/$program" \
      "$RUN_DIR/$node/$config" </dev/null >>"$RUN_DIR/$node/log" 2>&1 &
  fi
  echo $! >"$(pid_file "$node")"
}

# `tessera ARGS` from the client namespace, with the masters from the client's config file.
cli() {
  ip netns exec "$(ns_of client)" "$BIN/tessera" --config "$RUN_DIR/client/tessera.conf" "$@"
}

alive_chunk_servers() {
  cli status --json 2>/dev/null | grep -o '"alive":true' | wc -l
}

wait_for() {  # WHAT COMMAND...: until COMMAND succeeds, or die after READY_TIMEOUT_S
  local what=$1 deadline=$((SECONDS + READY_TIMEOUT_S))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || die "waited ${READY_TIMEOUT_S}s for $what (logs in $RUN_DIR/*/log; clean up with: $0 stop)"
    sleep 0.2
  done
}

all_alive() { [ "$(alive_chunk_servers)" = "$CHUNK_SERVERS" ]; }
mounted() {
  # kill -0, not pid_runs_binary: right after the start the process may still be nsenter or
  # tessera-exec-config on its way to exec tessera-mount.
  kill -0 "$(node_pid client)" 2>/dev/null || die "tessera-mount exited (clean up with: $0 stop): $(tail -n 5 "$RUN_DIR/client/log")"
  is_mounted "$RUN_DIR/mnt"
}

cmd_start() {
  require_tools
  require_binaries
  if load_state; then
    die "a cluster is recorded in $RUN_DIR/state.env (prefix $PREFIX): stop it first"
  fi
  check_settings
  save_state
  log "creating namespaces $PREFIX-* on $SUBNET.0/24"
  create_network
  write_configs
  local node i
  for node in m1 m2 m3; do start_node "$node"; done
  for ((i = 1; i <= CHUNK_SERVERS; i++)); do start_node "cs$i"; done
  wait_for "$CHUNK_SERVERS alive chunk servers" all_alive
  start_node client
  wait_for "the mount at $RUN_DIR/mnt" mounted
  log "cluster up: masters $(masters_list), $CHUNK_SERVERS chunk servers, mounted at $RUN_DIR/mnt"
  cmd_env
}

cmd_stop() {
  require_tools
  load_state || { log "no cluster recorded in $RUN_DIR"; return 0; }
  local node ns
  unmount_fuse "$RUN_DIR/mnt"
  for node in $(nodes | tac); do
    stop_pid "$(node_pid "$node")" "$(program_of "$node")" 15
    rm -f "$(pid_file "$node")"
  done
  for node in $(nodes) sw; do
    ns=$(ns_of "$node")
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      ip netns delete "$ns" || die "cannot delete namespace $ns"
    fi
  done
  rm -f "$RUN_DIR/state.env"
  log "stopped; logs and data are kept in $RUN_DIR"
}

cmd_status() {
  load_state || die "no cluster recorded in $RUN_DIR"
  local node pid state cuts rc=0
  printf '%-8s %-16s %-22s %-8s %s\n' NODE NAMESPACE ADDRESS PID STATE
  for node in $(nodes); do
    pid=$(node_pid "$node")
    if pid_runs_binary "$pid" "$(program_of "$node")"; then state=running; else state=DOWN; rc=1; fi
    if ! ip -n "$(ns_of "$node")" -o link show eth0 2>/dev/null | grep -q '[<,]UP[,>]'; then
      state="$state, partitioned"
    fi
    cuts=$(cut_peers "$node")
    [ -z "$cuts" ] || state="$state, cut from ${cuts// /,}"
    printf '%-8s %-16s %-22s %-8s %s\n' "$node" "$(ns_of "$node")" "$(ip_of "$node")" "${pid:--}" "$state"
  done
  cli status --check || rc=1
  return $rc
}

# Shell assignments describing the cluster, for tests and scripts.
cmd_env() {
  load_state || die "no cluster recorded in $RUN_DIR"
  local node
  printf 'NETNS_MASTERS=%q\n' "$(masters_list)"
  printf 'NETNS_MOUNT=%q\n' "$RUN_DIR/mnt"
  printf 'NETNS_CLI_CONFIG=%q\n' "$RUN_DIR/client/tessera.conf"
  printf 'NETNS_CLIENT_NS=%q\n' "$(ns_of client)"
  for node in $(nodes); do
    printf 'NETNS_ADDR_%s=%q\nNETNS_NS_%s=%q\n' "$node" "$(ip_of "$node")" "$node" "$(ns_of "$node")"
  done
  printf 'NETNS_CHUNK_SERVERS=%q\n' "$CHUNK_SERVERS"
}

cmd_link() {  # up|down NODE
  local updown=$1 node=${2:-}
  [ $# = 2 ] || usage
  load_state || die "no cluster recorded in $RUN_DIR"
  check_node "$node"
  ip -n "$(ns_of "$node")" link set eth0 "$updown"
  log "$node ($(ip_of "$node")): link $updown"
}

# The nodes NODE is cut from: their addresses have NODE's permanent $CUT_MAC neighbour entry.
cut_peers() {
  local addr peer
  for addr in $(ip -n "$(ns_of "$1")" neigh show dev eth0 nud permanent 2>/dev/null \
    | awk -v mac="$CUT_MAC" '$3 == mac { print $1 }'); do
    for peer in $(nodes); do
      if [ "$(ip_of "$peer")" = "$addr" ]; then echo -n "$peer "; fi
    done
  done | sed 's/ $//'
}

cmd_cut() {  # cut|uncut A B
  local action=$1 a=${2:-} b=${3:-}
  [ $# = 3 ] || usage
  load_state || die "no cluster recorded in $RUN_DIR"
  check_node "$a"
  check_node "$b"
  [ "$a" != "$b" ] || usage_error "$action: a node cannot be cut from itself ($a)"
  local from to
  for from in "$a" "$b"; do
    to=$([ "$from" = "$a" ] && echo "$b" || echo "$a")
    if [ "$action" = cut ]; then
      ip -n "$(ns_of "$from")" neigh replace "$(ip_of "$to")" lladdr "$CUT_MAC" nud permanent dev eth0
    else
      # Deleting the entry lets ARP find the real address again; no entry is no error.
      ip -n "$(ns_of "$from")" neigh del "$(ip_of "$to")" dev eth0 2>/dev/null || true
    fi
  done
  log "$a ($(ip_of "$a")) and $b ($(ip_of "$b")): ${action}"
}

cmd_kill() {  # NODE
  [ $# = 1 ] || usage
  local node=$1 pid program waited=0
  load_state || die "no cluster recorded in $RUN_DIR"
  check_node "$node"
  pid=$(node_pid "$node")
  program=$(program_of "$node")
  pid_runs_binary "$pid" "$program" || die "$node is not running ($program, pid ${pid:-none})"
  kill -KILL "$pid"
  while pid_runs_binary "$pid" "$program"; do
    [ $waited -lt 100 ] || die "$node ($program, pid $pid) outlived SIGKILL for 10s"
    sleep 0.1
    waited=$((waited + 1))
  done
  log "$node: killed $program (pid $pid)"
}

cmd_restart() {  # NODE
  [ $# = 1 ] || usage
  local node=$1 program
  load_state || die "no cluster recorded in $RUN_DIR"
  check_node "$node"
  require_binaries
  program=$(program_of "$node")
  if pid_runs_binary "$(node_pid "$node")" "$program"; then
    die "$node is running ($program, pid $(node_pid "$node")): kill it first"
  fi
  # A killed mount leaves its mount point dead ("transport endpoint is not connected").
  [ "$node" != client ] || unmount_fuse "$RUN_DIR/mnt"
  start_node "$node"
  if [ "$node" = client ]; then
    wait_for "the mount at $RUN_DIR/mnt" mounted
  else
    wait_for "$node's $program to start" node_runs "$node"
  fi
  log "$node: $program restarted (pid $(node_pid "$node"))"
}
node_runs() { pid_runs_binary "$(node_pid "$1")" "$(program_of "$1")"; }

# The node name of the master that leads, as `tessera status` from the client reports it.
cmd_leader() {
  [ $# = 0 ] || usage
  load_state || die "no cluster recorded in $RUN_DIR"
  local json address node
  json=$(cli status --json 2>/dev/null) || die "tessera status failed: no master answers as leader"
  address=$(grep -o '"address":"[^"]*","role":"leader"' <<<"$json" | head -n1 | cut -d'"' -f4)
  [ -n "$address" ] || die "no master is leader in: $json"
  for node in m1 m2 m3; do
    if [ "$(ip_of "$node"):$MASTER_PORT" = "$address" ]; then echo "$node"; return 0; fi
  done
  die "the leader $address is none of m1..m3"
}

cmd_admin() {  # NODE [PATH]
  [ $# = 1 ] || [ $# = 2 ] || usage
  local node=$1 path=${2:-/status} port
  load_state || die "no cluster recorded in $RUN_DIR"
  check_node "$node"
  case $node in m*) port=$MASTER_ADMIN_PORT ;; cs*) port=$CHUNK_ADMIN_PORT ;;
    *) usage_error "admin: $node has no admin port (masters and chunk servers do)" ;; esac
  [[ "$path" =~ ^/[A-Za-z0-9/_.-]*$ ]] || usage_error "admin: bad path '$path' (e.g. /status)"
  command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
  ip netns exec "$(ns_of "$node")" curl -sS --fail --max-time 5 "http://$(ip_of "$node"):$port$path"
}

main() {
  [ $# -ge 1 ] || usage
  check_settings
  local command=$1
  shift
  case $command in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    exec)
      [ $# -ge 2 ] || usage
      load_state || die "no cluster recorded in $RUN_DIR"
      local node=$1
      shift
      check_node "$node"
      exec ip netns exec "$(ns_of "$node")" "$@"
      ;;
    cli) load_state || die "no cluster recorded in $RUN_DIR"; cli "$@" ;;
    partition) require_tools; cmd_link down "$@" ;;
    heal) require_tools; cmd_link up "$@" ;;
    cut | uncut) require_tools; cmd_cut "$command" "$@" ;;
    kill) cmd_kill "$@" ;;
    restart) require_tools; cmd_restart "$@" ;;
    leader) cmd_leader "$@" ;;
    admin) require_tools; cmd_admin "$@" ;;
    -h | --help | help) usage ;;
    *) echo "netns-cluster.sh: unknown command '$command'" >&2; usage ;;
  esac
}

main "$@"
