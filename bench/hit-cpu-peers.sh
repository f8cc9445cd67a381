#!/usr/bin/env bash
# CPU time per cache hit of EdgeProxy beside a bare Kestrel app sending the same bytes with sendfile (the spike
# bench/spikes/zero-copy-hit, /zc) and nginx's proxy cache (../shared/bench/peers.sh's nginx peer), round by round:
# what EdgeProxy's own pipeline adds to a hit on this host, in this hour.
#
#   OUT=/tmp/hit-cpu-peers SIZE=102400 ROUNDS=2 bash bench/hit-cpu-peers.sh "default=" "fair0=EdgeProxy__Transport__FairTurnStreak=0"
#
# Each EdgeProxy variant is name=[ENV=value,...] (this checkout's Release build, the bench config on PORT/ADMIN as in
# lib.sh). Per server and round: start, two GETs, wrk WARM s (default 8), then wrk -t2 -c64 -d5s --latency with the
# server's utime+stime read from /proc before and after; prints "round name rps cpu/req p99". PERFSTAT=1 also runs
# `perf stat` over 4 s of that wrk and prints the syscalls and context switches per request (needs linux-perf).
# Uses nginx's port 19080 and the spike's 19300: not while ../shared/bench/run-all.sh runs.
set -u
OUT="${OUT:-/tmp/hit-cpu-peers}"; SIZE="${SIZE:-102400}"; ROUNDS="${ROUNDS:-2}"; WARM="${WARM:-8}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_proxy
SPIKE="$REPO/bench/spikes/zero-copy-hit"
dotnet build "$SPIKE" -c Release > "$OUT/spike-build.log" 2>&1 || { echo "spike build failed: $OUT/spike-build.log"; exit 1; }
tck=$(getconf CLK_TCK)
events=task-clock,context-switches,syscalls:sys_enter_sendto,syscalls:sys_enter_writev,syscalls:sys_enter_sendfile64,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex

cpu_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }

measure() { # name url pid...
  local name=$1 url=$2; shift 2
  local pids=("$@") stat=""
  curl -s -o /dev/null -H "Host: bench.local" "$url"; curl -s -o /dev/null -H "Host: bench.local" "$url"
  wrk -t2 -c64 -d"${WARM}s" -H "Host: bench.local" "$url" > /dev/null
  local c0; c0=$(cpu_of "${pids[@]}")
  wrk -t2 -c64 -d5s --latency -H "Host: bench.local" "$url" > "$OUT/wrk.out" & local wpid=$!
  if [ "${PERFSTAT:-0}" = 1 ]; then
    sleep 0.5
    perf stat -x, -e "$events" -p "$(IFS=,; echo "${pids[*]}")" -o "$OUT/perf.out" -- sleep 4 > /dev/null 2>&1
  fi
  wait "$wpid"
  local c1; c1=$(cpu_of "${pids[@]}")
  local n rps p99
  n=$(awk '/requests in/ {print $1}' "$OUT/wrk.out"); rps=$(awk '/Requests\/sec/ {print int($2)}' "$OUT/wrk.out")
  p99=$(awk '/^ +99%/ {print $2}' "$OUT/wrk.out")
  if [ "${PERFSTAT:-0}" = 1 ]; then
    stat=$(awk -F, -v r="$rps" '$1 ~ /^[0-9.]+$/ {e=$3; sub("syscalls:sys_enter_", "", e); printf " %s=%.2f", e, $1 / (r * 4)}' "$OUT/perf.out")
  fi
  echo "round $round $name size=$SIZE rps=$rps cpu/req=$(( (c1 - c0) * 1000000 / tck / n ))us p99=$p99$stat" | tee -a "$OUT/results.txt"
}

for round in $(seq "$ROUNDS"); do
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 INLINE=1 DIRECT=1 MORE=1 SIZE=$SIZE \
    setsid dotnet "$SPIKE/bin/Release/net10.0/zero-copy-hit.dll" > "$OUT/spike.log" 2>&1 < /dev/null &
  pid=$!
  wait_port 19300 || { echo "spike did not start"; kill $pid; exit 1; }
  measure spike-kestrel-sendfile http://127.0.0.1:19300/zc $pid
  kill $pid; wait $pid 2>/dev/null

  (cd "$BENCH" && timeout 30 ./peers.sh start nginx > "$OUT/nginx.log" 2>&1) || { echo "nginx did not start"; exit 1; }
  measure nginx-proxy-cache "http://127.0.0.1:19080/obj/hcp-$round-$RANDOM?size=$SIZE" $(pgrep -f "nginx: worker")
  (cd "$BENCH" && timeout 30 ./peers.sh stop nginx >> "$OUT/nginx.log" 2>&1)

  for spec in "$@"; do
    name="${spec%%=*}"; envs="${spec#*=}"
    setsid env $(echo "$envs" | tr ',' ' ') dotnet "$DLL" --config "$CONFIG" > "$OUT/$name.log" 2>&1 < /dev/null &
    pid=$!
    wait_port "$PORT" || { echo "$name did not start"; kill $pid; exit 1; }
    measure "edgeproxy-$name" "http://127.0.0.1:$PORT/obj/hcp-$round-$name-$RANDOM?size=$SIZE" $pid
    kill $pid; wait $pid 2>/dev/null
  done
done
