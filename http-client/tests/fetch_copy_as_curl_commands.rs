//! Commands as Chromium's and Firefox's devtools write them with "Copy as
//! cURL" (many `-H`, `-b`, `--data-raw` JSON, multipart bodies in
//! `--data-raw $'...'`, `--compressed`, `-X`, `--insecure`), run
//! unchanged: `fetch` sends what curl 7.88 sends and prints what it
//! prints. Only the URL points at the loopback echo origin.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const FIREFOX_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

fn chrome_headers(origin: &str) -> Vec<String> {
    [
        "Accept: application/json, text/plain, */*".to_string(),
        "Accept-Language: en-US,en;q=0.9,de;q=0.8".into(),
        "Cache-Control: no-cache".into(),
        "Connection: keep-alive".into(),
        format!("Origin: {origin}"),
        "Pragma: no-cache".into(),
        format!("Referer: {origin}/app/dashboard"),
        "Sec-Fetch-Dest: empty".into(),
        "Sec-Fetch-Mode: cors".into(),
        "Sec-Fetch-Site: same-origin".into(),
        format!("User-Agent: {CHROME_UA}"),
        "sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"".into(),
        "sec-ch-ua-mobile: ?0".into(),
        "sec-ch-ua-platform: \"Linux\"".into(),
    ]
    .to_vec()
}

fn with_h(mut args: Vec<String>, headers: &[String]) -> Vec<String> {
    for h in headers {
        args.push("-H".into());
        args.push(h.clone());
    }
    args
}

#[test]
fn devtools_commands_run_unchanged() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let base = origin.url("").trim_end_matches('/').to_string();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let multipart = "------WebKitFormBoundaryx8Jd2mQ1\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n------WebKitFormBoundaryx8Jd2mQ1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\n\r\n------WebKitFormBoundaryx8Jd2mQ1--\r\n";
    let ff_multipart = "-----------------------------2843\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nv\r\n-----------------------------2843--\r\n";
    let mut commands: Vec<Vec<String>> = Vec::new();
    // Chromium: GET with cookies and the full header set.
    commands.push(with_h(
        s(&[&format!("{base}/api/items?page=2&sort=-date")]),
        &chrome_headers(&base),
    ));
    let mut v = with_h(s(&[&format!("{base}/api/me")]), &chrome_headers(&base));
    v.extend(s(&[
        "-b",
        "session=abc123; theme=dark; _ga=GA1.1.123.456",
        "--compressed",
    ]));
    commands.push(v);
    // Chromium: POST JSON.
    let mut v = with_h(s(&[&format!("{base}/api/items")]), &chrome_headers(&base));
    v.extend(s(&[
        "-H",
        "Content-Type: application/json",
        "-b",
        "session=abc123",
        "--data-raw",
        "{\"name\":\"widget\",\"tags\":[\"a\",\"b\"],\"price\":12.5,\"note\":\"@not-a-file\"}",
        "--compressed",
    ]));
    commands.push(v);
    // Chromium: PUT and DELETE.
    let mut v = s(&[&format!("{base}/api/items/7"), "-X", "PUT"]);
    v = with_h(v, &chrome_headers(&base));
    v.extend(s(&[
        "-H",
        "content-type: application/json",
        "--data-raw",
        "{\"done\":true}",
        "--compressed",
    ]));
    commands.push(v);
    let mut v = s(&[&format!("{base}/api/items/7"), "-X", "DELETE"]);
    v = with_h(v, &chrome_headers(&base));
    v.extend(s(&["--compressed"]));
    commands.push(v);
    // Chromium: a form post and a multipart upload (the body written out).
    let mut v = with_h(s(&[&format!("{base}/login")]), &chrome_headers(&base));
    v.extend(s(&[
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        "--data-raw",
        "user=alice&pass=s%26cret&remember=on",
        "--compressed",
    ]));
    commands.push(v);
    let mut v = with_h(s(&[&format!("{base}/upload")]), &chrome_headers(&base));
    v.extend(s(&[
        "-H",
        "Content-Type: multipart/form-data; boundary=----WebKitFormBoundaryx8Jd2mQ1",
        "--data-raw",
        multipart,
        "--compressed",
    ]));
    commands.push(v);
    // Chromium with a self-signed dev server: --insecure is harmless on http.
    let mut v = with_h(
        s(&[&format!("{base}/gz/bundle.js")]),
        &chrome_headers(&base),
    );
    v.extend(s(&["--compressed", "--insecure"]));
    commands.push(v);
    // Firefox: GET and POST, cookies in -H, Accept-Encoding given.
    let ff = |extra: &[&str], url: &str| {
        let mut v = s(&[url]);
        v.extend(s(&[
            "-H",
            &format!("User-Agent: {FIREFOX_UA}"),
            "-H",
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            "-H",
            "Accept-Language: en-US,en;q=0.5",
            "-H",
            "Accept-Encoding: gzip, deflate, br",
            "-H",
            "Connection: keep-alive",
            "-H",
            "Cookie: sid=42; pref=compact",
            "-H",
            "Upgrade-Insecure-Requests: 1",
            "-H",
            "Sec-Fetch-Dest: document",
            "-H",
            "Sec-Fetch-Mode: navigate",
            "-H",
            "Sec-Fetch-Site: none",
            "-H",
            "Sec-Fetch-User: ?1",
        ]));
        v.extend(s(extra));
        v
    };
    commands.push(ff(&["--compressed"], &format!("{base}/gz/page")));
    commands.push(ff(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data-raw",
            "{\"q\":\"search terms\",\"limit\":10}",
        ],
        &format!("{base}/api/search"),
    ));
    commands.push(ff(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: multipart/form-data; boundary=---------------------------2843",
            "--data-binary",
            ff_multipart,
        ],
        &format!("{base}/form"),
    ));
    let cases: Vec<Case> = commands
        .into_iter()
        .map(|mut args| {
            args.insert(0, "-s".into());
            Case {
                args,
                stdin: Vec::new(),
            }
        })
        .collect();
    assert!(cases.len() >= 10);
    assert_cases_like_curl(&cases, dir.path());
}
