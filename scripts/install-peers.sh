#!/usr/bin/env bash
# Installs the real programs the tests talk to (see ../shared/PEERS.md),
# only those that are missing. Needs root (or sudo) for apt-get.
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
  [litmus]=litmus
  [rclone]=rclone
  [cadaver]=cadaver
)

missing=()
for cmd in "${!PEERS[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("${PEERS[$cmd]}")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "peers: all present"
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
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts nothing here, but be sure no packaged daemon holds a port.
for svc in nginx tinyproxy danted stunnel4 haproxy; do
  $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
echo "peers: installed"
