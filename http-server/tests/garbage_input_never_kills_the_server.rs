//! Random and mutated bytes from many clients: every connection ends with
//! an answer or a close within its deadline, and the server keeps serving.
mod common;
use brisk_server::{Request, Response, StatusCode};
use common::*;
use std::io::{Read, Write};
use std::time::Duration;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: t\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /x?y=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
];

#[test]
fn mutated_requests_get_an_answer_or_a_close() {
    let server = serve(
        |s| {
            s.head_timeout(Duration::from_millis(500))
                .body_timeout(Duration::from_millis(500))
        },
        |req: &Request| Response::text(StatusCode::OK, format!("{}", req.body().len())),
    );
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..300 {
        let mut msg = SEEDS[rng.below(SEEDS.len())].to_vec();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(msg.len() + 1);
            match rng.below(4) {
                0 if at < msg.len() => msg[at] = rng.next() as u8,
                1 if at < msg.len() => {
                    msg.remove(at);
                }
                2 => msg.insert(at, b"\r\n: \0\x7f%\t"[rng.below(8)]),
                _ => msg.extend((0..rng.below(40)).map(|_| rng.next() as u8)),
            }
        }
        let mut s = connect(server.addr);
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let _ = s.write_all(&msg);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut out = Vec::new();
        match s.read_to_end(&mut out) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!(
                "no answer and no close for {:?}: {e}",
                String::from_utf8_lossy(&msg)
            ),
        }
        assert!(
            out.is_empty() || out.starts_with(b"HTTP/1.1 "),
            "{:?}",
            String::from_utf8_lossy(&out)
        );
    }
    let (resp, _) = exchange(server.addr, &get("/"));
    assert_eq!(resp.status, 200);
}
