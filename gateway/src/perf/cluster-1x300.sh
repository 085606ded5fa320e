#!/usr/bin/env bash
# One publisher and 300 subscribers over a 3-node cluster on this machine (issue 14), beside one node alone.
# The tool deals the subscribers over the three nodes (100 each); the publisher's room is homed on one node and
# the other two pull it through node pipes. Over WINDOW seconds inside the tool's measuring window, each node's
# CPU (/proc/PID/stat) and packets (/metrics: datagrams out to subscribers, pipe packets in and out) give its
# CPU µs per packet out; then a single node serves 1 x 100 with the same flags for the reference
# (the tool's own server_cpu_us_per_packet_out).
# Usage: gateway/src/perf/cluster-1x300.sh [RUNS] [WINDOW]   (after `mvn -DskipTests package`)
# Ports 18291-18293 (HTTP), 18711-18713 (cluster) must be free.
set -euo pipefail
runs=${1:-1}
window=${2:-10}
here=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp -d)
echo "logs in $out" >&2
members=127.0.0.1:18711,127.0.0.1:18712,127.0.0.1:18713
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done; for p in "${pids[@]}"; do while kill -0 "$p" 2> /dev/null; do sleep 0.2; done; done; pids=(); }
trap stop EXIT
start() { # NAME HTTP_PORT [flags...]
  local name=$1 port=$2; shift 2
  (cd "$here" && exec ./junction serve --media-loops 1 --http-port "$port" --media-port 0 "$@" > "$out/serve-$name-$run.log" 2>&1) &
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
  local pid; pid=$(pgrep -f "junction.jar.*--http-port $port" | head -n1 || true)
  if [ -z "$pid" ]; then echo "node $name did not start:"; tail -n5 "$out/serve-$name-$run.log"; exit 1; fi
  pids+=("$pid")
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# datagrams out to subscribers, pipe packets out, pipe packets in
counters() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '
    /^junction_media_datagrams_out_total/ {o+=$NF}
    /^junction_cluster_pipe_packets_total\{direction="out"/ {po+=$NF}
    /^junction_cluster_pipe_packets_total\{direction="in"/ {pi+=$NF}
    END {printf "%d %d %d", o, po, pi}'
}
hz=$(getconf CLK_TCK)
for run in $(seq 1 "$runs"); do
  for n in 1 2 3; do
    start "n$n" "1829$n" --cluster --node-name "n$n" --cluster-host 127.0.0.1 --cluster-port "1871$n" \
        --cluster-members "$members" --cluster-secret cluster-1x300-perf-secret
  done
  (cd "$here" && ./junction loadtest --target http://127.0.0.1:18291,http://127.0.0.1:18292,http://127.0.0.1:18293 \
      --publishers 1 --subscribers 300 --video-kbps 300 --warmup 8 --seconds $((window + 12)) \
      > "$out/cluster-$run.json" 2> "$out/cluster-$run.err") &
  tool=$!
  # The window starts once every subscriber is connected and the tool's warm-up is over.
  until grep -q "connected 301/301" "$out/cluster-$run.err" 2> /dev/null; do
    kill -0 "$tool" 2> /dev/null || { echo "the tool ended early:"; tail -n5 "$out/cluster-$run.err"; exit 1; }
    sleep 0.5
  done
  sleep 9
  declare -A t0 c0
  for i in 0 1 2; do t0[$i]=$(ticks "${pids[$i]}"); c0[$i]=$(counters "1829$((i + 1))"); done
  sleep "$window"
  for i in 0 1 2; do
    t1=$(ticks "${pids[$i]}"); c1=$(counters "1829$((i + 1))")
    python3 -c "
import sys
hz, w = int(sys.argv[1]), float(sys.argv[2])
t0, t1 = int(sys.argv[3]), int(sys.argv[4])
a = [int(x) for x in sys.argv[5].split()]; b = [int(x) for x in sys.argv[6].split()]
out, pout, pin = (b[k] - a[k] for k in range(3))
cpu = (t1 - t0) / hz
role = 'home' if pout > 0 else ('viewers only' if pin > 0 else 'idle')
print(f'run {sys.argv[7]} n{sys.argv[8]} ({role}): {out} packets out, {pout} into pipes, {pin} from pipes, CPU {cpu:.2f} s, '
      f'{cpu * 1e6 / max(1, out):.1f} us per packet out')" "$hz" "$window" "${t0[$i]}" "$t1" "${c0[$i]}" "$c1" "$run" "$((i + 1))"
  done
  wait "$tool" || true
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('run', sys.argv[2], 'cluster: loss_pct', d.get('loss_pct'), 'packets_received', d.get('packets_received'), 'sessions_per_target', d.get('sessions_per_target'))" "$out/cluster-$run.json" "$run" 2>&1 | tail -n1
  stop
  start single 18291
  (cd "$here" && ./junction loadtest --target http://127.0.0.1:18291 --server-pid "${pids[0]}" \
      --publishers 1 --subscribers 100 --video-kbps 300 --warmup 8 --seconds $((window + 12)) \
      > "$out/single-$run.json" 2> "$out/single-$run.err") || { echo "single run failed:"; tail -n5 "$out/single-$run.err"; }
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('run', sys.argv[2], 'single node 1 x 100:', d.get('server_cpu_us_per_packet_out'), 'us per packet out, loss_pct', d.get('loss_pct'))" "$out/single-$run.json" "$run" 2>&1 | tail -n1
  stop
done
