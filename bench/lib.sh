# Shared by the bench/ scripts (sourced): the repository, the shared harness, the Release build, and
# a copy of the bench contract config moved to PORT/ADMIN (default 19184/19194, so a script can run next
# to ../shared/bench, which uses 19084/19094). Set OUT (and PORT/ADMIN if wanted) before sourcing.
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="${BENCH:-$REPO/../shared/bench}"
DLL="$REPO/src/EdgeProxy/bin/Release/net10.0/EdgeProxy.dll"

# wait_port PORT: until something listens there (at most 10 s)
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# cpu_of PID...: the processes' CPU time so far (utime+stime, clock ticks)
cpu_of() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }

# host_ticks: the machine's CPU time so far, all CPUs, as "STEAL TOTAL" (clock ticks, /proc/stat). Steal is time the
# hypervisor gave other guests while this VM wanted to run: this VM's neighbours come and go, and a run with steal is a
# run on a slower machine.
host_ticks() { awk '/^cpu /{print $9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }

# prime URL SIZE: two GETs, so the second is a hit; prints what the second got ("200 SIZE" when the object is served
# whole) and fails otherwise (an origin that is down gives a fast error page, not a hit to measure)
prime() {
  curl -s -o /dev/null -H "Host: bench.local" "$1"
  local got; got=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" -H "Host: bench.local" "$1")
  echo "$got"; [ "$got" = "200 $2" ]
}

# prepare_proxy: refuse busy ports, build, write $CONFIG, start the shared origins
prepare_proxy() {
  PORT="${PORT:-19184}"; ADMIN="${ADMIN:-19194}"
  mkdir -p "$OUT"
  for p in $PORT $ADMIN; do
    if ss -ltn "sport = :$p" | grep -q LISTEN; then echo "port $p is busy"; exit 1; fi
  done
  dotnet build "$REPO/src/EdgeProxy" -c Release > "$OUT/build.log" 2>&1 || { echo "build failed: $OUT/build.log"; exit 1; }
  CONFIG="$OUT/two-origins.json"
  sed -e "s/19084/$PORT/; s/19094/$ADMIN/" "$REPO/config/examples/two-origins.json" > "$CONFIG"
  python3 "$BENCH/scenarios/origins.py" start > /dev/null
}
