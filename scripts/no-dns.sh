#!/usr/bin/env bash
# Runs a command (the tests) so that no name it resolves through the
# system resolver leaves the machine, and fails when one is resolved:
#
#   bash scripts/no-dns.sh cargo test --workspace
#
# How: in a private mount namespace (unshare -m, root), /etc/resolv.conf
# names a DNS sink on loopback (scripts/dns_sink.py: NXDOMAIN to
# everything, each name recorded), /etc/nsswitch.conf says
# "hosts: files dns" (no systemd-resolved, mDNS or other backend that
# would bypass resolv.conf) and nscd's socket is hidden. Every lookup by
# getaddrinfo (ours, std's, curl's, chromium's, the peers') then reads
# /etc/hosts (localhost) and, for anything else, asks the sink. The
# command's status is kept; when the sink heard a query, the names are
# printed and the status is 1. Tests for unresolvable names run their
# client in a fresh network namespace (unshare -n) or through the
# client's resolver hook, so they ask no one.
#
# Not root, or no mount namespaces: the command runs as it is, with a notice.
set -euo pipefail
if [ "$(id -u)" -ne 0 ] || ! unshare -m -- true 2>/dev/null; then
  echo "no-dns: NOT GUARDED: needs root and mount namespaces (unshare -m); running the tests as they are" >&2
  exec "$@"
fi
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
sink_pid=""
cleanup() {
  if [ -n "$sink_pid" ]; then kill "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/ready"
python3 "$here/dns_sink.py" "$work/queries" >"$work/ready" &
sink_pid=$!
read -r -t 10 addr <"$work/ready" || { echo "no-dns: the DNS sink did not start" >&2; exit 1; }
printf 'nameserver %s\noptions attempts:1 timeout:1\n' "$addr" >"$work/resolv.conf"
printf 'hosts: files dns\n' >"$work/nsswitch.conf"
mkdir "$work/empty"
set +e
unshare -m -- sh -c '
  set -e
  work=$1; shift
  mount --bind "$work/resolv.conf" /etc/resolv.conf
  mount --bind "$work/nsswitch.conf" /etc/nsswitch.conf
  for d in /run/nscd /var/run/nscd; do
    if [ -d "$d" ]; then mount --bind "$work/empty" "$d"; fi
  done
  exec "$@"
' sh "$work" "$@"
rc=$?
set -e
if [ -s "$work/queries" ]; then
  echo "no-dns: the tests resolved names through the system resolver (DNS queries to the sink):" >&2
  sort "$work/queries" | uniq -c | sed 's/^/no-dns:   /' >&2
  echo "no-dns: resolve in a fresh network namespace (unshare -n) or through the client's resolver hook" >&2
  rc=1
fi
exit "$rc"
