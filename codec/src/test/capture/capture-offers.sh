#!/usr/bin/env bash
# Captures SDP offers from the real Chromium that CI installs (Debian's `chromium`) into codec's test
# fixtures. The browser runs in a private, loopback-only network namespace, so its only candidates are
# 127.0.0.1 (DESIGN §6). Needs root (for unshare --net) and a JDK 21+, which ../../../../junction finds.
#
#   codec/src/test/capture/capture-offers.sh [OUT_DIR]     (default: codec/src/test/resources/sdp)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
out="${1:-$root/codec/src/test/resources/sdp}"
command -v chromium >/dev/null || { echo "capture-offers: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
java_home=$("$root/junction" java-home)
exec unshare --net bash -c '
  ip link set lo up
  cd "$1" && "$2/bin/java" -Dcapture.dir="$1" CaptureOffers.java "$3"
' capture "$here" "$java_home" "$out"
