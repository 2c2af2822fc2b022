#!/usr/bin/env bash
# Installs the real programs the tests talk to (see ../shared/PEERS.md),
# only those that are missing. Needs root (or sudo) for apt-get.
# The PEERS table below is the one list of them (the README points here):
#   bash scripts/install-peers.sh --list   prints it and what is missing, installs nothing.
set -euo pipefail

# command -> Debian package
declare -A PEERS=(
  [curl]=curl
  [nginx]=nginx
  [wrk]=wrk
  [tinyproxy]=tinyproxy
  [danted]=dante-server
  [microsocks]=microsocks
  [chromium]=chromium
  [python3]=python3
  [openssl]=openssl
  [stunnel4]=stunnel4
  [haproxy]=haproxy
  [certutil]=libnss3-tools
  [unzip]=unzip
  [unshare]=util-linux
  [mount]=mount
  [litmus]=litmus
  [rclone]=rclone
  [cadaver]=cadaver
  [mount.davfs]=davfs2
  [nsenter]=util-linux
  [node]=nodejs
  [npm]=npm
  [redis-server]=redis-server
)

present() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

if [ "${1:-}" = "--list" ]; then
  for cmd in $(printf '%s\n' "${!PEERS[@]}" | sort); do
    if present "$cmd"; then state=present; else state=missing; fi
    printf '%-12s %-16s %s\n' "$cmd" "${PEERS[$cmd]}" "$state"
  done
  exit 0
fi

# WebSocket peers (http-server/tests/websocket_*): Python's websockets and
# node's ws, the latter in a cache directory the tests put on NODE_PATH.
install_ws_peers() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  if ! python3 -c 'import websockets' >/dev/null 2>&1; then
    echo "peers: installing python websockets"
    python3 -m pip install -q websockets 2>/dev/null \
      || python3 -m pip install -q --break-system-packages websockets 2>/dev/null \
      || $sudo apt-get install -y -q --no-install-recommends python3-websockets >/dev/null
  fi
  local node_peers="${XDG_CACHE_HOME:-$HOME/.cache}/http-peers"
  if [ ! -d "$node_peers/node_modules/ws" ]; then
    echo "peers: installing node ws into $node_peers"
    mkdir -p "$node_peers"
    (cd "$node_peers" && npm install --silent --no-audit --no-fund ws >/dev/null)
  fi
}

missing=()
for cmd in "${!PEERS[@]}"; do
  if ! present "$cmd"; then
    missing+=("${PEERS[$cmd]}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "peers: all present"
  install_ws_peers
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "peers: missing ${missing[*]} and not root: install them with apt-get" >&2
    exit 1
  fi
fi

echo "peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# apt's own output stays visible: a failed install says why.
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts nothing here, but be sure no packaged daemon holds a port.
for svc in nginx tinyproxy danted stunnel4 haproxy redis-server; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
echo "peers: installed"
install_ws_peers
