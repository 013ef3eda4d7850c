#!/usr/bin/env bash
# Prove the npm package works the way users get it: `npm pack` (prepack writes the prebuild),
# install the tarball into an empty project on a PATH without cargo, start marekvs-server,
# talk to it with redis-cli, stop it with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
server=""
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
contents=$(tar -tzf "$work/$tarball")
grep -qx 'package/prebuilds/linux-x64/marekvs.node' <<<"$contents" || { echo "pack-smoke: the tarball carries no prebuilds/linux-x64/marekvs.node" >&2; exit 1; }

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
# A PATH without cargo or rustc: the prebuild must be what loads.
clean_path=/usr/local/bin:/usr/bin:/bin
if PATH=$clean_path command -v cargo >/dev/null; then echo "pack-smoke: cargo is still on the clean PATH" >&2; exit 1; fi
PATH=$clean_path npm install --no-audit --no-fund "$work/$tarball" >/dev/null

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
# The bin itself, not npx: a signal to npx would not reach the server.
PATH=$clean_path MAREKVS_RESP_ADDR=127.0.0.1:$port MAREKVS_METRICS_ADDR=off RUST_LOG=warn node_modules/.bin/marekvs-server &
server=$!
for _ in $(seq 1 100); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done
[ "$(redis-cli -p "$port" SET packed yes)" = "OK" ]
[ "$(redis-cli -p "$port" GET packed)" = "yes" ]
test -d "$work/app/.data/n0" || { echo "pack-smoke: no data in .data/n0" >&2; exit 1; }
kill -TERM "$server"
wait "$server"
server=""
echo "pack-smoke: packed tarball installed without cargo, served SET/GET, stopped cleanly"
