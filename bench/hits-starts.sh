#!/usr/bin/env bash
# One start of EdgeProxy as ../shared/bench/peers.sh starts it (setsid, dotnet run --no-build, two-origins.json on
# 19084), one hits.py repetition at 1 KiB and 100 KiB, then stop (by the process group we started). For comparing
# builds start by start, alternating:  bench/hits-starts.sh LABEL CHECKOUT_DIR [VAR=value ...]
# REPS=3 for three reps on the one start (the first right after two GETs, the others warm); SIZES=1024 for one size.
# Needs a Release build in CHECKOUT_DIR and the shared origins (python3 ../shared/bench/scenarios/origins.py start).
set -u
label=$1; dir=$(cd "$2" && pwd); shift 2
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # BENCH, wait_port
out="${OUT:-/tmp/edge-hits-starts}"; mkdir -p "$out"
setsid env "$@" bash -c "exec dotnet run -c Release --no-build --no-launch-profile --project '$dir/src/EdgeProxy' -- --config '$dir/config/examples/two-origins.json'" \
  > "$out/$label.log" 2>&1 < /dev/null &
pid=$!
wait_port 19084 || wait_port 19084 || echo "$label: nothing listens on 19084 after 20 s (log: $out/$label.log)"
timeout 300 python3 "$BENCH/scenarios/hits.py" --port 19084 --label "$label" --reps "${REPS:-1}" --sizes "${SIZES:-1024,102400}" --duration 10 > "$out/$label.jsonl" 2>/dev/null
python3 - "$out/$label.jsonl" "$label" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sys.argv[2], " | ".join(f"{r['size']}: {r['rps']:.0f} p99={r['lat_p99_ms']}" for r in rows))
PY
kill -- -"$pid" 2>/dev/null; sleep 1; kill -0 "$pid" 2>/dev/null && kill -9 -- -"$pid"
