//! Running the server as `nobody`, for the tests of what it may not read
//! or write: root reads and writes everything, so as root the server is
//! started through setpriv with uid and gid 65534 and no groups.

use super::require_peer;

/// The uid (and gid) the server runs as under [`wrapper`] when the tests
/// run as root.
pub const NOBODY: u32 = 65534;

/// Whether the test runs as root (effective uid 0, from /proc).
pub fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

/// The command prefix for `StaticServer::start_as`: setpriv to `nobody`
/// when the tests run as root, nothing otherwise (the permissions then
/// bind the server as they are).
pub fn wrapper() -> &'static [&'static str] {
    if !is_root() {
        return &[];
    }
    require_peer("setpriv", "--version");
    &[
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ]
}

/// Sets `path`'s permission bits.
pub fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}
