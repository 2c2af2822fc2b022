//! The names macOS Finder writes beside a user's files on a WebDAV
//! volume: `._NAME` (AppleDouble: the extended attributes and resource
//! fork of `NAME`, which a WebDAV file has nowhere else to keep) and
//! `.DS_Store` (the folder's view settings).
//!
//! They are dotfiles, hidden by default; but a Finder copy that cannot
//! write them fails as a whole (error -36), and one that writes them and
//! cannot read them back repeats `PROPFIND`, `LOCK` and `PUT` until it
//! gives up (servers that answer 201 to the `PUT` and 404 to the next
//! `PROPFIND` were seen to leave empty files). So with WebDAV writes on,
//! these names, as the *last* segment of a path, are reachable by their
//! exact path, as any other file is (the same methods, locks and
//! credentials); they are still left out of every listing (the HTML page,
//! `PROPFIND` Depth 1, archives, a collection's `COPY`), and every other
//! dotfile (`.env`, `.git/`, `.htpasswd`) stays hidden.

/// Whether `name` is one Finder writes: `._` followed by at least one
/// byte, or exactly `.DS_Store`.
pub fn is_finder_name(name: &str) -> bool {
    name == ".DS_Store" || (name.len() > 2 && name.starts_with("._"))
}

#[cfg(test)]
mod tests {
    use super::is_finder_name;

    #[test]
    fn finder_names() {
        for yes in ["._a.txt", "._.", ".DS_Store", "._ x"] {
            assert!(is_finder_name(yes), "{yes}");
        }
        for no in [
            "._",
            ".",
            "..",
            ".env",
            ".ds_store",
            ".DS_Store.bak",
            "a._b",
            "_a",
            ".git",
        ] {
            assert!(!is_finder_name(no), "{no}");
        }
    }
}
