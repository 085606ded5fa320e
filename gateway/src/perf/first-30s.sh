#!/usr/bin/env bash
# Warm from the first packet (issue 15): a small room's first 30 s of media against its seconds 120-150, with and
# without the AOT cache, and which threads the CPU went to (the JIT's compiler threads, the media loop).
# Each run: a fresh `serve --media-loops 1`, then `loadtest --publishers 1 --subscribers 4 --video-kbps 900`
# (about 600 packets/s out, a browser-like rate) for 155 s; the server's CPU from /proc, its packets out from
# /metrics. "off" starts the same server with -XX:AOTMode=off.
# Usage: gateway/src/perf/first-30s.sh [RUNS]   (JDK 25, after `mvn -DskipTests package` and `./junction aot`)
# Port 18510 must be free.
set -uo pipefail
runs=${1:-2}
port=18510
here=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$here"
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
threads() { # PID NAME-PREFIX...: CPU ticks of the threads whose name starts with one of the prefixes
  local pid=$1 s=0 t name; shift
  for t in /proc/"$pid"/task/*; do
    name=$(cat "$t/comm")
    for p in "$@"; do [[ "$name" == "$p"* ]] && s=$((s + $(awk '{print $14+$15}' "$t/stat"))); done
  done
  echo "$s"
}
out() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^junction_media_datagrams_out_total/{s+=$NF} END{printf "%d", s}'; }
sample() { echo "$(cpu "$1") $(threads "$1" C1 C2) $(threads "$1" junction-media) $(out)"; }
for run in $(seq 1 "$runs"); do
  for mode in on off; do
    if [ "$mode" = off ]; then export JUNCTION_JVM_OPTS=-XX:AOTMode=off; else unset JUNCTION_JVM_OPTS; fi
    ./junction serve --media-loops 1 --http-port "$port" --media-port 0 > "/tmp/first-30s-serve-$mode.log" 2>&1 &
    unset JUNCTION_JVM_OPTS
    for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.25; done
    pid=$(pgrep -f "junction.jar.*--http-port $port" | head -n1)
    ./junction loadtest --target "http://127.0.0.1:$port" --publishers 1 --subscribers 4 --video-kbps 900 --warmup 0 \
        --seconds 155 > /dev/null 2> "/tmp/first-30s-loadtest-$mode.log" &
    tool=$!
    for _ in $(seq 1 300); do [ "$(out)" -gt 100 ] && break; sleep 0.1; done
    a=$(sample "$pid"); sleep 30; b=$(sample "$pid"); sleep 90; c=$(sample "$pid"); sleep 30; d=$(sample "$pid")
    wait "$tool"
    kill "$pid"; while kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
    python3 -c "
import sys
a, b, c, d = ([int(x) for x in s.split()] for s in sys.argv[1:5])
def per(x, y):
    n = y[3] - x[3]
    return [(y[i] - x[i]) * 1e4 / n for i in range(3)], n   # ticks of 10 ms -> us per packet out
(f, nf), (s, ns) = per(a, b), per(c, d)
print(f'run {sys.argv[5]} AOT cache {sys.argv[6]}: first 30 s {f[0]:.1f} us per packet out (JIT {f[1]:.1f}, loop {f[2]:.1f}; {nf} packets),'
      f' seconds 120-150 {s[0]:.1f} (JIT {s[1]:.1f}, loop {s[2]:.1f}), ratio {f[0] / s[0]:.2f}')" "$a" "$b" "$c" "$d" "$run" "$mode"
  done
done
