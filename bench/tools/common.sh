# Shared by the side-by-side scripts in this directory (sourced, not run).
# A variant is a checkout with dist/ and build/Release/marekvs.node built, optionally followed by
# `|VAR=value ...` for its environment: "/work/main", "/work/old|MAREKVS_SHARDS=4".
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d /tmp/marekvs-sbs.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Not this shell's children (started in command substitutions, or daemonized): wait by pid, or
  # a node still closing RocksDB writes into the directory being removed.
  for pid in "${PIDS[@]}"; do for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_redis PORT: redis-server with appendfsync everysec, as the bench runs it; prints its pid.
start_redis() {
  redis-server --port "$1" --save '' --appendonly yes --appendfsync everysec --dir "$WORK" \
    --daemonize yes --pidfile "$WORK/redis-$1.pid" >/dev/null
  for _ in $(seq 50); do [ -s "$WORK/redis-$1.pid" ] && break; sleep 0.1; done
  cat "$WORK/redis-$1.pid"
}

# start_marekvs VARIANT PORT [node args...]: a node with a fresh data dir; prints its pid.
start_marekvs() {
  local variant=$1 port=$2 repo env=()
  shift 2
  repo=${variant%%|*}
  [[ $variant == *"|"* ]] && read -r -a env <<< "${variant#*|}"
  mkdir -p "$WORK/m$port"
  env "${env[@]}" MAREKVS_DATA_DIR="$WORK/m$port" MAREKVS_RESP_ADDR="127.0.0.1:$port" MAREKVS_METRICS_ADDR=off \
    node "$@" "$repo/bin/marekvs-server" > "$WORK/m$port.log" 2>&1 &
  echo $!
}

# start_servers BASE_PORT "NODE_ARGS" VARIANT...: Redis on BASE_PORT, variant i on BASE_PORT + i,
# each answering; sets the arrays ports, pids and names (index 0: Redis).
start_servers() {
  local base=$1 node_args=$2 i=1 variant port
  shift 2
  ports=("$base"); pids=("$(start_redis "$base")"); names=(redis)
  PIDS+=("${pids[0]}")
  for variant in "$@"; do
    # shellcheck disable=SC2086 # node_args is a word list
    ports+=($((base + i))); pids+=("$(start_marekvs "$variant" $((base + i)) $node_args)"); PIDS+=("${pids[-1]}"); names+=("$variant")
    i=$((i + 1))
  done
  for port in "${ports[@]}"; do wait_port "$port"; done
}

wait_port() { for _ in $(seq 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "port $1 never answered" >&2; return 1; }

# cpu_seconds PID: user + system time of the whole process so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
