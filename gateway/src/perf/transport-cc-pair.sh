#!/usr/bin/env bash
# Transport-cc on the subscriber leg against off (issue 11): the 1 x 100 broadcast on one loop, server CPU per packet
# out and added latency from the load tool, and for 13 s of the measured window the media loop thread alone: its CPU
# (task-clock), its wake-ups and reads (perf stat's syscall counts), and the server's CPU by thread group from /proc
# (media loop, JIT compilers, GC, the rest). Checkouts and modes alternate.
# Usage: [MODES="on off"] [WARMUP=5] gateway/src/perf/transport-cc-pair.sh RUNS CHECKOUT...
#   e.g. git worktree add --detach /tmp/before main && (cd /tmp/before && mvn -q -o package -DskipTests)
#        flock /tmp/junction-mvn.lock gateway/src/perf/transport-cc-pair.sh 2 /tmp/before "$PWD"
# Every checkout needs its jars built; each checkout's own load tool drives it. Needs perf with syscall tracepoints
# (root or perf_event_paranoid <= 1). PORT (default 18621) must be free.
set -uo pipefail
runs=${1:?RUNS}
shift
port=${PORT:-18621}
out=$(mktemp -d)
window_s=13

# utime+stime ticks per thread group of process $1: media loop, JIT compilers, GC, everything else.
thread_cpu() {
  local t comm
  for t in /proc/"$1"/task/*; do
    comm=$(cat "$t/comm" 2>/dev/null) || continue
    echo "$comm $(cut -d' ' -f14,15 "$t/stat" 2>/dev/null | tr ' ' '+' | bc)"
  done | awk '{g="other"} /^junction-media/ {g="loop"} /^C[12] CompilerThre/ {g="jit"} /^(GC |G1 |VM |Z)/ {g="gc+vm"}
              {s[g]+=$NF} END {for (g in s) printf "%s=%d ", g, s[g]}'
}

for run in $(seq 1 "$runs"); do
  for mode in ${MODES:-on off}; do
    for tree in "$@"; do
      tag="$(basename "$tree") $mode run $run"
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      (cd "$tree" && exec ./junction serve --media-loops 1 --http-port "$port" --media-port 0 --subscriber-transport-cc "$mode" > "$out/serve.log" 2>&1) &
      for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.5; done
      pid=$(pgrep -f "$tree/gateway/target/junction.jar.*--http-port $port" | head -n1 || true)
      if [ -z "$pid" ]; then echo "no server from $tree:"; tail -n5 "$out/serve.log"; exit 1; fi
      tid=$(for t in /proc/"$pid"/task/*; do [[ "$(cat "$t/comm")" == junction-media* ]] && basename "$t"; done | head -n1)
      (cd "$tree" && ./junction loadtest --target "http://127.0.0.1:$port" --server-pid "$pid" --publishers 1 --subscribers 100 \
          --warmup "${WARMUP:-5}" --seconds 15 --video-kbps 1000 > "$out/result.json" 2> "$out/progress.log") &
      lt=$!
      for _ in $(seq 1 300); do grep -q "warmup ${WARMUP:-5}s" "$out/progress.log" 2> /dev/null && break; sleep 0.2; done
      before=$(thread_cpu "$pid")
      perf stat -x, -e 'task-clock,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_sendto' \
          -t "$tid" -o "$out/perf.csv" -- sleep "$window_s" 2> /dev/null
      after=$(thread_cpu "$pid")
      wait "$lt"
      kill "$pid"; while kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
      python3 - "$out" "$tag" "$load" "$window_s" "$before" "$after" "$(getconf CLK_TCK)" <<'PY'
import json, sys
out, tag, load, window, before, after, hz = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5], sys.argv[6], float(sys.argv[7])
d = json.load(open(out + '/result.json'))
ev = {}
for line in open(out + '/perf.csv'):
    f = line.strip().split(',')
    if len(f) > 2 and f[0][:1].isdigit():
        ev[f[2].replace('syscalls:sys_enter_', '')] = float(f[0])
parse = lambda s: {k: int(v) for k, v in (p.split('=') for p in s.split())}
b, a = parse(before), parse(after)
groups = ' '.join('%s %.0f' % (g, (a.get(g, 0) - b.get(g, 0)) * 1000 / hz / window) for g in ('loop', 'jit', 'gc+vm', 'other'))
print('%s (load %s): %s us/packet out, loss %s%%, added latency p50/p99 %s/%s ms | loop thread %.0f ms/s CPU, per s: %s | server ms/s CPU by thread: %s' % (
    tag, load, d.get('server_cpu_us_per_packet_out'), d.get('loss_pct'), d.get('added_latency_ms_p50'), d.get('added_latency_ms_p99'),
    ev.get('task-clock', 0) / window, ' '.join('%s %.0f' % (k, ev.get(k, 0) / window) for k in ('epoll_pwait2', 'recvmmsg', 'sendmmsg', 'sendto')), groups))
PY
    done
  done
done
