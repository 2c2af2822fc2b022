//! A file or directory the server may not read is left out of an archive
//! (and logged), the rest archived whole: not a 500, not a cut. Root
//! reads everything, so as root the server runs as `nobody` through
//! setpriv.
mod common;
use common::archive::*;
use common::*;

#[test]
fn archive_leaves_out_unreadable_files() {
    let dir = site();
    let root = dir.path().join("www");
    write(&root, "open.txt", "open");
    write(&root, "locked.txt", "secret");
    write(&root, "locked-dir/inside.txt", "secret");
    write(&root, "sub/also-open.txt", "also open");
    let mode = |p: &str, m: u32| nobody::chmod(&root.join(p), m);
    // The tempdir itself is 0700: open the way for nobody.
    nobody::chmod(dir.path(), 0o755);
    mode(".", 0o755);
    mode("locked.txt", 0o000);
    mode("locked-dir", 0o000);

    let wrapper = nobody::wrapper();
    let server = StaticServer::start_as(wrapper, &root, &["-q", "--archives"]);
    let out = site();
    for (format, ext) in [("tar", "tar"), ("tar_gz", "tar.gz"), ("zip", "zip")] {
        let file = out.path().join(format!("www.{ext}"));
        let (head, code) = download(&format!("{}?download={format}", server.url), &file, &[], 60);
        assert_eq!((head.status, code), (200, Some(0)), "{format}");
        let mut names: Vec<String> = match format {
            "zip" => {
                unzip_test(&file);
                let listed = run(60, "unzip", &["-Z1", &file.to_string_lossy()]);
                String::from_utf8_lossy(&listed.stdout)
                    .lines()
                    .map(str::to_string)
                    .collect()
            }
            _ => tar_list(&file, format == "tar_gz"),
        };
        names.sort();
        assert_eq!(
            names,
            ["www/", "www/open.txt", "www/sub/", "www/sub/also-open.txt"],
            "{format}"
        );
    }
    mode("locked-dir", 0o755);
}
