#!/usr/bin/env bash
# A farm cluster as local processes, for machines without Docker: 1 master on 127.0.0.1:4053 and N workers
# (default 2) on free ports, in the background, with their logs in a temporary folder.
#
#   scripts/local-cluster.sh [start] [N]   # build once, start, wait for every node's ready line
#   scripts/local-cluster.sh status        # the nodes and their logs
#   scripts/local-cluster.sh stop          # SIGTERM to every node (they leave the cluster), wait for them
#
# MASTER_PORT changes the master's port (default 4053).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

MASTER_PORT=${MASTER_PORT:-4053}
MASTER=akka.tcp://farm@127.0.0.1:$MASTER_PORT
BIN=$ROOT/artifacts/local-cluster/farm
STATE=${TMPDIR:-/tmp}/actorfarm-local-cluster   # pid files and logs

log() { echo "local-cluster: $*" >&2; }

alive_pids() {
  local f pid
  for f in "$STATE"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(<"$f")
    kill -0 "$pid" 2>/dev/null && echo "$pid"
  done
  return 0
}

stop() {
  local pids
  pids=$(alive_pids)
  if [[ -z $pids ]]; then
    log "no node is running"
    rm -f "$STATE"/*.pid
    return 0
  fi
  # Workers first, then the master: each leaves the cluster gracefully on SIGTERM.
  for f in "$STATE"/worker-*.pid "$STATE"/master.pid; do
    [[ -f $f ]] && kill -TERM "$(<"$f")" 2>/dev/null || true
  done
  for _ in $(seq 1 60); do
    [[ -z $(alive_pids) ]] && break
    sleep 0.5
  done
  if [[ -n $(alive_pids) ]]; then
    log "still running after 30 s, killing: $(alive_pids | tr '\n' ' ')"
    alive_pids | xargs -r kill -KILL 2>/dev/null || true
  fi
  rm -f "$STATE"/*.pid
  log "stopped (logs kept in $STATE)"
}

status() {
  local f pid
  for f in "$STATE"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(<"$f")
    name=$(basename "$f" .pid)
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name pid $pid: $(head -n1 "$STATE/$name.out" 2>/dev/null)"
    else
      echo "$name pid $pid: exited"
    fi
  done
  echo "logs: $STATE"
}

# Starts one node; its stdout (the ready line) and stderr (membership, warnings) go to NAME.out / NAME.err.
start_node() {
  local name=$1
  shift
  setsid "$BIN/farm" node --plain-tcp "$@" </dev/null >"$STATE/$name.out" 2>"$STATE/$name.err" &
  echo $! >"$STATE/$name.pid"
}

# Waits until NAME printed its ready line; prints its address.
wait_ready() {
  local name=$1 pid
  pid=$(<"$STATE/$name.pid")
  for _ in $(seq 1 120); do
    if grep -q ' ready ' "$STATE/$name.out" 2>/dev/null; then
      grep -o 'akka\.tcp://[^ ]*' "$STATE/$name.out" | head -n1
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before it was ready (log: $STATE/$name.err):"
      grep -E '^[^ \t]' "$STATE/$name.err" | grep -vE '^(---|Cause:)' | head -n 5 >&2
      return 1
    fi
    sleep 0.5
  done
  log "$name not ready within 60 s (log: $STATE/$name.err)"
  return 1
}

start() {
  local workers=${1:-2}
  [[ $workers =~ ^[0-9]+$ ]] || { log "the number of workers must be a number, not '$workers'"; exit 2; }
  if [[ -n $(alive_pids) ]]; then
    log "a cluster is already running (scripts/local-cluster.sh stop first):"
    status >&2
    exit 1
  fi
  log "building the farm (dotnet publish src/Farm.Node -> artifacts/local-cluster/farm)"
  dotnet publish src/Farm.Node -c Release -o "$BIN" -nologo -v quiet >&2

  rm -rf "$STATE"
  mkdir -p "$STATE"
  start_node master --roles master --hostname 127.0.0.1 --port "$MASTER_PORT" --journal "Data Source=$STATE/farm-journal.db"
  if ! address=$(wait_ready master); then stop; exit 1; fi
  log "master ready at $address"
  for i in $(seq 1 "$workers"); do
    start_node "worker-$i" --roles worker --hostname 127.0.0.1 --port 0 --seed-nodes "$MASTER"
  done
  for i in $(seq 1 "$workers"); do
    if ! address=$(wait_ready "worker-$i"); then stop; exit 1; fi
    log "worker-$i ready at $address"
  done
  cat <<EOF
A farm cluster runs: 1 master at $MASTER and $workers workers (logs: $STATE).
Run a job on it:
  $BIN/farm map sqrt --range 0:100 --contact $MASTER
  (or: dotnet run --project src/Farm.Node -- map sqrt --range 0:100 --contact $MASTER)
Stop it:
  scripts/local-cluster.sh stop
EOF
}

case ${1:-start} in
  start) shift || true; start "$@" ;;
  stop) stop ;;
  status) status ;;
  [0-9]*) start "$1" ;;
  *) echo "usage: $0 [start [N] | N | status | stop]" >&2; exit 2 ;;
esac
