#!/usr/bin/env bash
# Herd and read-while-writer (../shared/bench herd.py and rww.py, 3 reps each) for settings side by side,
# interleaved round by round; each variant starts a fresh process, so herd's rep 1 is a cold process.
#
#   OUT=/tmp/collapse-ab ROUNDS=2 bash bench/collapse-ab.sh "current=X=1" \
#     "threadpool=EdgeProxy__Transport__InlineScheduling=false"
#
# Each variant is name=ENV=value[,ENV=value...] (give a dummy X=1 for none). WARM=1 sends one small
# request first. Prints one line per rep: origin requests, TTFB/TTLB p50 (herd), latecomers' TTFB p50/max (rww).
set -u
OUT="${OUT:-/tmp/collapse-ab}"; ROUNDS="${ROUNDS:-2}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_proxy
for round in $(seq "$ROUNDS"); do
  for spec in "$@"; do
    name="${spec%%=*}"; envs="${spec#*=}"
    env $(echo "$envs" | tr ',' ' ') dotnet "$DLL" --config "$CONFIG" > "$OUT/$name.log" 2>&1 &
    pid=$!
    wait_port "$PORT" || { echo "$name did not start"; kill $pid; exit 1; }
    if [ -n "${WARM:-}" ]; then curl -s -o /dev/null -H "Host: bench.local" "http://127.0.0.1:$PORT/obj/warm-$round-$name?size=1024"; fi
    python3 "$BENCH/scenarios/herd.py" --port "$PORT" --label "$name" --reps 3 | python3 -c "
import json, sys
for r in map(json.loads, sys.stdin):
    print('round $round', r['peer'], 'herd rep', r['rep'], 'origin', r['origin_requests'], 'ttfb', r['ttfb_p50_ms'], 'ttlb', r['ttlb_p50_ms'], 'ok', r['bodies_ok'])" | tee -a "$OUT/results.txt"
    python3 "$BENCH/scenarios/rww.py" --port "$PORT" --label "$name" --reps 3 | python3 -c "
import json, sys
for r in map(json.loads, sys.stdin):
    print('round $round', r['peer'], 'rww rep', r['rep'], 'origin', r['origin_requests'], 'late', r['late_ttfb_p50_ms'], r['late_ttfb_max_ms'], 'ok', r['bodies_ok'])" | tee -a "$OUT/results.txt"
    kill $pid; wait $pid 2>/dev/null
  done
done
