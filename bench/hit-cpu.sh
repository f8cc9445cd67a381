#!/usr/bin/env bash
# Hit throughput and the proxy's CPU time per hit (utime+stime from /proc ÷ requests wrk completed), for
# builds or settings side by side, interleaved round by round. CPU per request is steadier than req/s on a
# shared machine, but both move with the host's noise: compare within a round.
#
#   OUT=/tmp/hit-cpu SIZE=102400 ROUNDS=2 bash bench/hit-cpu.sh \
#     "base=/tmp/old-build" "blocks-4k=:EdgeProxy__Transport__BlockSize=4096" "current=:"
#
# Each variant is name=[build dir]:[ENV=value,...]; an empty dir means this checkout's Release build.
# Per variant and round: start, prime one object (origin asked once), wrk 3 s warm-up, then 2 x wrk
# -t2 -c64 -d5s (WRK_THREADS=1 for one wrk thread); prints "name rps/cpu-per-request/steal/p50/p99 ..." for
# the two runs, p50/p99 being wrk's latency percentiles and steal the share
# of one CPU the hypervisor took from this VM during that wrk (of 200 % for two vCPUs): high steal, noisy round.
# The proxy runs in a session of its own (setsid), as ../shared/bench/peers.sh starts every peer: with the
# kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled) a session is a scheduling group,
# so the proxy and wrk share the CPUs as two groups, not thread by thread. SETSID=0 starts it in this shell's.
set -u
OUT="${OUT:-/tmp/hit-cpu}"; SIZE="${SIZE:-102400}"; ROUNDS="${ROUNDS:-2}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
prepare_proxy
tck=$(getconf CLK_TCK)
if [ "${SETSID:-1}" = 1 ]; then ss=setsid; else ss=; fi
for round in $(seq "$ROUNDS"); do
  for spec in "$@"; do
    name="${spec%%=*}"; rest="${spec#*=}"; dir="${rest%%:*}"; envs="${rest#*:}"
    dll="${dir:+$dir/EdgeProxy.dll}"; dll="${dll:-$DLL}"
    $ss env $(echo "$envs" | tr ',' ' ') dotnet "$dll" --config "$CONFIG" > "$OUT/$name.log" 2>&1 < /dev/null &
    pid=$!
    wait_port "$PORT" || { echo "$name did not start"; kill $pid; exit 1; }
    url="http://127.0.0.1:$PORT/obj/hit-cpu-$round-$name?size=$SIZE"
    curl -s -o /dev/null -H "Host: bench.local" "$url"; curl -s -o /dev/null -H "Host: bench.local" "$url"
    wrk -t2 -c64 -d3s -H "Host: bench.local" "$url" > /dev/null
    line="round $round $name size=$SIZE"
    for _ in 1 2; do
      c0=$(awk '{print $14+$15}' /proc/$pid/stat); s0=$(awk '/^cpu /{print $9}' /proc/stat)
      w=$(wrk -t"${WRK_THREADS:-2}" -c64 -d5s --latency -H "Host: bench.local" "$url")
      c1=$(awk '{print $14+$15}' /proc/$pid/stat); s1=$(awk '/^cpu /{print $9}' /proc/stat)
      n=$(echo "$w" | awk '/requests in/ {print $1}')
      rps=$(echo "$w" | awk '/Requests\/sec/ {print int($2)}')
      lat=$(echo "$w" | awk '/^ +(50|99)%/ {printf "/p%s=%s", $1, $2}' | tr -d '%')
      line="$line $rps/$(( (c1 - c0) * 1000000 / tck / n ))us/steal$(( (s1 - s0) * 100 / tck / 5 ))%$lat"
    done
    echo "$line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$OUT/results.txt"
    kill $pid; wait $pid 2>/dev/null
  done
done
