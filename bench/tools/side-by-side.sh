#!/usr/bin/env bash
# Closed-loop redis-benchmark against one redis-server and each marekvs variant, alternating,
# in one run: ops/s, the ratio to Redis, and server CPU µs per request (user + system from
# /proc, so the client's share of the machine does not count). The figure to trust on a noisy
# machine is the CPU per request of variants measured side by side.
#   bench/tools/side-by-side.sh /work/old /work/main
#   TESTS=set,get PIPELINES="1 16" REQUESTS=200000 bench/tools/side-by-side.sh /work/main
#   TESTS=evalsha PIPELINES=1 REQUESTS=50000 bench/tools/side-by-side.sh /work/old /work/main
#   VALUE_BYTES=1024 TESTS=set,get PIPELINES=1 bench/tools/side-by-side.sh /work/old /work/main
# A variant may carry environment: "/work/main|MAREKVS_FSYNC=always". RUN_TIMEOUT (600 s) bounds
# each redis-benchmark run.
source "$(dirname "$0")/common.sh"
TESTS=${TESTS:-set,get}; PIPELINES=${PIPELINES:-"1 16"}; REQUESTS=${REQUESTS:-100000}; CLIENTS=${CLIENTS:-50}; VALUE_BYTES=${VALUE_BYTES:-3}
[ $# -gt 0 ] || { echo "usage: $0 VARIANT..." >&2; exit 2; }
start_servers 7400 "" "$@"
# evalsha: the bench's token-bucket script (bench/workloads.ts), loaded into the server first.
TOKEN_BUCKET=$(node -e "process.stdout.write(require('$REPO_ROOT/dist/bench/workloads.js').TOKEN_BUCKET)")
run() { # port pid test pipeline -> "ops/s cpu-us-per-request"
  local c0 c1 ops test=(-t "$3")
  [ "$3" = evalsha ] && test=(evalsha "$(redis-cli -p "$1" script load "$TOKEN_BUCKET")" 1 'bucket:__rand_int__')
  c0=$(cpu_seconds "$2")
  # A server that dies mid-run leaves redis-benchmark reconnecting forever: bound each run.
  ops=$(timeout "${RUN_TIMEOUT:-600}" redis-benchmark -p "$1" -c "$CLIENTS" -n "$REQUESTS" -r 100000 -d "$VALUE_BYTES" -P "$4" -q "${test[@]}" | tr '\r' '\n' | grep 'requests per second' | tail -1 | awk '{ for (i = 2; i <= NF; i++) if ($i == "requests") print $(i - 1) }')
  c1=$(cpu_seconds "$2")
  echo "$ops $(awk -v a="$c0" -v b="$c1" -v n="$REQUESTS" 'BEGIN { printf "%.2f", (b - a) * 1e6 / n }')"
}
for p in $PIPELINES; do for t in ${TESTS//,/ }; do
  read -r rops rcpu <<< "$(run "${ports[0]}" "${pids[0]}" "$t" "$p")"
  line="$t -P $p: redis ${rops%.*}/s ${rcpu} µs"
  for j in $(seq 1 $((${#ports[@]} - 1))); do
    read -r mops mcpu <<< "$(run "${ports[$j]}" "${pids[$j]}" "$t" "$p")"
    line="$line | ${names[$j]}: ${mops%.*}/s $(awk -v a="$mops" -v b="$rops" 'BEGIN { printf "%.2f", a / b }')x ${mcpu} µs"
  done
  echo "$line"
done; done
redis-cli -p "${ports[0]}" shutdown nosave >/dev/null 2>&1 || true
