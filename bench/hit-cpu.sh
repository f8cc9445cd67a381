#!/usr/bin/env bash
# Hit throughput and the proxy's CPU time per hit (utime+stime from /proc ÷ requests wrk completed), for
# builds or settings side by side, interleaved round by round. CPU per request is steadier than req/s on a
# shared machine, but both move with the host's noise: compare within a round.
#
#   OUT=/tmp/hit-cpu SIZE=102400 ROUNDS=2 bash bench/hit-cpu.sh \
#     "base=/tmp/old-build" "blocks-4k=:EdgeProxy__Transport__BlockSize=4096" "current=:"
#
# Each variant is name=[build dir]:[ENV=value,...]; an empty dir means this checkout's Release build.
# Per variant and round: start, prime one object (origin asked once), wrk WARM s warm-up (default 3), then 2 x wrk
# -t2 -c64 -d5s (WRK_THREADS=1 for one wrk thread); prints "name rps/cpu-per-request/steal/p50/p99 ..." for
# the two runs, p50/p99 being wrk's latency percentiles and steal the share
# of one CPU the hypervisor took from this VM during that wrk (of 200 % for two vCPUs): high steal, noisy round.
# The proxy runs in a session of its own (setsid), as ../shared/bench/peers.sh starts every peer: with the
# kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled) a session is a scheduling group,
# so the proxy and wrk share the CPUs as two groups, not thread by thread. SETSID=0 starts it in this shell's.
#
# PEERS="spike nginx" measures, first in each round and the same way, a bare Kestrel app sending the same bytes with
# sendfile (bench/spikes/zero-copy-hit, /zc, port 19300) and nginx's proxy cache (../shared/bench/peers.sh's nginx
# peer, port 19080: not while ../shared/bench/run-all.sh runs). PERFSTAT=1 adds, per run, `perf stat` over 4 s of it:
# CPU time, context switches and syscalls per request (needs linux-perf). Each run prints its CPU per request and the
# system (kernel) part of it (sysNus), and the load generator's own CPU per request (wrkNus: wrk shares the two CPUs,
# so what a server makes it spend per response counts too); THREADS=1 adds the CPU per request by kind of thread (its comm, e.g.
# .NET_TP_Worker:2thr=30.1us: two such threads used CPU in that run). PERFREC=1 records, per run, a perf profile of
# 4 s of it into $OUT/NAME-rROUND-RUN.perf.data (start the proxy with DOTNET_PerfMapEnabled=1 to name JIT frames).
set -u
OUT="${OUT:-/tmp/hit-cpu}"; SIZE="${SIZE:-102400}"; ROUNDS="${ROUNDS:-2}"; WARM="${WARM:-3}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_proxy
SPIKE="$REPO/bench/spikes/zero-copy-hit"
case " ${PEERS:-} " in *" spike "*)
  dotnet build "$SPIKE" -c Release > "$OUT/spike-build.log" 2>&1 || { echo "spike build failed: $OUT/spike-build.log"; exit 1; } ;;
esac
tck=$(getconf CLK_TCK)
if [ "${SETSID:-1}" = 1 ]; then ss=setsid; else ss=; fi
events=task-clock,context-switches,syscalls:sys_enter_sendto,syscalls:sys_enter_writev,syscalls:sys_enter_sendfile64,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex

sys_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $15}' "/proc/$p/stat"))); done; echo "$t"; }
# threads_of PID...: "comm ticks" per thread (comm's spaces made _), for THREADS=1's per-thread-kind split
threads_of() {
  local p t
  for p in "$@"; do for t in /proc/"$p"/task/*; do
    [ -r "$t/stat" ] || continue
    printf '%s %s %s\n' "$(basename "$t")" "$(tr ' ' _ < "$t/comm")" "$(sed 's/.*) //' "$t/stat" | awk '{print $12+$13}')"
  done; done
}

# measure NAME URL PID...: prime, warm up, two measured wrk runs; one line per round and server into results.txt
measure() {
  local name=$1 url=$2; shift 2
  local pids=("$@") line="round $round $name size=$SIZE"
  local got
  if ! got=$(prime "$url" "$SIZE"); then echo "$name: $url answered '$got', not '200 $SIZE' (origins up?)" | tee -a "$OUT/results.txt"; return 1; fi
  wrk -t2 -c64 -d"${WARM}s" -H "Host: bench.local" "$url" > /dev/null
  for _i in 1 2; do
    local c0 s0 c1 s1 n rps lat stat=""
    c0=$(cpu_of "${pids[@]}"); s0=$(host_ticks); s0=${s0% *}; k0=$(sys_of "${pids[@]}")
    [ "${THREADS:-0}" = 1 ] && threads_of "${pids[@]}" > "$OUT/threads0"
    /usr/bin/time -f "%U %S" -o "$OUT/wrk.time" wrk -t"${WRK_THREADS:-2}" -c64 -d5s --latency -H "Host: bench.local" "$url" > "$OUT/wrk.out" &
    local wpid=$!
    if [ "${PERFSTAT:-0}" = 1 ]; then
      sleep 0.5
      perf stat -x, -e "$events" -p "$(IFS=,; echo "${pids[*]}")" -o "$OUT/perf.out" -- sleep 4 > /dev/null 2>&1
    fi
    if [ "${PERFREC:-0}" = 1 ]; then
      sleep 0.5
      perf record -F 499 -g -p "$(IFS=,; echo "${pids[*]}")" -o "$OUT/$name-r$round-$_i.perf.data" -- sleep 4 > /dev/null 2>&1
    fi
    wait "$wpid"
    c1=$(cpu_of "${pids[@]}"); s1=$(host_ticks); s1=${s1% *}; k1=$(sys_of "${pids[@]}")
    local threads=""
    if [ "${THREADS:-0}" = 1 ]; then
      threads_of "${pids[@]}" > "$OUT/threads1"
      threads=$(awk -v n="$(awk '/requests in/ {print $1}' "$OUT/wrk.out")" -v tck="$tck" '
        NR == FNR { t0[$1] = $3; next }
        { d = $3 - t0[$1]; if (d > 0) kind[$2] += d; cnt[$2] += (d > 0) }
        END { for (k in kind) printf "/%s:%dthr=%.1fus", k, cnt[k], kind[k] * 1000000 / tck / n }' "$OUT/threads0" "$OUT/threads1")
    fi
    n=$(awk '/requests in/ {print $1}' "$OUT/wrk.out")
    rps=$(awk '/Requests\/sec/ {print int($2)}' "$OUT/wrk.out")
    lat=$(awk '/^ +(50|99)%/ {printf "/p%s=%s", $1, $2}' "$OUT/wrk.out" | tr -d '%')
    if [ "${PERFSTAT:-0}" = 1 ]; then
      stat=$(awk -F, -v r="$rps" '$1 ~ /^[0-9.]+$/ {e=$3; sub("syscalls:sys_enter_", "", e); printf "/%s=%.2f", e, $1 / (r * 4)}' "$OUT/perf.out")
    fi
    line="$line $rps/$(( (c1 - c0) * 1000000 / tck / n ))us/sys$(( (k1 - k0) * 1000000 / tck / n ))us/wrk$(awk -v n="$n" '{printf "%d", ($1 + $2) * 1000000 / n}' "$OUT/wrk.time")us$threads/steal$(( (s1 - s0) * 100 / tck / 5 ))%$lat$stat"
  done
  echo "$line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/results.txt"
}

for round in $(seq "$ROUNDS"); do
  for peer in ${PEERS:-}; do
    case "$peer" in
      spike)
        $ss env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 INLINE=1 DIRECT=1 MORE=1 SIZE="$SIZE" \
          dotnet "$SPIKE/bin/Release/net10.0/zero-copy-hit.dll" > "$OUT/spike.log" 2>&1 < /dev/null &
        pid=$!
        wait_port 19300 || { echo "spike did not start"; kill $pid; exit 1; }
        measure spike-kestrel-sendfile http://127.0.0.1:19300/zc $pid
        kill $pid; wait $pid 2>/dev/null ;;
      nginx)
        (cd "$BENCH" && timeout 30 ./peers.sh start nginx > "$OUT/nginx.log" 2>&1) || { echo "nginx did not start"; exit 1; }
        measure nginx-proxy-cache "http://127.0.0.1:19080/obj/hit-cpu-$round-nginx-$RANDOM?size=$SIZE" $(pgrep -f "nginx: worker")
        (cd "$BENCH" && timeout 30 ./peers.sh stop nginx >> "$OUT/nginx.log" 2>&1) ;;
      *) echo "unknown peer $peer (spike, nginx)"; exit 1 ;;
    esac
  done
  for spec in "$@"; do
    name="${spec%%=*}"; rest="${spec#*=}"; dir="${rest%%:*}"; envs="${rest#*:}"
    dll="${dir:+$dir/EdgeProxy.dll}"; dll="${dll:-$DLL}"
    $ss env $(echo "$envs" | tr ',' ' ') dotnet "$dll" --config "$CONFIG" > "$OUT/$name.log" 2>&1 < /dev/null &
    pid=$!
    wait_port "$PORT" || { echo "$name did not start"; kill $pid; exit 1; }
    measure "$name" "http://127.0.0.1:$PORT/obj/hit-cpu-$round-$name?size=$SIZE" $pid
    kill $pid; wait $pid 2>/dev/null
  done
done
