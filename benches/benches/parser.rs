//! Head parsing: ours against `httparse` on the same fixtures, in bytes per
//! second. Run with `cargo bench -p benches --bench parser`.

use brisk_core::{parse_request, parse_response, Limits, Status, EMPTY_HEADER};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use benches::fixtures::{BROWSER_GET, CURL_GET, RESPONSE};

fn requests(c: &mut Criterion) {
    for (name, fixture) in [("curl_get", CURL_GET), ("browser_get", BROWSER_GET)] {
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(fixture.len() as u64));
        g.bench_function("http-core", |b| {
            let limits = Limits::default();
            b.iter(|| {
                let mut slots = [EMPTY_HEADER; 32];
                match parse_request(black_box(fixture), &mut slots, &limits) {
                    Ok(Status::Complete((v, n))) => black_box((v.headers.len(), n)),
                    _ => unreachable!("fixture is valid"),
                }
            })
        });
        g.bench_function("httparse", |b| {
            b.iter(|| {
                let mut slots = [httparse::EMPTY_HEADER; 32];
                let mut r = httparse::Request::new(&mut slots);
                match r.parse(black_box(fixture)) {
                    Ok(httparse::Status::Complete(n)) => black_box((r.headers.len(), n)),
                    _ => unreachable!("fixture is valid"),
                }
            })
        });
        g.finish();
    }
}

fn responses(c: &mut Criterion) {
    let mut g = c.benchmark_group("response_head");
    g.throughput(Throughput::Bytes(RESPONSE.len() as u64));
    g.bench_function("http-core", |b| {
        let limits = Limits::default();
        b.iter(|| {
            let mut slots = [EMPTY_HEADER; 32];
            match parse_response(black_box(RESPONSE), &mut slots, &limits) {
                Ok(Status::Complete((v, n))) => black_box((v.headers.len(), n)),
                _ => unreachable!("fixture is valid"),
            }
        })
    });
    g.bench_function("httparse", |b| {
        b.iter(|| {
            let mut slots = [httparse::EMPTY_HEADER; 32];
            let mut r = httparse::Response::new(&mut slots);
            match r.parse(black_box(RESPONSE)) {
                Ok(httparse::Status::Complete(n)) => black_box((r.headers.len(), n)),
                _ => unreachable!("fixture is valid"),
            }
        })
    });
    g.finish();
}

criterion_group!(benches, requests, responses);
criterion_main!(benches);
