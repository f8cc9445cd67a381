#!/usr/bin/env bash
# One start of the Release build under wrk, with what was recorded beside it (docs/benchmarks.md, "Bounded runs after
# the timer" and the 100 KiB modes after it):
#   [SIZE=102400] [DUR=20] [TRACE=1] [PERFREC=0] [PERFALL=0] [OUT=/tmp/edge-one-start] [DLL=...] bench/one-start-trace.sh NAME [VAR=value ...]
# The proxy (this checkout's Release build, built first, or DLL) runs in its own session (setsid, as the harness starts
# it) on 19184/19194 with config/examples/two-origins.json's origins, which are started if they are not. Two GETs (the
# object must be served whole), then wrk -t2 -c64 --latency for DUR s on one object of SIZE bytes; beside it: TRACE=1
# dotnet-trace with the GC keyword (needs dotnet-trace on PATH), per-thread CPU and placement (NAME.psr), perf stat of
# the proxy's system calls (NAME.pstat), ss -tmin of both ends 5 s in (NAME.ss-srv, NAME.ss-cli), nstat over the run,
# the transport metrics at the end; PERFREC=1 perf record -g of the proxy, PERFALL=1 of the whole machine
# (NAME.perf.data, 4 s from second 4, so DUR of 8 or more; for JIT'd frames with their tier pass
# DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 and read it with bench/perf-tiers.py). Prints wrk's summary.
set -u
OUT="${OUT:-/tmp/edge-one-start}"; DUR="${DUR:-20}"; SIZE="${SIZE:-1024}"
own_dll="${DLL:-}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DLL="${own_dll:-$DLL}"
prepare_proxy
cd "$OUT"
label=$1; shift
setsid env "$@" dotnet "$DLL" --config "$CONFIG" > "$label.log" 2>&1 < /dev/null &
pid=$!
wait_port "$PORT" || { echo "$label: nothing listens on $PORT (log: $OUT/$label.log)"; kill $pid; exit 1; }
url="http://127.0.0.1:$PORT/obj/trace-$label-$RANDOM?size=$SIZE"
got=$(prime "$url" "$SIZE") || { echo "$label: $url answered '$got', not '200 $SIZE'"; kill $pid; exit 1; }
tp=
if [ "${TRACE:-1}" = 1 ]; then
  timeout 40 dotnet-trace collect -p $pid --providers "Microsoft-Windows-DotNETRuntime:0x1:4" --duration 00:00:00:22 -o $label.nettrace > $label.trace.log 2>&1 &
  tp=$!
fi
sleep 1
c0=$(cpu_of $pid)
timeout $((DUR + 10)) wrk -t2 -c64 -d${DUR}s --latency -H "Host: bench.local" "$url" > $label.wrk &
wp=$!
( sleep 3; for k in 1 2 3 4 5; do for t in /proc/$pid/task/*; do c=$(cat $t/comm); case "$c" in ".NET Sockets"*|".NET TP Worker"*) echo "$(basename $t) $c $(sed 's/.*) //' $t/stat | awk '{print "cpu="$37, "ticks="$12+$13}')";; esac; done; echo --; sleep 1; done ) > $label.psr 2>/dev/null &
( sleep 3; perf stat -x, -e task-clock,context-switches,syscalls:sys_enter_sendto,syscalls:sys_enter_sendfile64,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex -p $pid -o $label.pstat -- sleep 4 >/dev/null 2>&1 ) &
nstat -n >/dev/null
perf_scope=
[ "${PERFREC:-0}" = 1 ] && perf_scope="-F 999 -p $pid"
[ "${PERFALL:-0}" = 1 ] && perf_scope="-F 499 -a"
[ -n "$perf_scope" ] && ( sleep 4; perf record -g $perf_scope -o $label.perf.data -- sleep 4 >/dev/null 2>&1 ) &
( sleep 5; ss -tmin state established "( sport = :$PORT )" > $label.ss-srv; ss -tmin state established "( dport = :$PORT )" > $label.ss-cli ) &
wait $wp
sleep 1
nstat > $label.nstat 2>/dev/null
echo "proxy ticks $(( $(cpu_of $pid) - c0 ))" >> $label.psr
[ -n "$tp" ] && wait $tp
curl -s http://127.0.0.1:$ADMIN/metrics | grep -E "^edgeproxy_transport_(fair|zero)" > $label.metrics
kill $pid; wait $pid 2>/dev/null
wait   # the recorders above
grep -E "Requests/sec|99%|Latency  " $label.wrk | tr -s ' ' | tr '\n' ' '; echo
