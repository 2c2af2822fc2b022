//! `-w` variables of curl 7.88 that do not depend on timing or on the
//! local port: `%{method}`, `%{scheme}`, `%{http_version}`,
//! `%{num_headers}`, `%{header_json}`, `%header{name}`,
//! `%{filename_effective}`, `%{url}`, `%{referer}`, `%{redirect_url}`,
//! `%{size_request}`, `%{size_upload}`, `%{urlnum}`, `%{onerror}`,
//! `%{stderr}`/`%{stdout}`, `%{exitcode}`: the same stdout as curl's.
mod common;
#[path = "common/echo.rs"]
mod echo;

use echo::*;

#[test]
fn write_out_variables_print_what_curl_prints() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let cookies = origin.url(&format!("/h?{}", set_cookie_query(&["x=1", "y=\"q\""])));
    let redirect = origin.url("/r?to=/x");
    let closed = format!("http://127.0.0.1:{}/", common::free_port());
    let w1 = "%{http_code} %{method} %{scheme} %{http_version} %{num_headers} %{size_request} %{size_upload} %{urlnum} %{exitcode}\\n";
    let w2 = "%{header_json}|%header{set-cookie}|%header{content-length}\\n";
    let w3 = "%{filename_effective}|%{url}|%{referer}|%{redirect_url}|%{content_type}\\n";
    let w4 = "ok %{exitcode}%{onerror} failed %{exitcode}\\n";
    let w5 = "out%{stderr}err%{stdout}out2\\n";
    let c = |args: &[&str]| {
        let mut v = vec!["-s", "-A", "t", "-o", "/dev/null"];
        v.extend(args);
        Case::new(&v)
    };
    let cases = vec![
        c(&["-w", w1, &cookies, &redirect]),
        c(&["-w", w1, "-d", "abc", &redirect]),
        c(&["-w", w1, "-L", "-d", "abc", &redirect]),
        c(&["-w", w1, "-I", &cookies]),
        c(&["-w", w1, "-0", &cookies]),
        c(&["-w", w2, &cookies]),
        c(&["-w", w3, "-e", "http://ref/", &redirect]),
        c(&["-w", w3, "-L", &redirect]),
        c(&["-w", w4, &cookies]),
        c(&["-w", w4, &closed]),
        c(&["-w", w5, &cookies]),
    ];
    assert_cases_like_curl(&cases, dir.path());
}

/// The keys of a flat JSON object in order (values here hold no `,"`).
fn keys(json: &str) -> Vec<String> {
    json.trim()
        .trim_start_matches('{')
        .split(",\"")
        .filter_map(|kv| kv.trim_start_matches('"').split("\":").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn json_has_curls_keys_in_curls_order() {
    let origin = start_echo();
    let dir = tempfile::tempdir().expect("temp dir");
    let args: Vec<String> = ["-s", "-o", "/dev/null", "-w", "%{json}", &origin.url("/j")]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let curl = common::require("curl", "curl");
    let ours = run_in(&common::fetch_bin(), &args, dir.path(), b"");
    let theirs = run_in(&curl, &args, dir.path(), b"");
    let (o, t) = (
        String::from_utf8_lossy(&ours.stdout).into_owned(),
        String::from_utf8_lossy(&theirs.stdout).into_owned(),
    );
    assert_eq!(keys(&o), keys(&t), "\nfetch {o}\ncurl  {t}");
    assert!(
        o.contains("\"http_code\":200,") && o.contains("\"method\":\"GET\""),
        "{o}"
    );
}
