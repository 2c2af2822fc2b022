//! Instruction-count profiling helper: `valgrind --tool=callgrind
//! target/release/examples/prof_parse ours|httparse curl|browser|response N`,
//! or `prof_parse host VALUE N` for `is_valid_host` alone.
use benches::fixtures::{BROWSER_GET, CURL_GET, RESPONSE};
use brisk_core::{is_valid_host, parse_request, parse_response, Limits, Status, EMPTY_HEADER};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("ours");
    if which == "host" {
        return host(&args);
    }
    let fixture = match args.get(2).map(String::as_str).unwrap_or("browser") {
        "curl" => CURL_GET,
        "response" => RESPONSE,
        _ => BROWSER_GET,
    };
    let is_resp = fixture == RESPONSE;
    let iters: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let limits = Limits::default();
    let mut total = 0;
    let t = std::time::Instant::now();
    for _ in 0..iters {
        let buf = std::hint::black_box(fixture);
        total += match (which, is_resp) {
            ("ours", false) => {
                let mut slots = [EMPTY_HEADER; 32];
                match parse_request(buf, &mut slots, &limits) {
                    Ok(Status::Complete((v, n))) => v.headers.len() + n,
                    _ => 0,
                }
            }
            ("ours", true) => {
                let mut slots = [EMPTY_HEADER; 32];
                match parse_response(buf, &mut slots, &limits) {
                    Ok(Status::Complete((v, n))) => v.headers.len() + n,
                    _ => 0,
                }
            }
            (_, false) => {
                let mut slots = [httparse::EMPTY_HEADER; 32];
                let mut r = httparse::Request::new(&mut slots);
                match r.parse(buf) {
                    Ok(httparse::Status::Complete(n)) => r.headers.len() + n,
                    _ => 0,
                }
            }
            (_, true) => {
                let mut slots = [httparse::EMPTY_HEADER; 32];
                let mut r = httparse::Response::new(&mut slots);
                match r.parse(buf) {
                    Ok(httparse::Status::Complete(n)) => r.headers.len() + n,
                    _ => 0,
                }
            }
        };
    }
    println!("{which}: {total} {:?}/iter", t.elapsed() / iters as u32);
}

/// `prof_parse host VALUE N`: N checks of one `Host` value.
fn host(args: &[String]) {
    let value = args.get(2).map_or("127.0.0.1:8080", String::as_str);
    let iters: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let t = std::time::Instant::now();
    let valid = (0..iters)
        .filter(|_| is_valid_host(std::hint::black_box(value.as_bytes())))
        .count();
    println!("host: {valid} {:?}/iter", t.elapsed() / iters as u32);
}
