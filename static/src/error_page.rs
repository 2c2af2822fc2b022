//! Error answers in the listing page's dress: static's own errors are one
//! line of text, `CODE REASON` and sometimes `: what to do` (curl and
//! scripts read them as they are); a client that asks for HTML (a
//! browser's `Accept: text/html,...`) gets the same words as a small page
//! styled like the listings, light or dark with the system.

use brisk_core::StatusCode;
use brisk_server::{Body, Request, Response};

use crate::listing::{html_escape, STYLE};

/// The content type of static's one-line errors (and only of those among
/// its error answers).
const TEXT: &str = "text/plain; charset=utf-8";

/// `CODE REASON`, or `CODE REASON: detail`, and a newline.
pub fn text(status: StatusCode, detail: Option<&str>) -> String {
    match detail {
        Some(detail) => format!("{} {}: {detail}\n", status.as_u16(), status.reason()),
        None => format!("{} {}\n", status.as_u16(), status.reason()),
    }
}

/// Whether `req` asks for HTML: `text/html` among its `Accept` ranges
/// with a q-value above 0 (a browser's navigation does; curl's `*/*`,
/// fetch()'s and scripts' do not, and keep the line of text).
pub fn wants_html(req: &Request) -> bool {
    req.headers()
        .get_all("accept")
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .any(accepts_html)
}

/// One media range of `Accept`: `text/html` not refused by `q=0`.
fn accepts_html(range: &str) -> bool {
    let mut params = range.split(';').map(str::trim);
    let media = params.next().unwrap_or_default(); // ok: split yields at least one
    if !media.eq_ignore_ascii_case("text/html") {
        return false;
    }
    !params.any(|p| {
        p.strip_prefix("q=")
            .or_else(|| p.strip_prefix("Q="))
            .and_then(|q| q.parse::<f32>().ok())
            .is_some_and(|q| q <= 0.0)
    })
}

/// Dresses one of static's error lines (a status of 400 or more, a body of
/// text in [`text`]'s shape) as a page when `req` [`wants_html`]; every
/// such answer says `Vary: Accept`, since its form depends on it. Other
/// answers pass unchanged, after one comparison for a success.
pub fn dress(resp: Response, req: &Request) -> Response {
    if resp.status().as_u16() < 400 {
        return resp;
    }
    dress_as(resp, wants_html(req))
}

/// [`dress`], with the client's wish already known.
fn dress_as(resp: Response, html: bool) -> Response {
    if resp.headers().get_str("Content-Type") != Some(TEXT) {
        return resp;
    }
    let line = match resp.body() {
        Body::Bytes(b) => String::from_utf8_lossy(b).trim_end().to_string(),
        _ => return resp,
    };
    if !line.starts_with(&format!("{} ", resp.status().as_u16())) {
        return resp;
    }
    let mut resp = resp.header("Vary", "Accept");
    if !html {
        return resp;
    }
    resp.headers_mut()
        .insert("Content-Type", "text/html; charset=utf-8");
    resp.bytes(page(&line))
}

/// The page for one error line: its `CODE REASON` as the heading, the
/// rest (what to do) as a paragraph, and a link back to the site's root.
fn page(line: &str) -> String {
    let (title, detail) = match line.split_once(": ") {
        Some((title, detail)) => (title, Some(detail)),
        None => (line, None),
    };
    let title = html_escape(title);
    let detail = detail
        .map(|d| format!("<p>{}</p>\n", html_escape(d)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n{detail}<footer><a href=\"/\">Back to the top</a></footer>\n\
         </body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use brisk_core::{Headers, Method, Version};

    fn req(accept: Option<&str>) -> Request {
        let mut headers = Headers::new();
        if let Some(a) = accept {
            headers.append("Accept", a);
        }
        let peer = "127.0.0.1:1".parse().unwrap();
        Request::new(Method::Get, "/", Version::Http11, headers, vec![], peer)
    }

    #[test]
    fn html_only_when_asked_for() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_html(&req(Some(browser))));
        assert!(wants_html(&req(Some("TEXT/HTML; q=0.5"))));
        assert!(!wants_html(&req(Some("*/*"))));
        assert!(!wants_html(&req(Some("text/html;q=0, */*"))));
        assert!(!wants_html(&req(Some("text/plain"))));
        assert!(!wants_html(&req(None)));
    }

    #[test]
    fn an_error_line_becomes_a_page_with_its_words() {
        let line = text(StatusCode::CONFLICT, Some("a <b> exists: use --overwrite"));
        let resp = dress_as(Response::text(StatusCode::CONFLICT, line), true);
        assert_eq!(
            resp.headers().get_str("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(resp.headers().get_str("Vary"), Some("Accept"));
        let Body::Bytes(page) = resp.body() else {
            panic!("a page of bytes")
        };
        let page = String::from_utf8_lossy(page);
        assert!(page.contains("<h1>409 Conflict</h1>"), "{page}");
        assert!(
            page.contains("<p>a &lt;b&gt; exists: use --overwrite</p>"),
            "{page}"
        );
        assert!(page.contains("color-scheme"), "{page}");
    }

    #[test]
    fn plain_clients_keep_the_line_and_others_pass() {
        let line = text(StatusCode::NOT_FOUND, None);
        let resp = dress_as(Response::text(StatusCode::NOT_FOUND, line.clone()), false);
        assert_eq!(resp.headers().get_str("Content-Type"), Some(TEXT));
        assert_eq!(resp.headers().get_str("Vary"), Some("Accept"));
        assert!(matches!(resp.body(), Body::Bytes(b) if *b == line.as_bytes()));
        // A handler's own text, or a success, is not ours to dress.
        let other = dress_as(Response::text(StatusCode::NOT_FOUND, "nothing here"), true);
        assert_eq!(other.headers().get_str("Content-Type"), Some(TEXT));
        let browser = req(Some("text/html"));
        let ok = dress(Response::text(StatusCode::OK, "200 OK\n"), &browser);
        assert_eq!(ok.headers().get_str("Vary"), None);
    }
}
