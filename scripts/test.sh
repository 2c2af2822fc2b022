#!/usr/bin/env bash
# Runs every test: installs missing peers, then format, lints, and the
# whole workspace's tests (unit, behaviour over loopback, doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from rustup.rs" >&2; exit 1; }
bash scripts/install-peers.sh
export PATH="$PATH:/usr/sbin"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The Redis relay (ws/redis.rs, ws_echo's relay, their test) compiles only
# with brisk-server's `redis` feature, which the workspace runs do not
# turn on.
cargo clippy -p brisk-server --features redis --lib --example ws_echo \
    --test websocket_chat_fans_out_through_redis -- -D warnings
bash scripts/clippy-newest-deps.sh
# The fuzz crate is outside the workspace (cargo-fuzz wants nightly flags),
# so nothing else would notice when a target stops compiling: check that
# every file under fuzz/fuzz_targets is a [[bin]] of fuzz/Cargo.toml, and
# that they all build (plain `cargo check` works on stable).
for target in fuzz/fuzz_targets/*.rs; do
    grep -qx "path = \"$target\"" <(sed 's|^path = "|path = "fuzz/|' fuzz/Cargo.toml) ||
        { echo "$target is not a [[bin]] in fuzz/Cargo.toml" >&2; exit 1; }
done
cargo check --manifest-path fuzz/Cargo.toml
# Nothing blocks a first release: the four published crates package (names,
# metadata, licence files, readmes), in dependency order, each against the
# packages of the ones before it (cargo's local overlay for unpublished
# path dependencies). --no-verify: the builds and tests below compile them.
cargo package --workspace --exclude benches --exclude test-support --no-verify --allow-dirty
log="$(mktemp)"
set +e
# No test may resolve a name through the system resolver (its queries
# would leave the machine): scripts/no-dns.sh points it at a sink on
# loopback and fails the run when the sink hears a query.
bash scripts/no-dns.sh cargo test --workspace 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# The one test that needs a cargo feature: the Redis fan-out (a real
# redis-server and two ws_echo processes built with `redis`). Only that
# test binary, not the workspace again.
bash scripts/no-dns.sh cargo test -p brisk-server --features redis \
    --test websocket_chat_fans_out_through_redis 2>&1 | tee -a "$log"
rc_redis=${PIPESTATUS[0]}
[ "$rc" -ne 0 ] || rc=$rc_redis
set -e
# The summary: every "test result" line added up.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "%d passed, %d failed, %d skipped\n", p, f, i }' "$log"
rm -f "$log"
exit "$rc"
