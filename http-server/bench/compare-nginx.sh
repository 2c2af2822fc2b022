#!/usr/bin/env bash
# examples/hello against nginx (`return 200`, access log off, one worker),
# following DESIGN.md "Benchmark method": one server worker pinned to CPU 0,
# wrk -t1 -c50 -d5s pinned to CPU 1, rounds interleaved, medians of ROUNDS;
# requests per second and requests per server CPU-second (utime+stime of
# the server's threads, /proc/PID/stat), keep-alive and pipelined (16 per
# write); then RSS growth per idle keep-alive connection (N connections,
# one request each). Loopback only; every step is bounded in time.
#
# usage: http-server/bench/compare-nginx.sh [ROUNDS] [IDLE_CONNECTIONS]
set -euo pipefail
ROUNDS=${1:-3}
IDLE=${2:-5000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

(cd "$ROOT" && cargo build -q --release -p http-server --example hello)

NGX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/ngx/tmp" "$WORK/ngx/logs"
cat > "$WORK/ngx/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
error_log $WORK/ngx/error.log;
pid $WORK/ngx/nginx.pid;
events { worker_connections 20000; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  keepalive_requests 100000000;
  client_body_temp_path $WORK/ngx/tmp; proxy_temp_path $WORK/ngx/tmp;
  fastcgi_temp_path $WORK/ngx/tmp; uwsgi_temp_path $WORK/ngx/tmp; scgi_temp_path $WORK/ngx/tmp;
  server {
    listen 127.0.0.1:$NGX_PORT reuseport;
    location / { default_type text/plain; return 200 "Hello, World!"; }
  }
}
CONF
cat > "$WORK/pipeline.lua" <<'LUA'
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
LUA

start_ours() {
  ( ulimit -n 20000; WORKERS=1 exec taskset -c 0 "$TARGET/release/examples/hello" 127.0.0.1:0 ) > "$WORK/ours.out" 2>&1 &
  OURS_PID=$!; PIDS+=("$OURS_PID")
  for _ in $(seq 50); do [ -s "$WORK/ours.out" ] && break; sleep 0.1; done
  OURS_PORT=$(sed -E 's#.*:([0-9]+)/#\1#' "$WORK/ours.out")
  OURS_CPU_PID=$OURS_PID
}
start_nginx() {
  taskset -c 0 nginx -p "$WORK/ngx" -c "$WORK/ngx/nginx.conf" -e "$WORK/ngx/error.log" &
  NGX_PID=$!; PIDS+=("$NGX_PID")
  for _ in $(seq 50); do NGX_WORKER=$(pgrep -P "$NGX_PID" || true); [ -n "$NGX_WORKER" ] && break; sleep 0.1; done
}
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# run PID PORT [lua] -> "rps req_per_cpu_s"
run() {
  local pid=$1 port=$2 lua=${3:-} out b a total ticks
  b=$(ticks "$pid")
  if [ -n "$lua" ]; then out=$(taskset -c 1 timeout 20 wrk -t1 -c50 -d5s -s "$lua" "http://127.0.0.1:$port/")
  else out=$(taskset -c 1 timeout 20 wrk -t1 -c50 -d5s "http://127.0.0.1:$port/"); fi
  a=$(ticks "$pid")
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  ticks=$((a - b)); [ "$ticks" -gt 0 ] || ticks=1
  echo "$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}') $((total * $(getconf CLK_TCK) / ticks))"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

start_ours; start_nginx; sleep 0.5
declare -A R
for mode in keepalive pipelined; do
  lua=""; [ "$mode" = pipelined ] && lua="$WORK/pipeline.lua"
  for i in $(seq "$ROUNDS"); do
    R[ours_$mode]+="$(run "$OURS_CPU_PID" "$OURS_PORT" "$lua")"$'\n'
    R[nginx_$mode]+="$(run "$NGX_WORKER" "$NGX_PORT" "$lua")"$'\n'
  done
done

idle() { # PID PORT -> bytes per idle connection
  python3 - "$1" "$2" "$IDLE" <<'PY'
import socket, sys, time, resource
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for s in socks:
    assert s.recv(4096).startswith(b"HTTP/1.1 200")
time.sleep(1)
print(int((rss() - before) * 1024 / n))
PY
}
# Fresh servers, so that earlier rounds' memory does not hide growth.
kill "$OURS_PID" "$NGX_PID"; sleep 0.5
start_ours; start_nginx; sleep 0.5
IDLE_OURS=$(idle "$OURS_PID" "$OURS_PORT")
IDLE_NGX=$(idle "$NGX_WORKER" "$NGX_PORT")

col() { echo "${R[$1]}" | awk -v c="$2" 'NF {print $c}' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "| measure (median of $ROUNDS) | ours | nginx | ours / nginx |"
echo "|---|---|---|---|"
for mode in keepalive pipelined; do
  o=$(col "ours_$mode" 1); n=$(col "nginx_$mode" 1)
  echo "| $mode requests/s | $o | $n | $(ratio "$o" "$n") |"
  o=$(col "ours_$mode" 2); n=$(col "nginx_$mode" 2)
  echo "| $mode requests per server CPU-second | $o | $n | $(ratio "$o" "$n") |"
done
echo "| bytes per idle keep-alive connection ($IDLE) | $IDLE_OURS | $IDLE_NGX | $(ratio "$IDLE_OURS" "$IDLE_NGX") |"
