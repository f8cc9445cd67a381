#!/usr/bin/env bash
# Access-log cost on the hit path: EdgeProxy (Release, config/examples/two-origins.json on ports
# 19184/19194 so bench/tune.sh can run alongside) serves a cached 1 KiB object to
# wrk -t2 -c64 -d10s with the access log off, through the logger (Serilog console, stdout to a file),
# and written by the access-log writer itself to a file (Text, Json) and to stdout.
#   bench/access-log.sh [reps]      (from anywhere; needs ../shared/bench origins, wrk, curl)
# Prints one line per run and a median table; stops every proxy it started by PID.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT="${OUT:-/tmp/edge-accesslog}"
REPS="${1:-1}"
prepare_proxy
URL="http://127.0.0.1:$PORT/obj/x?size=1024"

# name|environment
VARIANTS=(
  "off|EdgeProxy__AccessLog__Enabled=false"
  "logger-text|EdgeProxy__AccessLog__Enabled=true"
  "file-text|EdgeProxy__AccessLog__Enabled=true EdgeProxy__AccessLog__Path=$OUT/access.log"
  "file-json|EdgeProxy__AccessLog__Enabled=true EdgeProxy__AccessLog__Path=$OUT/access.log EdgeProxy__AccessLog__Format=Json"
  "stdout-text|EdgeProxy__AccessLog__Enabled=true EdgeProxy__AccessLog__Path=stdout"
)
: > "$OUT/results.txt"
for rep in $(seq "$REPS"); do
  for v in "${VARIANTS[@]}"; do
    name="${v%%|*}"; envs="${v#*|}"
    rm -f "$OUT/access.log"
    env DOTNET_gcServer=1 $envs dotnet "$DLL" --config "$CONFIG" > "$OUT/$name.stdout" 2>&1 &
    pid=$!
    wait_port "$PORT"
    curl -s -o /dev/null -H 'Host: bench.local' "$URL"; curl -s -o /dev/null -H 'Host: bench.local' "$URL"
    rps=$(wrk -t2 -c64 -d10s -H 'Host: bench.local' "$URL" | awk '/Requests\/sec/ {print $2}')
    dropped=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^edgeproxy_accesslog_dropped_total/ {print $2}')
    kill "$pid"; wait "$pid" 2>/dev/null
    lines=$( [ -f "$OUT/access.log" ] && wc -l < "$OUT/access.log" || grep -c 'EdgeProxy.AccessLog\|"GET /obj' "$OUT/$name.stdout")
    echo "$name rps=$rps dropped=${dropped:-?} lines=$lines" | tee -a "$OUT/results.txt"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results.txt" <<'PY'
import sys, statistics as st
by = {}
for l in open(sys.argv[1]):
    f = l.split(); by.setdefault(f[0], []).append(float(f[1].split("=")[1]))
off = st.median(by["off"])
print("| access log | req/s (median) | vs off |")
print("|---|---|---|")
for k, v in by.items():
    print(f"| {k} | {st.median(v):,.0f} | {st.median(v) / off:.2f} |")
PY
