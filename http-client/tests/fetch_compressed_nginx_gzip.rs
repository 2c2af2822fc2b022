//! `fetch --compressed` against nginx with `gzip on`: curl's
//! Accept-Encoding is sent, nginx answers gzip, the body written is
//! byte-identical to the file, and `-v` shows the coding. Without the flag
//! no Accept-Encoding is sent and nginx answers identity.
mod common;
use common::*;

fn javascript() -> Vec<u8> {
    (0..4000u32)
        .flat_map(|i| {
            format!(
                "export const v{i} = () => compute({}, \"k{}\");\n",
                i * 7 % 1000,
                i % 13
            )
            .into_bytes()
        })
        .collect()
}

#[test]
fn fetch_compressed_nginx_gzip() {
    let js = javascript();
    let nginx = start_nginx(
        &[("app.js", &js)],
        "gzip on; gzip_comp_level 6; gzip_min_length 0; gzip_types application/javascript;\n    \
         types { application/javascript js; }",
    );
    let url = nginx.url("/app.js");
    let out = fetch(&["--compressed", "-v", &url]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(
        err.contains("> Accept-Encoding: deflate, gzip, br, zstd"),
        "{err}"
    );
    assert!(
        err.to_ascii_lowercase()
            .contains("< content-encoding: gzip"),
        "{err}"
    );
    assert!(out.stdout == js, "decoded body differs from the file");

    // -w size_download counts the bytes received (compressed).
    let out = fetch(&[
        "--compressed",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        &url,
    ]);
    let wire: usize = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("size");
    assert!(
        wire < js.len() / 3,
        "{wire} bytes received for {}",
        js.len()
    );

    let out = fetch(&["-v", &url]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(!err.contains("Accept-Encoding"), "{err}");
    assert!(
        !err.to_ascii_lowercase().contains("content-encoding"),
        "{err}"
    );
    assert!(out.stdout == js);
}
