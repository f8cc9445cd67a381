#!/usr/bin/env bash
# Hits at fixed offered loads, side by side: each peer started by ../shared/bench/peers.sh (EdgeProxy as its contract
# says, in its own session), one object primed (two GETs), WARM s of wrk (default 5) to warm it, then bench/openloop at each rate in
# RATES (total requests per second over -c64 -t2, like the harness's wrk), latency counted from each request's
# scheduled time. wrk runs each server as fast as it answers, so the peers' percentiles come from different rates
# and different shares of the CPUs for wrk itself; here every server gets the same load.
#   OUT=/tmp/fr SIZE=1024 RATES="20000 35000" ROUNDS=2 DUR=10 PEERS="edgeproxy nginx ats" bash bench/fixed-rate.sh
# One JSON line per peer, round and rate in $OUT/raw.jsonl; the peers' order turns round each round.
set -u
OUT="${OUT:-/tmp/fixed-rate}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # REPO, BENCH, prime, host_ticks
SIZE="${SIZE:-1024}"; WARM="${WARM:-5}"; RATES="${RATES:-20000 35000}"; ROUNDS="${ROUNDS:-2}"; DUR="${DUR:-10}"
PEERS="${PEERS:-edgeproxy nginx ats}"
mkdir -p "$OUT"
gcc -O2 -pthread -o "$OUT/openloop" "$REPO/bench/openloop/openloop.c" || exit 1
python3 "$BENCH/scenarios/origins.py" start > /dev/null

# steal_pct BEFORE AFTER (two host_ticks): the steal between them, in % of the machine's time
steal_pct() { echo "$1 $2" | awk '{d = $4 - $2; printf "%.1f", (d > 0 ? 100 * ($3 - $1) / d : 0)}'; }

read -r -a order <<< "$PEERS"
for round in $(seq "$ROUNDS"); do
  for peer in "${order[@]}"; do
    # peers.sh knows the ports: "PEER up on 127.0.0.1:PORT (pid N)"
    EDGEPROXY_DIR="$REPO" bash "$BENCH/peers.sh" start "$peer" > "$OUT/$peer-$round.start.log" 2>&1
    port=$(sed -n 's/.* up on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT/$peer-$round.start.log")
    [ -n "$port" ] || { echo "$peer did not start: $OUT/$peer-$round.start.log"; continue; }
    url="http://127.0.0.1:$port/obj/fixed-$SIZE-$round-$RANDOM?size=$SIZE"
    if got=$(prime "$url" "$SIZE"); then
      timeout 60 wrk -t2 -c64 -d"${WARM}s" -H "Host: bench.local" "$url" > /dev/null
      for rate in $RATES; do
        before=$(host_ticks)
        line=$(timeout $((DUR + 30)) "$OUT/openloop" -p "$port" -u "${url#http://127.0.0.1:$port}" -c 64 -t 2 -r "$rate" -d "$DUR" -w 2)
        steal=$(steal_pct "$before" "$(host_ticks)")
        echo "{\"peer\": \"$peer\", \"size\": $SIZE, \"round\": $round, \"host_steal_pct\": $steal, ${line#\{}" | tee -a "$OUT/raw.jsonl"
      done
    else
      echo "$peer: the object was not served whole ($got)"
    fi
    bash "$BENCH/peers.sh" stop "$peer" > /dev/null 2>&1
  done
  order=("${order[@]:1}" "${order[0]}")
done

# Medians over the rounds, per peer and rate
python3 - "$OUT/raw.jsonl" <<'PY'
import json, statistics as st, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| size | rate | peer | rounds | p50 | p90 | p99 | p99.9 | max | errors | host steal |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for size in sorted({r["size"] for r in rows}):
    for rate in sorted({r["rate"] for r in rows if r["size"] == size}):
        for peer in dict.fromkeys(r["peer"] for r in rows):
            g = [r for r in rows if r["size"] == size and r["rate"] == rate and r["peer"] == peer]
            if not g: continue
            m = lambda k: st.median(r[k] for r in g)
            print(f"| {size} | {rate} | {peer} | {len(g)} | {m('p50_ms'):.2f} | {m('p90_ms'):.2f} | {m('p99_ms'):.2f} | {m('p999_ms'):.1f} | {m('max_ms'):.1f} | {sum(r['errors'] for r in g)} | {m('host_steal_pct'):.1f} % |")
PY
