#!/usr/bin/env bash
# Memory under a 60 s hit-and-miss load (issue 7): EdgeProxy (Release, config/examples/two-origins.json
# moved to ports 19184/19194) with a small cache (EdgeProxy__Caching__SizeLimitBytes, default 64 MiB)
# serves bench/memory-load.lua (half hot keys, half any of 5,000 keys of 16-256 KiB, ~10x the cache)
# with wrk -t2 -c32. RSS (/proc/PID/status VmRSS), the cache's charged bytes and the GC heap (admin
# /metrics) are sampled every second; the proxy is stopped by PID; max/median RSS vs the limit printed.
#   [EXTRA_ENV="DOTNET_gcServer=0"] bench/memory-load.sh [seconds] [limit-bytes]
# (from anywhere; needs ../shared/bench origins, wrk, curl)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
OUT="${OUT:-/tmp/edge-memory}"
SECONDS_LOAD="${1:-60}"
LIMIT="${2:-67108864}"
prepare_proxy

# EXTRA_ENV: more assignments for the proxy, e.g. EXTRA_ENV="DOTNET_gcServer=0" (workstation GC).
env ${EXTRA_ENV:-} EdgeProxy__Caching__SizeLimitBytes="$LIMIT" EdgeProxy__AccessLog__Enabled=false \
  dotnet "$DLL" --config "$CONFIG" > "$OUT/proxy.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
wait_port "$PORT"
kill -0 "$pid" 2>/dev/null || { echo "proxy did not start: $OUT/proxy.log"; exit 1; }

metric() { awk -v m="$1" '$1 == m {printf "%d", $2}' "$OUT/metrics.txt"; }
: > "$OUT/samples.tsv"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
idle=$(awk '/^VmRSS/ {print $2 * 1024}' "/proc/$pid/status")
timeout $((SECONDS_LOAD + 30)) wrk -t2 -c32 -d"${SECONDS_LOAD}s" -H 'Host: bench.local' -s "$REPO/bench/memory-load.lua" \
  "http://127.0.0.1:$PORT" > "$OUT/wrk.txt" 2>&1 &
wrk_pid=$!
for i in $(seq $((SECONDS_LOAD + 5))); do
  kill -0 "$wrk_pid" 2>/dev/null || break
  sleep 1
  rss=$(awk '/^VmRSS/ {print $2 * 1024}' "/proc/$pid/status")
  curl -s -m 2 "http://127.0.0.1:$ADMIN/metrics" > "$OUT/metrics.txt"
  shmem=$(awk '/^RssShmem/ {print $2 * 1024}' "/proc/$pid/status")
  printf '%d\t%d\t%s\t%s\t%s\t%s\t%s\n' "$i" "$rss" "$(metric edgeproxy_cache_size_bytes)" \
    "$(metric edgeproxy_process_gc_heap_bytes)" "$(metric edgeproxy_process_gc_committed_bytes)" "$shmem" \
    "$(metric edgeproxy_cache_file_backed_memory_bytes)" >> "$OUT/samples.tsv"
done
wait "$wrk_pid"
hwm=$(awk '/^VmHWM/ {print $2 * 1024}' "/proc/$pid/status")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"; wait "$pid" 2>/dev/null; trap - EXIT
grep -E "Requests/sec|Transfer/sec|requests in|Non-2xx|Socket errors" "$OUT/wrk.txt"
python3 - "$OUT/samples.tsv" "$LIMIT" "$hwm" "$idle" <<'PY'
import sys, statistics as st
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
limit, hwm, idle = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
mib = lambda b: f"{b / 1048576:,.0f} MiB"
rss = [int(r[1]) for r in rows]
num = lambda i: [int(r[i]) for r in rows if r[i].strip()]
cache, heap, committed = num(2), num(3), num(4)
print(f"samples: {len(rows)} (1/s); cache limit {mib(limit)}; RSS idle before the load {mib(idle)}")
print(f"RSS max {mib(max(rss))}, median {mib(st.median(rss))}, VmHWM {mib(hwm)}; overhead (max RSS - limit) {mib(max(rss) - limit)}")
if cache: print(f"cache charged bytes max {mib(max(cache))}, median {mib(st.median(cache))}")
if heap: print(f"GC heap (objects) max {mib(max(heap))}, median {mib(st.median(heap))}")
if committed: print(f"GC committed max {mib(max(committed))}, median {mib(st.median(committed))}")
shmem = [int(r[5]) for r in rows if len(r) > 5 and r[5].strip()]
if shmem: print(f"RSS in shared memory (pages of memory files the process touched) max {mib(max(shmem))}, median {mib(st.median(shmem))}")
# Bodies in memory files (EdgeProxy:Transport:ZeroCopy) are memory the process holds whether or not it touched their pages
# (a hit sent with sendfile never does): footprint = RSS - touched shared pages + every memory file's bytes.
files = [(int(r[1]), int(r[5]), int(r[6])) for r in rows if len(r) > 6 and r[5].strip() and r[6].strip()]
if files:
    print(f"bodies in memory files max {mib(max(f[2] for f in files))}, median {mib(st.median([f[2] for f in files]))}")
    foot = [f[0] - f[1] + f[2] for f in files]
    print(f"footprint (RSS - touched shared + memory files) max {mib(max(foot))}, median {mib(st.median(foot))}; overhead (max footprint - limit) {mib(max(foot) - limit)}")
    rss = [max(a, b) for a, b in zip(rss, foot)] if len(foot) == len(rss) else rss
print("verdict (the larger of RSS and footprint):", "within limit + 150 MiB" if max(rss) <= limit + 150 * 1048576 else "ABOVE limit + 150 MiB")
PY
echo "samples: $OUT/samples.tsv (second, rss, cache bytes, gc heap, gc committed, rss shmem, memory-file bytes)"
