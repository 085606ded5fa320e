#!/usr/bin/env bash
# Issue 15's small-room figure with real Chromium: 1 publisher (fake camera, VP8) x 4 subscribers in one room, a 60 s
# warm-up once all four decode, then the server's CPU (all threads, /proc/PID/stat) per packet out (its /metrics)
# over 30 s, split by thread group (media loop, JIT, GC, Vert.x, dashboard, others). SmallRoomCpuBrowserIT does the
# work inside the browser tests' loopback-only network namespace; each measurement starts `CHECKOUT/junction serve`
# afresh, alternating the checkouts given (default: this one), for each loop count, RUNS times.
# Usage: gateway/src/perf/small-room-chromium.sh [CHECKOUT...]
#   env: LOOPS=1,2 RUNS=2 PROFILE=1 (perf record -g of the media loop for 15 s of the window, and the JIT's
#   perf map, into /tmp/small-room-chromium/), WARMUP=60 WINDOW=30 (seconds).
# Build the jars in every checkout first (mvn -DskipTests package): the launcher would build inside the window.
# Hold the shared Maven lock around it: flock /tmp/junction-mvn.lock gateway/src/perf/small-room-chromium.sh ...
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
checkouts=()
for c in "${@:-$here}"; do checkouts+=("$(cd "$c" && pwd)"); done
list=$(IFS=,; echo "${checkouts[*]}")
cd "$here"
uptime
mvn -B -q -o test -pl config,codec,transport,gateway -am -Djazzer.skip -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest=SmallRoomCpuBrowserIT -Dbrowser.groups=perf -Dperf.checkouts="$list" -Dperf.loops="${LOOPS:-1,2}" \
    -Dperf.runs="${RUNS:-2}" -Dperf.profile="$([ "${PROFILE:-0}" = 1 ] && echo true || echo false)" -Dperf.warmupSeconds="${WARMUP:-60}" \
    -Dperf.windowSeconds="${WINDOW:-30}" || status=$?
sed -n '/^small room, real Chromium/,$p' gateway/target/surefire-reports/dev.junction.gateway.browser.SmallRoomCpuBrowserIT-output.txt
uptime
exit "${status:-0}"
