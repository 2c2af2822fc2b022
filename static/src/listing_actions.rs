//! The folder actions of a listing with WebDAV writes on: a "New folder"
//! button, and "Rename" and "Delete" buttons on every entry. They send
//! `MKCOL`, `MOVE` (with `Overwrite: F`) and `DELETE` with `fetch()`, so
//! the page meets exactly the rules a DAV client meets (locks, the
//! resolver, dotfiles); a delete asks for confirmation first. They are
//! native `<button>`s (reachable with Tab, pressed with Enter or Space),
//! and the outcome is announced in a live region. The page reloads after
//! a success; a failure shows the status and changes nothing.

/// The control, inserted before `</body>`; the script adds the per-entry
/// buttons to the rows [`crate::listing::render`] wrote.
const FOLDER_ACTIONS: &str = r#"<div id="dav-actions"><button type="button" id="dav-mkcol">New folder</button> <output id="dav-status" aria-live="polite"></output></div>
<style>#dav-actions{margin:1rem 0}td.name button{margin-left:.5rem;font-size:.8rem}</style>
<script>
(function () {
  const status = document.getElementById('dav-status');
  async function send(method, url, headers, done) {
    try {
      const r = await fetch(url, { method: method, headers: headers || {} });
      if (!r.ok) { status.textContent = method + ' failed: ' + r.status + ' ' + r.statusText; return; }
      status.textContent = done;
      location.reload();
    } catch (e) {
      status.textContent = method + ' failed: ' + e;
    }
  }
  function bad(name) { return !name || name === '.' || name === '..' || name.indexOf('/') >= 0; }
  document.getElementById('dav-mkcol').addEventListener('click', () => {
    const name = prompt('New folder name:');
    if (name === null) return;
    if (bad(name)) { status.textContent = 'not a folder name: ' + name; return; }
    send('MKCOL', encodeURIComponent(name) + '/', null, 'created ' + name);
  });
  for (const link of document.querySelectorAll('td.name a.file, td.name a.dir')) {
    const isDir = link.classList.contains('dir');
    const name = isDir ? link.textContent.slice(0, -1) : link.textContent;
    const rename = document.createElement('button');
    rename.type = 'button';
    rename.className = 'dav-rename';
    rename.textContent = 'Rename';
    rename.setAttribute('aria-label', 'Rename ' + name);
    rename.addEventListener('click', () => {
      const to = prompt('Rename ' + name + ' to:', name);
      if (to === null || to === name) return;
      if (bad(to)) { status.textContent = 'not a name: ' + to; return; }
      const dest = new URL(encodeURIComponent(to) + (isDir ? '/' : ''), location.href).href;
      send('MOVE', link.href, { 'Destination': dest, 'Overwrite': 'F' }, 'renamed ' + name + ' to ' + to);
    });
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'dav-delete';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', 'Delete ' + name);
    del.addEventListener('click', () => {
      if (!confirm('Delete ' + name + (isDir ? ' and everything in it' : '') + '?')) return;
      send('DELETE', link.href, null, 'deleted ' + name);
    });
    link.after(rename, del);
  }
})();
</script>
"#;

/// Adds the folder actions to a listing page, before `</body>`.
pub fn add_folder_actions(page: &mut String) {
    let at = page.rfind("</body>").unwrap_or(page.len());
    page.insert_str(at, FOLDER_ACTIONS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_before_the_end_of_the_body() {
        let mut page = String::from("<html><body><table></table></body></html>");
        add_folder_actions(&mut page);
        let control = page.find("id=\"dav-mkcol\"").expect("the control");
        assert!(control < page.find("</body>").expect("the end"));
        assert!(page.ends_with("</body></html>"));
    }
}
