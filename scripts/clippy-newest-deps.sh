#!/usr/bin/env bash
# Lints the workspace with the newest dependency versions its manifests
# allow, as a user gets them who builds without --locked (`cargo install
# --path static`, or one of our crates added to a new project): a
# deprecation in a new minor release must not turn their build noisy or
# our CI red later. Works in a copy, so the repository's Cargo.lock stays
# as committed. Needs the crates.io index.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
tar --exclude=./target --exclude=./fuzz/target --exclude=./.git -cf - . | tar -xf - -C "$copy"
cd "$copy"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo update 2>&1 | grep -E '^ +(Updating|Adding|Removing) ' || true
cargo clippy --workspace --all-targets -- -D warnings
