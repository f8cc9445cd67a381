#!/usr/bin/env bash
# Runtime settings for the hit path, measured: each variant starts EdgeProxy (Release, the bench
# contract config/examples/two-origins.json) with some DOTNET_* environment, runs the shared hits
# scenario (wrk -t2 -c64 -d10s on a cached 1 KiB and 100 KiB object), and stops it by PID. The static
# nginx reference runs in between, so every figure can be read as a ratio to it.
#   bench/tune.sh [reps]        (from the repository root; needs ../shared/bench, wrk, nginx)
# Writes JSON lines to ${OUT:-/tmp/edge-tune}/tune.jsonl and prints a table.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT="${OUT:-/tmp/edge-tune}"
REPS="${1:-2}"
mkdir -p "$OUT"
: > "$OUT/tune.jsonl"
dotnet build "$REPO/src/EdgeProxy" -c Release > "$OUT/build.log" 2>&1 || { echo "build failed: $OUT/build.log"; exit 1; }

# name|environment (space-separated assignments). The build's own settings (EdgeProxy.csproj: Server GC,
# concurrent, DATAS off) apply where a variant does not override them; access-log-on runs with them.
VARIANTS=(
  "server-gc-datas|DOTNET_gcServer=1 DOTNET_gcConcurrent=1 DOTNET_GCDynamicAdaptationMode=1"
  "server-gc-nonconcurrent|DOTNET_gcServer=1 DOTNET_gcConcurrent=0 DOTNET_GCDynamicAdaptationMode=0"
  "server-gc-no-datas|DOTNET_gcServer=1 DOTNET_gcConcurrent=1 DOTNET_GCDynamicAdaptationMode=0"
  "workstation-gc|DOTNET_gcServer=0 DOTNET_gcConcurrent=1"
  "server-gc-inline-sockets|DOTNET_gcServer=1 DOTNET_gcConcurrent=1 DOTNET_GCDynamicAdaptationMode=0 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
  "access-log-on|EdgeProxy__AccessLog__Enabled=true"
  "response-buffer-1m|Kestrel__Limits__MaxResponseBufferSize=1048576"
)
# VARIANTS_ONLY="name1 name2" runs a subset (e.g. a re-run of two close variants).
if [ -n "${VARIANTS_ONLY:-}" ]; then
  keep=(); for v in "${VARIANTS[@]}"; do [[ " $VARIANTS_ONLY " == *" ${v%%|*} "* ]] && keep+=("$v"); done; VARIANTS=("${keep[@]}")
fi

# The static reference may already be running for someone else (shared machine): stop it at the end only if we started it.
static_was_running=0
"$BENCH/peers.sh" status static | grep -q running && static_was_running=1
"$BENCH/peers.sh" start static > /dev/null
python3 "$BENCH/scenarios/origins.py" start > /dev/null
for rep in $(seq "$REPS"); do
  python3 "$BENCH/scenarios/hits.py" --port 19090 --reference --label static --reps 1 >> "$OUT/tune.jsonl"
  for v in "${VARIANTS[@]}"; do
    name="${v%%|*}"; envs="${v#*|}"
    env $envs dotnet "$DLL" --config "$REPO/config/examples/two-origins.json" > "$OUT/$name.log" 2>&1 &
    pid=$!
    wait_port 19084
    python3 "$BENCH/scenarios/hits.py" --port 19084 --label "$name" --reps 1 >> "$OUT/tune.jsonl"
    kill "$pid"; wait "$pid" 2>/dev/null
  done
done
[ "$static_was_running" = 1 ] || "$BENCH/peers.sh" stop static > /dev/null
python3 - "$OUT/tune.jsonl" <<'PY'
import json, sys, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
by = {}
for r in rows:
    by.setdefault((r["peer"], r["size"]), []).append(r)
ref = {s: st.median(x["rps"] for x in by[("static", s)]) for (p, s) in by if p == "static"}
print("| variant | 1 KiB req/s | ratio | p99 | 100 KiB req/s | ratio | p99 |")
print("|---|---|---|---|---|---|---|")
for p in dict.fromkeys(k[0] for k in by):
    cells = []
    for s in (1024, 102400):
        xs = by.get((p, s), [])
        if not xs: cells += ["-"] * 3; continue
        rps = st.median(x["rps"] for x in xs)
        cells += [f"{rps:,.0f}", f"{rps / ref[s]:.2f}", f"{st.median(x['lat_p99_ms'] for x in xs):.2f} ms"]
    print(f"| {p} | " + " | ".join(cells) + " |")
PY
