#!/usr/bin/env bash
# GETs at a fixed rate (bench/loadgen.ts, 50 connections, one request in flight each, no
# coordinated omission) against one redis-server and each marekvs variant, alternating, ROUNDS
# times: p50 / p99 / p99.9, server CPU µs per request, and for marekvs the bytes its main thread
# allocated per request (the `allocated` of every GC of the main isolate during the run, from
# --trace-gc-nvp): what decides how often scavenges pause it.
#   bench/tools/fixed-rate.sh /work/old /work/main
#   RATE=35000 ROUNDS=3 bench/tools/fixed-rate.sh /work/main
source "$(dirname "$0")/common.sh"
RATE=${RATE:-30000}; ROUNDS=${ROUNDS:-2}; DURATION_MS=${DURATION_MS:-8000}; WARMUP_MS=1000
[ $# -gt 0 ] || { echo "usage: $0 VARIANT..." >&2; exit 2; }
LOADGEN="$REPO_ROOT/dist/bench/loadgen.js"
start_servers 7700 --trace-gc-nvp "$@"
for port in "${ports[@]}"; do
  node "$LOADGEN" --port "$port" --mode load --connections 4 --pipeline 256 --keyspace 100000 --value-bytes 3 > /dev/null
done
requests=$((RATE * (DURATION_MS + WARMUP_MS) / 1000))
for round in $(seq "$ROUNDS"); do for j in "${!ports[@]}"; do
  log="$WORK/m${ports[$j]}.log"
  lines0=$( [ "$j" -gt 0 ] && wc -l < "$log" || echo 0)
  c0=$(cpu_seconds "${pids[$j]}")
  out=$(node "$LOADGEN" --port "${ports[$j]}" --mode fixed --rate "$RATE" --connections 50 --pipeline 1 --get-ratio 1 \
    --keyspace 100000 --value-bytes 3 --duration-ms "$DURATION_MS" --warmup-ms "$WARMUP_MS")
  c1=$(cpu_seconds "${pids[$j]}")
  latency=$(node -e 'const l = JSON.parse(process.argv[1]).latencyUs; console.log(`p50 ${l.p50 / 1000} p99 ${l.p99 / 1000} p99.9 ${l.p999 / 1000} ms`)' "$out")
  cpu=$(awk -v a="$c0" -v b="$c1" -v n="$requests" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
  alloc=""
  if [ "$j" -gt 0 ]; then
    # The main isolate is the first to log a scavenge; workers log under their own isolate address.
    main=$(grep -m1 'gc=s' "$log" | awk '{print $1}')
    alloc=$(tail -n +"$((lines0 + 1))" "$log" | grep -F "$main" | tr ' ' '\n' | grep '^allocated=' | \
      awk -F= -v n="$requests" '{ s += $2 } END { printf ", %.0f bytes allocated per request", s / n }')
  fi
  echo "round $round ${names[$j]}: $latency, ${cpu} µs CPU per request$alloc"
done; done
redis-cli -p "${ports[0]}" shutdown nosave >/dev/null 2>&1 || true
