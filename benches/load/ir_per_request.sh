#!/bin/bash
# Instructions (callgrind Ir) a server spends per pipelined request: the
# server runs under callgrind twice, for 4,800 and for 24,000 requests
# (batches of DEPTH=16 on connections of at most 992, since our server,
# like nginx, closes after 1,000), and the difference is divided by
# 19,200, so start-up and exit cancel out. Deterministic to about +-1%,
# unlike CPU time on a shared machine: the way to compare two builds of
# the user-space path (hardware counters are not available in these VMs).
#
#   benches/load/ir_per_request.sh target/release/examples/hello [PORT]
#   REQUEST=wrk ... sends compare.py's request (wrk's: request line and
#   Host 127.0.0.1:PORT) instead of the default four-line plaintext one.
#   ARGS='--workers 1 -q DIR' ... runs "$BIN --addr 127.0.0.1:PORT $ARGS"
#   instead (static: with REQUEST=wrk TARGET=/1k.txt MARK='200 OK').
#   KEEP=1 ... keeps the 24,000-request profile as /tmp/ir.<binary>.out
#   (python3 benches/load/ir_top.py /tmp/ir.hello.out 24000 lists its
#   functions by self cost, inlined code folded into its caller).
set -euo pipefail
BIN=$1; PORT=${2:-18555}; DEPTH=${DEPTH:-16}; REQUEST=${REQUEST:-plaintext}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run() {
  local args=("127.0.0.1:$PORT")
  # shellcheck disable=SC2206 # ARGS is split into words on purpose
  if [ -n "${ARGS:-}" ]; then args=(--addr "127.0.0.1:$PORT" $ARGS); fi
  WORKERS=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1" \
    "$BIN" "${args[@]}" >"$OUT/log.$1" 2>&1 &
  local pid=$!
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT)).close()" 2>/dev/null; do sleep 0.2; done
  python3 "$HERE/pipeclient.py" "$PORT" "$1" "$DEPTH" "$REQUEST" >&2
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  grep -h "^summary" "$OUT/cg.$1" | awk '{print $2}'
}
a=$(run 4800); b=$(run 24000)
if [ -n "${KEEP:-}" ]; then cp "$OUT/cg.24000" "/tmp/ir.$(basename "$BIN").out"; fi
echo "$(basename "$BIN") ($REQUEST): $(( (b - a) / 19200 )) Ir per request"
