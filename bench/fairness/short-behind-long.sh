#!/usr/bin/env bash
# The wait of a short job behind a long one, whole programs over loopback: a master node and a worker node (2 workers),
# a long `farm map sleep` of 100 tasks of 200 ms with default chunking (8 chunks of 13 for 2 workers), and, once it
# runs, a short `farm map sleep --range 0:4` (4 tasks of 0-3 ms), timed as a whole program. Prints one line per run:
# the short job's wall time and how many of the long job's chunks were done when it ended.
#
#   bench/fairness/short-behind-long.sh [FARM_DLL] [RUNS]     (FARM_DLL: default the Release build of src/Farm.Node)
set -euo pipefail
# A cluster on loopback for the length of a run: plain TCP by explicit choice (farm node refuses it otherwise).
export FARM_PLAIN_TCP=1
farm_dll=${1:-src/Farm.Node/bin/Release/net10.0/farm.dll}
runs=${2:-3}
# exec: a background `farm ... &` is then the dotnet process itself, so the cleanup's kill reaches it.
farm() { exec dotnet "$farm_dll" "$@"; }
run() { (farm "$@"); }
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
contact="akka.tcp://farm@127.0.0.1:$port"
farm node --roles master --hostname 127.0.0.1 --port "$port" >"$work/master.out" 2>"$work/master.err" &
until grep -q "ready" "$work/master.out" 2>/dev/null; do sleep 0.2; done
farm node --roles worker --hostname 127.0.0.1 --port 0 --seed-nodes "$contact" --workers 2 >"$work/worker.out" 2>"$work/worker.err" &
until run status --contact "$contact" --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if len(json.load(sys.stdin)["workers"]) == 2 else 1)'; do sleep 0.5; done

# The short job alone first: what the whole program costs with nothing in its way (start-up, contact, job).
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  run map sleep --range 0:4 --contact "$contact" --workers 2 >"$work/short.out" 2>"$work/short.err"
  end=$(date +%s.%N)
  printf 'alone %d: short job %.2f s\n' "$i" "$(echo "$end - $start" | bc)"
done

for i in $(seq 1 "$runs"); do
  for _ in $(seq 100); do echo 200; done >"$work/long.jsonl"
  farm map sleep --input "$work/long.jsonl" --contact "$contact" --workers 2 >"$work/long.out" 2>"$work/long.err" &
  long=$!
  until run status --contact "$contact" --json 2>/dev/null \
      | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if any(j["state"]=="running" and j["inFlight"]>0 for j in s["jobs"]) else 1)'; do
    sleep 0.2
  done
  start=$(date +%s.%N)
  run map sleep --range 0:4 --contact "$contact" --workers 2 >"$work/short.out" 2>"$work/short.err"
  end=$(date +%s.%N)
  done_chunks=$(run status --contact "$contact" --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(sum(j["done"] for j in s["jobs"] if j["state"]=="running"))')
  printf 'run %d: short job %.2f s; long job chunks done when it ended: %s\n' "$i" "$(echo "$end - $start" | bc)" "$done_chunks"
  wait "$long"
  [ "$(wc -l <"$work/long.out")" = 100 ] || { echo "long job printed $(wc -l <"$work/long.out") results" >&2; exit 1; }
done
