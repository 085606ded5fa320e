#!/usr/bin/env bash
# Small rooms at load-tool packet rates (issue 15): server CPU per packet out and added latency for
# `loadtest --rooms 50 --publishers 1 --subscribers 4 --video-kbps 300`, two checkouts alternating, 1 and 2 loops.
# Usage: gateway/src/perf/small-rooms.sh BEFORE_CHECKOUT AFTER_CHECKOUT [RUNS]
#   e.g. git worktree add --detach /tmp/before 4be727d^ && (cd /tmp/before && mvn -q -o package -DskipTests)
#        gateway/src/perf/small-rooms.sh /tmp/before "$PWD" 2
# Both checkouts need their jars built; the load tool of AFTER_CHECKOUT drives both. Port 18492 (or $PORT) must be free.
set -euo pipefail
before=${1:?BEFORE_CHECKOUT}
after=${2:?AFTER_CHECKOUT}
runs=${3:-2}
port=${PORT:-18492}
out=$(mktemp -d)
for run in $(seq 1 "$runs"); do
  for loops in 1 2; do
    for tree in "$before" "$after"; do
      (cd "$tree" && ./junction serve --media-loops "$loops" --http-port $port --media-port 0 > "$out/serve.log" 2>&1) &
      for _ in $(seq 1 120); do curl -sf http://127.0.0.1:$port/health > /dev/null && break; sleep 0.5; done
      pid=$(pgrep -f "$tree/gateway/target/junction.jar.*--http-port $port" | head -n1 || true)
      if [ -z "$pid" ]; then echo "no server from $tree:"; tail -n5 "$out/serve.log"; exit 1; fi
      (cd "$after" && ./junction loadtest --target http://127.0.0.1:$port --server-pid "$pid" --rooms 50 --publishers 1 \
          --subscribers 4 --video-kbps 300 --warmup 5 --seconds 15 > "$out/result.json" 2> "$out/progress.log") || true
      kill "$pid"; while kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
      echo "$tree loops=$loops run $run: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('cpu_us_per_packet_out', d['server_cpu_us_per_packet_out'], 'added_latency_ms p50/p99', d['added_latency_ms_p50'], d['added_latency_ms_p99'])" "$out/result.json" 2>&1 | tail -n1)"
    done
  done
done
