#!/usr/bin/env bash
# The soak: for MINUTES (default 10) two streams of `farm map` jobs run on a real cluster of `farm node` processes
# while the cluster is hurt on a cycle: a worker node killed with kill -9 (and started again), the master failed over
# to the standby (kill -9 of the node hosting it, started again as the new standby), a worker node in a network
# namespace of its own partitioned with iptables for PARTITION_SECONDS (default 5, under the split-brain resolver's
# stable-after of 10 s) and healed, and a new worker node added. At the end every job must have completed with every
# result exactly once and correct, no node may have downed itself, and every node not killed on purpose must still run.
#
#   sudo bench/soak/soak.sh [MINUTES] [FARM_DLL]      (FARM_DLL: default the Release build of src/Farm.Node)
# Figures of a run: bench/README.md, "The soak".
#
# Needs root, iproute2 and iptables (as the partition tests do). Prints the figures at the end; exit 1 on any failure.
# Topology, every node but one on the host side of a veth pair (10.78.N.1), one worker node inside the namespace (.2):
#   masters A and B (--roles master, one SQLite journal file), worker nodes W1 and W2 (host side), W3 (namespace),
#   and the nodes added on the way. Jobs go through `farm map --contact A,B` (a cluster client that fails over too).
set -euo pipefail
# A cluster on loopback for the length of a run: plain TCP by explicit choice (farm node refuses it otherwise).
export FARM_PLAIN_TCP=1
minutes=${1:-10}
farm_dll=$(realpath "${2:-src/Farm.Node/bin/Release/net10.0/farm.dll}")
partition_seconds=${PARTITION_SECONDS:-5}
[ "$(id -u)" = 0 ] || { echo "soak: needs root (network namespaces and iptables)" >&2; exit 2; }
for tool in ip iptables python3; do command -v "$tool" >/dev/null || { echo "soak: $tool is not on PATH" >&2; exit 2; }; done
[ -f "$farm_dll" ] || { echo "soak: $farm_dll not found (dotnet build -c Release src/Farm.Node)" >&2; exit 2; }

work=$(mktemp -d /tmp/farm-soak.XXXXXX)
tag=$((RANDOM % 200 + 20))
ns="farmsoak$tag"; hveth="fsh$tag"; nveth="fsn$tag"
host_ip="10.78.$tag.1"; inner_ip="10.78.$tag.2"
declare -A pid_of=()      # node name -> pid of its current process
declare -A killed=()      # pids killed on purpose
stop_file="$work/stop"
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$work/events.log" >&2; }

cleanup() {
  touch "$stop_file"
  for pid in "${pid_of[@]}" $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip link del "$hveth" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  echo "soak: logs kept in $work" >&2
}
trap cleanup EXIT

ip netns add "$ns"
ip link add "$hveth" type veth peer name "$nveth"
ip link set "$nveth" netns "$ns"
ip addr add "$host_ip/24" dev "$hveth"; ip link set "$hveth" up
ip netns exec "$ns" ip addr add "$inner_ip/24" dev "$nveth"
ip netns exec "$ns" ip link set "$nveth" up
ip netns exec "$ns" ip link set lo up

port_a=$((20000 + RANDOM % 10000)); port_b=$((port_a + 1))
addr_a="akka.tcp://farm@$host_ip:$port_a"; addr_b="akka.tcp://farm@$host_ip:$port_b"
contact="$addr_a,$addr_b"
journal="Data Source=$work/journal.db"

# start NAME [netns] -- farm node arguments: the node runs in the background, its output in $work/NAME.N.{out,err}.
start() {
  local name=$1; shift
  local prefix=()
  if [ "$1" = "--in-ns" ]; then prefix=(ip netns exec "$ns"); shift; fi
  local n=0; while [ -e "$work/$name.$n.out" ]; do n=$((n + 1)); done
  "${prefix[@]}" dotnet "$farm_dll" node "$@" >"$work/$name.$n.out" 2>"$work/$name.$n.err" &
  pid_of[$name]=$!
  local waited=0
  until grep -q "farm node ready" "$work/$name.$n.out" 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    if [ $waited -gt 300 ] || ! kill -0 "${pid_of[$name]}" 2>/dev/null; then
      log "FAIL: node $name did not get ready"; cat "$work/$name.$n.err" >&2; exit 1
    fi
  done
  log "node $name up (pid ${pid_of[$name]}): $(head -1 "$work/$name.$n.out")"
}
farm() { dotnet "$farm_dll" "$@"; }
status_json() { farm status --contact "$contact" --json 2>/dev/null; }
# until_cluster N_MEMBERS N_WORKERS: every member Up and reachable, and that many workers registered with the master.
until_cluster() {
  local members=$1 workers=$2 deadline=$((SECONDS + 120))
  until status_json | python3 -c "
import json,sys
s=json.load(sys.stdin)
ok = len(s['members'])==$members and all(m['status']=='Up' and m['reachable'] for m in s['members']) and len(s['workers'])==$workers
sys.exit(0 if ok else 1)" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { log "FAIL: the cluster did not settle at $members members, $workers workers"; status_json >&2 || true; exit 1; }
    sleep 1
  done
}

start A --roles master --hostname "$host_ip" --port "$port_a" --journal "$journal"
start B --roles master --hostname "$host_ip" --port "$port_b" --seed-nodes "$addr_a" --journal "$journal"
start W1 --roles worker --hostname "$host_ip" --port 0 --seed-nodes "$contact" --workers 1
start W2 --roles worker --hostname "$host_ip" --port 0 --seed-nodes "$contact" --workers 1
start W3 --in-ns --roles worker --hostname "$inner_ip" --port 0 --seed-nodes "$contact" --workers 1
members=5; workers=3
until_cluster $members $workers

# The expected results, computed once by an embedded farm: a stream of sleep jobs (sleep returns its input) and of
# isprime jobs over a range.
python3 -c "
import random
random.seed(7)
print('\n'.join(str(random.randint(5, 40)) for _ in range(120)))" >"$work/sleep.jsonl"
cp "$work/sleep.jsonl" "$work/sleep.expected"
farm map isprime --range 0:30000 >"$work/isprime.expected"

# stream NAME FUNCTION ARGS...: jobs one after the other until told to stop; one line per job in $work/NAME.jobs.
stream() {
  local name=$1 expected=$2; shift 2
  local n=0
  while [ ! -e "$stop_file" ]; do
    n=$((n + 1))
    local started=$SECONDS
    if farm map "$@" --contact "$contact" --no-progress >"$work/$name.result" 2>"$work/$name.$n.err"; then
      if cmp -s "$work/$name.result" "$expected"; then
        echo "ok $n $(wc -l <"$work/$name.result") $((SECONDS - started))" >>"$work/$name.jobs"
        rm -f "$work/$name.$n.err"
      else
        echo "WRONG $n $(wc -l <"$work/$name.result")" >>"$work/$name.jobs"
        cp "$work/$name.result" "$work/$name.$n.wrong"
      fi
    else
      echo "FAILED $n exit-$?" >>"$work/$name.jobs"
    fi
  done
}
stream sleeps "$work/sleep.expected" sleep --input "$work/sleep.jsonl" --chunk-size 4 &
stream primes "$work/isprime.expected" isprime --range 0:30000 --chunk-size 500 &

kills=0; failovers=0; partitions=0; added=0
oldest=A; standby=B; extra=0
end=$((SECONDS + minutes * 60))
step=0
while [ $SECONDS -lt $end ]; do
  case $((step % 4)) in
    0) # kill -9 a worker node mid-job; start it again (a new incarnation, as a supervisor would)
      victim=W$((1 + (step / 4) % 2))
      log "kill -9 worker node $victim (pid ${pid_of[$victim]})"
      killed[${pid_of[$victim]}]=1; kill -9 "${pid_of[$victim]}"; kills=$((kills + 1))
      # the survivors down the dead node after stable-after; then it is started again
      until_cluster $((members - 1)) $((workers - 1))
      start "$victim" --roles worker --hostname "$host_ip" --port 0 --seed-nodes "$contact" --workers 1
      until_cluster $members $workers
      ;;
    1) # fail the master over: kill -9 the node hosting it (the oldest master); the standby takes over
      log "kill -9 master node $oldest (pid ${pid_of[$oldest]}), the oldest: the master moves to $standby"
      killed[${pid_of[$oldest]}]=1; kill -9 "${pid_of[$oldest]}"; failovers=$((failovers + 1))
      until_cluster $((members - 1)) $workers
      if [ "$oldest" = A ]; then port=$port_a; seed=$addr_b; else port=$port_b; seed=$addr_a; fi
      start "$oldest" --roles master --hostname "$host_ip" --port "$port" --seed-nodes "$seed" --journal "$journal"
      until_cluster $members $workers
      tmp=$oldest; oldest=$standby; standby=$tmp
      ;;
    2) # partition the worker node in the namespace, shorter than stable-after, then heal
      log "partition worker node W3 for ${partition_seconds} s"
      ip netns exec "$ns" iptables -w -I INPUT -i "$nveth" -j DROP
      ip netns exec "$ns" iptables -w -I OUTPUT -o "$nveth" -j DROP
      partitions=$((partitions + 1))
      sleep "$partition_seconds"
      ip netns exec "$ns" iptables -w -D INPUT -i "$nveth" -j DROP
      ip netns exec "$ns" iptables -w -D OUTPUT -o "$nveth" -j DROP
      log "healed"
      until_cluster $members $workers
      ;;
    3) # add a worker node (at most three extra: two cores)
      if [ $extra -lt 3 ]; then
        extra=$((extra + 1)); added=$((added + 1))
        start "X$extra" --roles worker --hostname "$host_ip" --port 0 --seed-nodes "$contact" --workers 1
        members=$((members + 1)); workers=$((workers + 1))
        until_cluster $members $workers
      fi
      ;;
  esac
  step=$((step + 1))
  sleep 5
done

log "time is up: the job streams finish the job they run"
touch "$stop_file"
wait_for_streams() { for pid in $(jobs -p); do case " ${pid_of[*]} " in *" $pid "*) ;; *) wait "$pid" || true;; esac; done; }
wait_for_streams

failed=0
jobs_ok=0; results=0
for name in sleeps primes; do
  while read -r state n lines _; do
    if [ "$state" = ok ]; then jobs_ok=$((jobs_ok + 1)); results=$((results + lines)); else failed=1; log "FAIL: $name job $n: $state $lines"; fi
  done <"$work/$name.jobs"
done
downed=$(grep -l "stopped by itself" "$work"/*.err 2>/dev/null || true)
[ -z "$downed" ] || { failed=1; log "FAIL: nodes downed themselves: $downed"; }
for name in "${!pid_of[@]}"; do
  pid=${pid_of[$name]}
  kill -0 "$pid" 2>/dev/null || { failed=1; log "FAIL: node $name (pid $pid) is not running"; }
done
final=$(status_json | python3 -c "import json,sys; s=json.load(sys.stdin); print(len(s['members']), 'members,', len(s['workers']), 'workers, duplicates dropped by the master:', s['duplicateResultsDropped'])")

echo
echo "soak: $minutes min, $(wc -l <"$work/sleeps.jobs") sleep jobs (120 items) + $(wc -l <"$work/primes.jobs") isprime jobs (30,000 items)"
echo "soak: $jobs_ok jobs completed with every result once and correct ($results results checked)"
echo "soak: $kills worker nodes killed (kill -9), $failovers master failovers (kill -9), $partitions partitions of ${partition_seconds} s, $added nodes added"
echo "soak: at the end: $final"
echo "soak: longest sleep job $(sort -k4 -n "$work/sleeps.jobs" | tail -1 | cut -d' ' -f4) s, longest isprime job $(sort -k4 -n "$work/primes.jobs" | tail -1 | cut -d' ' -f4) s"
[ $failed = 0 ] && echo "soak: PASS" || { echo "soak: FAIL (see above; logs in $work)"; exit 1; }
