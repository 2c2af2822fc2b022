//! The directory listing page: one self-contained HTML5 document (inline
//! CSS, no scripts, no outside assets), readable on a phone.
//!
//! Names are HTML-escaped in text and percent-encoded in links, so a file
//! called `<script>.txt` is shown as text and `100%.txt` links to
//! `100%25.txt`. Directories come first; the columns sort by name, size or
//! time through the query (`?sort=size&order=desc`), which needs no script.

use std::fmt::Write as _;
use std::time::SystemTime;

use crate::timefmt;
use brisk_core::encode_segment;

/// One row of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

/// The sort column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Size,
    Time,
}

impl SortKey {
    fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Size => "size",
            SortKey::Time => "time",
        }
    }
}

/// Column and direction, from the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// Reads `sort=name|size|time` and `order=asc|desc` from a raw query;
    /// anything else keeps the default (name, ascending).
    pub fn from_query(query: Option<&str>) -> Sort {
        let mut sort = Sort::default();
        for pair in query.unwrap_or("").split('&') {
            match pair.split_once('=') {
                Some(("sort", "name")) => sort.key = SortKey::Name,
                Some(("sort", "size")) => sort.key = SortKey::Size,
                Some(("sort", "time")) => sort.key = SortKey::Time,
                Some(("order", "asc")) => sort.descending = false,
                Some(("order", "desc")) => sort.descending = true,
                _ => {}
            }
        }
        sort
    }
}

/// Sorts directories first, then by `sort` within each group; ties (and
/// the name column) compare names case-insensitively, then exactly.
pub fn sort_entries(entries: &mut [Entry], sort: Sort) {
    entries.sort_by(|a, b| {
        let by_name = a
            .name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.name.cmp(&b.name));
        let by_key = match sort.key {
            SortKey::Name => by_name,
            SortKey::Size => a.size.cmp(&b.size).then(by_name),
            SortKey::Time => a.modified.cmp(&b.modified).then(by_name),
        };
        let by_key = if sort.descending {
            by_key.reverse()
        } else {
            by_key
        };
        b.is_dir.cmp(&a.is_dir).then(by_key)
    });
}

/// `1023 B`, `1.0 KiB`, `12.3 MiB`, ...
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages' style (listings and error pages): light or dark with the
/// system, native controls included (`color-scheme`).
pub(crate) const STYLE: &str = "\
:root{color-scheme:light dark}\
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222;background:#fff}\
h1{font-size:1.25rem;word-break:break-all}\
table{width:100%;border-collapse:collapse}\
th,td{padding:.4rem .5rem;text-align:left;border-bottom:1px solid #eee}\
th a{color:inherit}\
td.name{word-break:break-all}\
td.size,td.time,th.size,th.time{white-space:nowrap;text-align:right}\
a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}\
a.dir{font-weight:600}\
footer{color:#777;font-size:.85rem;margin:1rem 0}\
#upload{margin:1rem 0;line-height:2}\
.button{display:inline-block;padding:0 .7rem;border:1px solid #bbb;border-radius:.3rem;background:#f4f4f4;color:inherit;cursor:pointer;line-height:1.9}\
.button:hover{background:#e8e8e8}.button:focus-within{outline:2px solid #0645ad;outline-offset:1px}\
.button input{position:absolute;width:1px;height:1px;opacity:0}\
#upload-progress{margin-left:.5rem}\
@media (max-width:40rem){body{padding:.5rem}th.time,td.time{display:none}td{padding:.6rem .3rem}}\
@media (prefers-color-scheme:dark){body{background:#111;color:#ddd}a{color:#8ab4f8}th,td{border-color:#333}\
.button{background:#2a2a2a;border-color:#555}.button:hover{background:#363636}.button:focus-within{outline-color:#8ab4f8}}";

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders the page for the directory shown as `display_path` (decoded,
/// starting and ending with `/`), with a parent link when `has_parent`.
/// `entries` should already be sorted by [`sort_entries`].
pub fn render(display_path: &str, entries: &[Entry], sort: Sort, has_parent: bool) -> String {
    let title = html_escape(display_path);
    let mut page = String::with_capacity(1024 + entries.len() * 200);
    // Writing into a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Index of {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Index of {title}</h1>\n<table>\n<thead><tr>"
    );
    for (key, label, class) in [
        (SortKey::Name, "Name", "name"),
        (SortKey::Size, "Size", "size"),
        (SortKey::Time, "Modified (UTC)", "time"),
    ] {
        // Clicking the current column flips its direction.
        let (order, arrow) = match (sort.key == key, sort.descending) {
            (true, false) => ("desc", " \u{2191}"),
            (true, true) => ("asc", " \u{2193}"),
            (false, _) => ("asc", ""),
        };
        let _ = write!(
            page,
            "<th class=\"{class}\"><a href=\"?sort={}&amp;order={order}\">{label}{arrow}</a></th>",
            key.as_str()
        );
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    if has_parent {
        page.push_str(
            "<tr><td class=\"name\"><a class=\"parent\" href=\"../\">../</a></td>\
             <td class=\"size\"></td><td class=\"time\"></td></tr>\n",
        );
    }
    for e in entries {
        let href = encode_segment(&e.name);
        let name = html_escape(&e.name);
        let (slash, class, size) = if e.is_dir {
            ("/", "dir", "\u{2014}".to_string())
        } else {
            ("", "file", human_size(e.size))
        };
        let time = e.modified.map(timefmt::listing_time).unwrap_or_default();
        // "./" keeps a name like "a:b" from reading as a URL scheme.
        let _ = writeln!(
            page,
            "<tr><td class=\"name\"><a class=\"{class}\" href=\"./{href}{slash}\">{name}{slash}</a></td>\
             <td class=\"size\">{size}</td><td class=\"time\">{time}</td></tr>"
        );
    }
    let dirs = entries.iter().filter(|e| e.is_dir).count();
    let _ = write!(
        page,
        "</tbody>\n</table>\n<footer>{}, {}</footer>\n</body>\n</html>\n",
        count(dirs, "directory", "directories"),
        count(entries.len() - dirs, "file", "files")
    );
    page
}

/// The upload control of a listing when uploads are on: choose files or
/// drop them on the page; each is sent with `fetch()` as `PUT NAME`
/// relative to the listed directory, one after the other, progress shown
/// per file (fetch reports no upload progress within a file over
/// HTTP/1.1), and the listing reloaded once all are in.
const UPLOAD_CONTROL: &str = r#"<div id="upload"><label class="button">Upload files…<input type="file" id="upload-files" multiple></label> or drop them on this page.<output id="upload-progress"></output></div>
<script>
(function () {
  const input = document.getElementById('upload-files');
  const progress = document.getElementById('upload-progress');
  async function upload(files) {
    const list = Array.from(files);
    const total = list.reduce((sum, f) => sum + f.size, 0) || 1;
    const failed = [];
    let done = 0;
    for (const [i, f] of list.entries()) {
      progress.textContent = 'uploading ' + f.name + ' (' + (i + 1) + ' of ' + list.length + ', ' +
        Math.floor(100 * done / total) + '%)';
      try {
        const r = await fetch(encodeURIComponent(f.name), { method: 'PUT', body: f });
        // The server's line says why (a 409 names --overwrite).
        if (!r.ok) failed.push(f.name + ': ' + ((await r.text()).trim() || r.status + ' ' + r.statusText));
      } catch (e) {
        failed.push(f.name + ': ' + e);
      }
      done += f.size;
    }
    if (failed.length) {
      progress.textContent = 'failed: ' + failed.join('; ');
      return;
    }
    progress.textContent = 'done (100%)';
    location.reload();
  }
  input.addEventListener('change', () => upload(input.files));
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) upload(e.dataTransfer.files);
  });
})();
</script>
"#;

/// Adds the upload control to a page from [`render`], before `</body>`.
pub fn add_upload_control(page: &mut String) {
    let at = page.rfind("</body>").unwrap_or(page.len());
    page.insert_str(at, UPLOAD_CONTROL);
}

/// The archive links of a listing when archives are on: this directory
/// as tar, tar.gz or zip (`?download=`, which the handler answers).
const ARCHIVE_LINKS: &str = "<p class=\"archives\">Download this folder: \
<a href=\"?download=tar\">tar</a> \
<a href=\"?download=tar_gz\">tar.gz</a> \
<a href=\"?download=zip\">zip</a></p>\n";

/// Adds the archive links to a page from [`render`], under its title.
pub fn add_archive_links(page: &mut String) {
    let at = page
        .find("</h1>\n")
        .map_or(page.len(), |i| i + "</h1>\n".len());
    page.insert_str(at, ARCHIVE_LINKS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn e(name: &str, is_dir: bool, size: u64, secs: u64) -> Entry {
        Entry {
            name: name.to_string(),
            is_dir,
            size,
            modified: Some(UNIX_EPOCH + Duration::from_secs(secs)),
        }
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn sort_table() {
        let base = vec![
            e("b.txt", false, 10, 300),
            e("A.txt", false, 30, 100),
            e("zdir", true, 0, 50),
            e("adir", true, 0, 60),
            e("c.txt", false, 20, 200),
        ];
        let table = [
            ("", vec!["adir", "zdir", "A.txt", "b.txt", "c.txt"]),
            (
                "sort=name&order=desc",
                vec!["zdir", "adir", "c.txt", "b.txt", "A.txt"],
            ),
            ("sort=size", vec!["adir", "zdir", "b.txt", "c.txt", "A.txt"]),
            (
                "sort=size&order=desc",
                vec!["zdir", "adir", "A.txt", "c.txt", "b.txt"],
            ),
            ("sort=time", vec!["zdir", "adir", "A.txt", "c.txt", "b.txt"]),
            (
                "order=desc&sort=time",
                vec!["adir", "zdir", "b.txt", "c.txt", "A.txt"],
            ),
            (
                "sort=bogus&order=sideways",
                vec!["adir", "zdir", "A.txt", "b.txt", "c.txt"],
            ),
        ];
        for (query, expect) in table {
            let mut entries = base.clone();
            sort_entries(&mut entries, Sort::from_query(Some(query)));
            assert_eq!(names(&entries), expect, "{query:?}");
        }
    }

    #[test]
    fn human_sizes() {
        let table = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (10 * 1024 * 1024, "10.0 MiB"),
            (1 << 30, "1.0 GiB"),
            ((1 << 30) + (1 << 29), "1.5 GiB"),
            (u64::MAX, "16.0 EiB"),
        ];
        for (n, expect) in table {
            assert_eq!(human_size(n), expect, "{n}");
        }
    }

    #[test]
    fn awkward_names_are_escaped_and_encoded() {
        let entries = vec![
            e("<script>alert(1)<%2Fscript>.txt", false, 1, 0),
            e("a & b \"q\" 'x'.txt", false, 1, 0),
            e("100%.txt", false, 1, 0),
            e("sp ace", true, 0, 0),
            e("été #1?.txt", false, 1, 0),
            e("a:b", false, 1, 0),
        ];
        let page = render("/<dir>/", &entries, Sort::default(), true);
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains(">&lt;script&gt;alert(1)&lt;%2Fscript&gt;.txt</a>"),
            "{page}"
        );
        assert!(
            page.contains("href=\"./%3Cscript%3Ealert(1)%3C%252Fscript%3E.txt\""),
            "{page}"
        );
        assert!(page.contains("a &amp; b &quot;q&quot; &#39;x&#39;.txt"));
        assert!(
            page.contains("href=\"./a%20%26%20b%20%22q%22%20%27x%27.txt\""),
            "{page}"
        );
        assert!(page.contains("href=\"./100%25.txt\""));
        assert!(page.contains("href=\"./sp%20ace/\">sp ace/</a>"));
        assert!(
            page.contains("href=\"./%C3%A9t%C3%A9%20%231%3F.txt\""),
            "{page}"
        );
        assert!(page.contains("href=\"./a:b\""));
        assert!(page.contains("<title>Index of /&lt;dir&gt;/</title>"));
        assert!(page.contains("<a class=\"parent\" href=\"../\">"));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("name=\"viewport\""));
        assert!(
            !page.contains("http://") && !page.contains("https://") && !page.contains("<script")
        );
    }

    #[test]
    fn archive_links_sit_under_the_title() {
        let mut page = render("/d/", &[e("a", false, 1, 0)], Sort::default(), true);
        add_archive_links(&mut page);
        let title = page.find("</h1>").unwrap();
        let links = page.find("<p class=\"archives\">").unwrap();
        assert!(title < links && links < page.find("<table>").unwrap());
        for format in ["tar", "tar_gz", "zip"] {
            assert!(
                page.contains(&format!("href=\"?download={format}\"")),
                "{page}"
            );
        }
    }

    #[test]
    fn root_has_no_parent_and_sort_links_flip() {
        let page = render(
            "/",
            &[e("a", false, 1, 0)],
            Sort {
                key: SortKey::Size,
                descending: false,
            },
            false,
        );
        assert!(!page.contains("class=\"parent\""));
        assert!(page.contains("href=\"?sort=size&amp;order=desc\">Size \u{2191}</a>"));
        assert!(page.contains("href=\"?sort=name&amp;order=asc\">Name</a>"));
        assert!(page.contains("0 directories, 1 file"));
    }
}
