//! Many pipelined requests for large answers arrive in one write: the
//! server pauses parsing above its high-water mark and must resume by
//! itself once the queue drains (no new bytes will come to wake it).
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{BufReader, Write};

#[test]
fn all_answers_arrive_although_parsing_paused() {
    let server = serve(
        |s| s,
        |req: &Request| {
            let n: usize = req.path().trim_start_matches('/').parse().unwrap_or(0);
            Response::new(StatusCode::OK).bytes(vec![b'a' + (n % 26) as u8; 20_000])
        },
    );
    let mut s = connect(server.addr);
    let mut raw = vec![];
    for i in 0..60 {
        raw.extend(get(&format!("/{i}")));
    }
    s.write_all(&raw).unwrap();
    let mut r = BufReader::new(s);
    for i in 0..60 {
        let resp = read_response(&mut r, false);
        assert_eq!(resp.body.len(), 20_000, "answer {i}");
        assert_eq!(resp.body[0], b'a' + (i % 26) as u8, "answer {i}");
    }
}
