//! A directory of more entries than zip's 16-bit counts hold (65,600
//! files in 20 directories) downloads as a zip with the ZIP64 end
//! records: `unzip -t` tests every member, and Python's `zipfile` finds
//! them all with their names.
mod common;
use common::archive::*;
use common::*;

const DIRS: usize = 20;
const FILES_PER_DIR: usize = 3_280;

#[test]
fn archive_zip_of_65536_entries() {
    let dir = site();
    let root = dir.path().join("many");
    for d in 0..DIRS {
        let sub = root.join(format!("d{d:02}"));
        std::fs::create_dir_all(&sub).expect("mkdir");
        for f in 0..FILES_PER_DIR {
            std::fs::write(
                sub.join(format!("f{f:04}")),
                if f % 2 == 0 { "" } else { "x" },
            )
            .expect("write fixture");
        }
    }
    let entries = 1 + DIRS + DIRS * FILES_PER_DIR;
    assert!(entries > 65_535);
    let server = StaticServer::start(&root, &["-q", "--archives"]);
    let zip = dir.path().join("many.zip");
    let (head, code) = download(&format!("{}?download=zip", server.url), &zip, &[], 300);
    assert_eq!((head.status, code), (200, Some(0)));
    unzip_test(&zip);
    require_peer("python3", "--version");
    let script = format!(
        "import zipfile, sys\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         names = z.namelist()\n\
         assert len(names) == {entries}, len(names)\n\
         assert len(set(names)) == len(names)\n\
         assert 'many/d19/f3279' in names and 'many/d00/' in names and names[0] == 'many/'\n\
         assert z.getinfo('many/d07/f0001').file_size == 1\n\
         print('ok')"
    );
    let out = run(300, "python3", &["-c", &script, &zip.to_string_lossy()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The end record says 0xFFFF entries: the count is in the ZIP64 record.
    let bytes = std::fs::read(&zip).expect("read zip");
    let end = &bytes[bytes.len() - 22..];
    assert_eq!(&end[..4], b"PK\x05\x06");
    assert_eq!(&end[10..12], &[0xff, 0xff]);
    let zip64_end = &bytes[bytes.len() - 22 - 20 - 56..];
    assert_eq!(&zip64_end[..4], b"PK\x06\x06");
    assert_eq!(
        u64::from_le_bytes(zip64_end[32..40].try_into().expect("8 bytes")),
        entries as u64
    );
}
