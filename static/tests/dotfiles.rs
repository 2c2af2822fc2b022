//! Dotfiles are neither served nor listed by default; --dotfiles serves
//! and lists them.
mod common;
use common::*;

#[test]
fn dotfiles() {
    let dir = site();
    write(dir.path(), ".env", "SECRET=1");
    write(dir.path(), ".git/config", "[core]");
    write(dir.path(), "visible.txt", "v");
    std::os::unix::fs::symlink(".env", dir.path().join("env-link")).expect("symlink");

    let hidden = StaticServer::start(dir.path(), &[]);
    for path in [".env", ".git/config", ".git/", "%2eenv", "env-link"] {
        let out = curl(&["-i", &format!("{}{path}", hidden.url)]);
        let reply = parse_reply(&out.stdout);
        assert_eq!(reply.status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&reply.body).contains("SECRET"));
    }
    let page = String::from_utf8_lossy(&curl(&[&hidden.url]).stdout).into_owned();
    assert!(page.contains("visible.txt") && !page.contains(".env") && !page.contains(".git"));
    assert!(!page.contains("env-link"));

    let shown = StaticServer::start(dir.path(), &["--dotfiles"]);
    assert_eq!(curl(&[&format!("{}.env", shown.url)]).stdout, b"SECRET=1");
    assert_eq!(
        curl(&[&format!("{}.git/config", shown.url)]).stdout,
        b"[core]"
    );
    let page = String::from_utf8_lossy(&curl(&[&shown.url]).stdout).into_owned();
    assert!(page.contains("href=\"./.env\"") && page.contains("href=\"./.git/\""));
}
