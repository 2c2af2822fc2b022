//! An error in the middle of an archive cuts the connection: a file that
//! shrinks while it is being archived (its header already promised its
//! size) makes curl fail the download (a transfer closed before the last
//! chunk), never a shorter archive that looks complete.
mod common;
use common::*;
use std::time::Duration;

const SIZE: u64 = 64 << 20;

#[test]
fn archive_cut_when_a_file_shrinks() {
    let root = site();
    let out = site();
    require_peer("curl", "--version");
    let server = StaticServer::start(root.path(), &["-q", "--archives"]);
    for format in ["tar", "tar_gz", "zip"] {
        let file = root.path().join("big.bin");
        std::fs::File::create(&file)
            .and_then(|f| f.set_len(SIZE))
            .expect("sparse fixture");
        let sink = out.path().join(format!("cut.{format}"));
        let url = format!("{}?download={format}", server.url);
        // gzip makes the zeros tiny: let more through before the cut.
        let rate = if format == "tar_gz" { "40K" } else { "4M" };
        let mut curl = slow_download(&url, &sink, rate);
        wait_for_bytes(&sink, if format == "tar_gz" { 1024 } else { 1 << 20 });
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_len(1000))
            .expect("truncate");
        let status = test_support::wait_exit(&mut curl, Duration::from_secs(40))
            .ok()
            .flatten()
            .expect("curl ends");
        // 18: transfer closed with outstanding read data; 56: reset.
        assert!(
            matches!(status.code(), Some(18 | 56)),
            "{format}: curl exit {:?}",
            status.code()
        );
        let got = std::fs::metadata(&sink).map_or(0, |m| m.len());
        assert!(got < SIZE, "{format}: {got} bytes");
    }
}
