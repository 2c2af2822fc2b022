//! The listing shows awkward names as text, links them percent-encoded
//! (every link works), puts directories first, and hides what a request
//! could not open (dotfiles, symlinks out).
mod common;
use common::*;

#[test]
fn listing_with_awkward_names() {
    let base = site();
    let root = base.path().join("root");
    let names = [
        "with space.txt",
        "été ünïcödé.txt",
        "100%.txt",
        "<script>alert(1)<\\script>.txt",
        "a & b.txt",
        "quote\"s'.txt",
        "hash#q?.txt",
        "a:b.txt",
        "plus+sign.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        write(&root, name, format!("file {i}"));
    }
    write(&root, "sub dir/inner.txt", "inner");
    write(&root, ".hidden", "no");
    write(base.path(), "outside.txt", "no");
    std::os::unix::fs::symlink(base.path().join("outside.txt"), root.join("escape"))
        .expect("symlink");
    let server = StaticServer::start(&root, &[]);

    let reply = parse_reply(&curl(&["-i", &server.url]).stdout);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let page = String::from_utf8(reply.body).expect("utf-8 page");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script>"), "a name became markup");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;\\script&gt;.txt"));
    assert!(!page.contains(".hidden"));
    assert!(!page.contains("escape"));
    assert!(
        !page.contains("class=\"parent\""),
        "the root has no parent link"
    );

    // Directories first.
    let first_dir = page.find("sub dir/").expect("dir listed");
    let first_file = page.find("class=\"file\"").expect("files listed");
    assert!(first_dir < first_file);

    // Every link resolves, through curl, to the right file.
    let hrefs: Vec<&str> = page
        .split("href=\"./")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').expect("closing quote")])
        .collect();
    assert_eq!(hrefs.len(), names.len() + 1, "{hrefs:?}");
    for (i, name) in names.iter().enumerate() {
        let encoded = hrefs
            .iter()
            .find(|h| percent_decode(h) == *name)
            .unwrap_or_else(|| panic!("no link for {name:?} in {hrefs:?}"));
        // The page is HTML: undo the one entity a link can hold.
        let href = encoded.replace("&amp;", "&");
        let out = curl(&[&format!("{}{href}", server.url)]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("file {i}"),
            "{name:?} via {href}"
        );
    }

    // The subdirectory page links back to its parent.
    let sub =
        String::from_utf8(curl(&[&format!("{}sub%20dir/", server.url)]).stdout).expect("utf-8");
    assert!(sub.contains("<title>Index of /sub dir/</title>"), "{sub}");
    assert!(sub.contains("<a class=\"parent\" href=\"../\">"));
    assert!(sub.contains("href=\"./inner.txt\""));

    // Sorting by size, descending, through the query.
    write(&root, "sizes/small", "x");
    write(&root, "sizes/large", "x".repeat(5000));
    let by_size =
        String::from_utf8(curl(&[&format!("{}sizes/?sort=size&order=desc", server.url)]).stdout)
            .expect("utf-8");
    assert!(by_size.find("large").expect("large") < by_size.find("small").expect("small"));
    assert!(by_size.contains("4.9 KiB"));
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out)
        .replace("&amp;", "&")
        .replace("&#39;", "'")
}
