#!/usr/bin/env bash
# Heap per subscriber transport (DESIGN §7: <= 64 KiB): a class histogram of the server's live heap (jcmd
# GC.class_histogram forces a full GC first) before and after N subscribers joined, divided by N, with the
# classes that grew most. Starts its own server on loopback (HTTP 18080, media 41000+) and stops it.
#   gateway/src/perf/heap-per-subscriber.sh [N]      (default 1000; takes a minute or two)
set -euo pipefail
N=${1:-1000}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
JAVA_HOME=$("$ROOT/junction" java-home)
export JAVA_HOME
OUT=$(mktemp -d)
"$ROOT/junction" serve --media-loops 1 --http-port 18080 --media-port 41000 > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs -o /dev/null http://127.0.0.1:18080/health && break; sleep 0.2; done
PID=$(pgrep -P "$SERVER" java || echo "$SERVER")
# One short run first, so that what a first join loads (classes, pools) is in the baseline; its room goes 5 s later.
"$ROOT/junction" loadtest --target http://127.0.0.1:18080 --publishers 1 --subscribers 1 --warmup 0 --seconds 2 \
    --video-kbps 100 --audio off > /dev/null 2>&1
sleep 7
"$JAVA_HOME/bin/jcmd" "$PID" GC.class_histogram > "$OUT/before"
"$ROOT/junction" loadtest --target http://127.0.0.1:18080 --publishers 1 --subscribers "$N" --warmup 0 --seconds 60 \
    --video-kbps 100 --audio off > /dev/null 2>&1 &
TOOL=$!
for _ in $(seq 1 1200); do
  c=$(curl -fs http://127.0.0.1:18080/metrics | awk '/^junction_sessions_connected /{print $2}')
  [ "${c:-0}" -ge $((N + 1)) ] && break
  sleep 0.5
done
sleep 3
"$JAVA_HOME/bin/jcmd" "$PID" GC.class_histogram > "$OUT/after"
kill "$TOOL" 2>/dev/null; wait "$TOOL" 2>/dev/null || true
python3 - "$N" "$OUT/before" "$OUT/after" <<'PY'
import re, sys
def load(path):
    classes, total = {}, 0
    for line in open(path):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m: classes[m.group(3)] = (int(m.group(1)), int(m.group(2)))
        t = re.match(r'Total\s+(\d+)\s+(\d+)', line)
        if t: total = int(t.group(2))
    return classes, total
n = int(sys.argv[1]); before, tb = load(sys.argv[2]); after, ta = load(sys.argv[3])
print(f"live heap {tb/1024:.0f} KiB before, {ta/1024:.0f} KiB with {n} subscribers: {(ta-tb)/n/1024:.1f} KiB per subscriber")
grown = sorted(((after[k][1] - before.get(k, (0, 0))[1], k) for k in after), reverse=True)[:12]
for d, k in grown: print(f"  {d/n:8.0f} B per subscriber  {k}")
PY
rm -rf "$OUT"
