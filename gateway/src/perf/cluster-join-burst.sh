#!/usr/bin/env bash
# Join bursts through a 3-node cluster on this machine, with redirects (issue 14), beside one node alone.
# Each run: ROOMS rooms, each with 1 publisher (WHIP to the first node; the cluster homes each new room on its
# least-loaded node, so most publishers follow a 307) and a burst of BURST viewers per room dealt over the three
# nodes (served where they land; nodes that are not the home pull the room through a node pipe).
# Reports the tool's join_burst_ms, setup p50/p99, redirects_followed and sessions_per_target.
# With DRAIN=1, the first node is drained (POST /admin/drain) before the run: every publisher and the third of
# the viewers dealt to it follow a 307 to the others (WHIP to a new room's least-loaded home, WHEP away from a node
# that takes no new session), the redirects the issue asks to be timed.
# Usage: [DRAIN=1] gateway/src/perf/cluster-join-burst.sh [ROOMS] [BURST] [RUNS]   (after `mvn -DskipTests package`)
# Ports 18281-18283 (HTTP), 18701-18703 (cluster) must be free.
set -euo pipefail
rooms=${1:-10}
burst=${2:-50}
runs=${3:-2}
here=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp -d)
echo "logs in $out" >&2
members=127.0.0.1:18701,127.0.0.1:18702,127.0.0.1:18703
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; for p in "${pids[@]}"; do while kill -0 "$p" 2> /dev/null; do sleep 0.2; done; done; pids=(); }
trap stop EXIT
start() { # NAME HTTP_PORT [cluster flags...]
  local name=$1 port=$2; shift 2
  (cd "$here" && exec ./junction serve --media-loops 1 --http-port "$port" --media-port 0 "$@" > "$out/serve-$name-${run:-0}.log" 2>&1) &
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
  local pid; pid=$(pgrep -f "junction.jar.*--http-port $port" | head -n1 || true)
  if [ -z "$pid" ]; then echo "node $name did not start:"; tail -n5 "$out/serve-$name-${run:-0}.log"; exit 1; fi
  pids+=("$pid")
}
report() {
  python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
print('join_burst_ms', d.get('join_burst_ms'), 'setup_ms p50/p99', d.get('setup_ms_p50'), d.get('setup_ms_p99'),
      'redirects_followed', d.get('redirects_followed'), 'sessions_per_target', d.get('sessions_per_target'), 'loss_pct', d.get('loss_pct'))" "$1" 2>&1 | tail -n1
}
for run in $(seq 1 "$runs"); do
  for n in 1 2 3; do
    start "n$n" "1828$n" --cluster --node-name "n$n" --cluster-host 127.0.0.1 --cluster-port "1870$n" \
        --cluster-members "$members" --cluster-secret cluster-join-burst-secret --admin-token join-burst-admin
  done
  if [ "${DRAIN:-0}" = 1 ]; then
    curl -sf -X POST -H 'Authorization: Bearer join-burst-admin' http://127.0.0.1:18281/admin/drain > /dev/null
    sleep 2 # the drained node's record reaches the others at their next directory tick (1 s)
  fi
  (cd "$here" && ./junction loadtest --target http://127.0.0.1:18281,http://127.0.0.1:18282,http://127.0.0.1:18283 \
      --rooms "$rooms" --publishers 1 --subscribers 0 --join-burst "$burst" --video-kbps 300 --warmup 2 --seconds 2 \
      > "$out/cluster-$run.json" 2> "$out/cluster-$run.err") || { echo "cluster run failed:"; tail -n5 "$out/cluster-$run.err"; }
  echo "cluster of 3$([ "${DRAIN:-0}" = 1 ] && echo ', first drained'), run $run: $(report "$out/cluster-$run.json")"
  stop
  start single 18281
  (cd "$here" && ./junction loadtest --target http://127.0.0.1:18281 \
      --rooms "$rooms" --publishers 1 --subscribers 0 --join-burst "$burst" --video-kbps 300 --warmup 2 --seconds 2 \
      > "$out/single.json" 2> "$out/single.err") || { echo "single run failed:"; tail -n5 "$out/single.err"; }
  echo "single node,  run $run: $(report "$out/single.json")"
  stop
done
