//! `Content-Type` for a file name: `mime_guess`, `charset=utf-8` on text,
//! `application/octet-stream` when unknown.

use std::path::Path;

/// The `Content-Type` for a file called `path`. Text types get
/// `; charset=utf-8`, so that browsers do not guess (and so that a `.txt`
/// file with non-ASCII names or content renders right).
pub fn for_path(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = match mime.essence_str() {
        // RFC 9239: text/javascript is the one type for JavaScript (mime_guess
        // still says application/javascript for .mjs).
        "application/javascript" => "text/javascript",
        other => other,
    };
    if is_text(essence) {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_string()
    }
}

/// Types whose body is text that a charset applies to.
fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence,
            "application/javascript" | "application/json" | "application/xml" | "application/x-sh"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let table = [
            ("index.html", "text/html; charset=utf-8"),
            ("a/b/README.txt", "text/plain; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("app.js", "text/javascript; charset=utf-8"),
            ("data.json", "application/json; charset=utf-8"),
            ("pic.svg", "image/svg+xml; charset=utf-8"),
            ("pic.png", "image/png"),
            ("movie.mp4", "video/mp4"),
            ("archive.tar.gz", "application/gzip"),
            ("noextension", "application/octet-stream"),
            ("weird.zzzunknown", "application/octet-stream"),
            ("UPPER.HTML", "text/html; charset=utf-8"),
            ("module.mjs", "text/javascript; charset=utf-8"),
            ("app.wasm", "application/wasm"),
            (
                "site.webmanifest",
                "application/manifest+json; charset=utf-8",
            ),
            ("font.woff2", "font/woff2"),
            ("notes.md", "text/markdown; charset=utf-8"),
        ];
        for (name, expect) in table {
            assert_eq!(for_path(Path::new(name)), expect, "{name}");
        }
    }
}
