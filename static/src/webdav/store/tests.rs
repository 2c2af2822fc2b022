//! The store's unit tests: copies, renames and removals on a temp tree.

use super::*;
use std::fs;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    root_dir: File,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir"); // ok: test setup
    let root = fs::canonicalize(dir.path()).expect("canonical"); // ok: test setup
    fs::create_dir_all(root.join("src/sub")).expect("mkdir"); // ok: test setup
    fs::write(root.join("src/a.txt"), "a").expect("write"); // ok: test setup
    fs::write(root.join("src/sub/b.txt"), "b").expect("write"); // ok: test setup
    fs::write(root.join("src/.hidden"), "h").expect("write"); // ok: test setup
    std::os::unix::fs::symlink("..", root.join("src/sub/up")).expect("symlink"); // ok: test setup
    let root_dir = File::open(&root).expect("open root"); // ok: test setup
    Fixture {
        _dir: dir,
        root,
        root_dir,
    }
}

fn segs(path: &str) -> Vec<String> {
    path.split('/').map(str::to_string).collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .expect("read_dir") // ok: test
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()) // ok: test
        .collect();
    out.sort();
    out
}

#[test]
fn copy_depths_and_replacing_a_collection() {
    let f = fixture();
    let tree = Tree {
        root: &f.root,
        root_dir: &f.root_dir,
        opts: OpenOptionsInside::default(),
    };
    let src = tree.open(&segs("src")).expect("open").expect("there"); // ok: test
    let dst = tree.slot(&segs("deep")).expect("slot").expect("parent"); // ok: test
    copy(&tree, &segs("src"), &src, &dst, Depth::Infinity).expect("copy"); // ok: test
                                                                           // What a listing shows, no hidden file; the link up to an ancestor
                                                                           // (a loop) is not followed into a copy without end.
    assert_eq!(names(&f.root.join("deep")), vec!["a.txt", "sub"]);
    assert_eq!(names(&f.root.join("deep/sub")), vec!["b.txt"]);
    let shallow = tree.slot(&segs("shallow")).expect("slot").expect("parent"); // ok: test
    copy(&tree, &segs("src"), &src, &shallow, Depth::Zero).expect("copy"); // ok: test
    assert!(names(&f.root.join("shallow")).is_empty());
    // Replacing a collection: the old one goes as a whole, nothing temporary stays.
    let file = tree.open(&segs("src/a.txt")).expect("open").expect("there"); // ok: test
    let deep = tree.slot(&segs("deep")).expect("slot").expect("parent"); // ok: test
    copy(&tree, &segs("src/a.txt"), &file, &deep, Depth::Infinity).expect("copy"); // ok: test
    assert_eq!(
        fs::read_to_string(f.root.join("deep")).expect("a file now"),
        "a"
    ); // ok: test
    assert!(
        names(&f.root).iter().all(|n| !resolve::is_reserved(n)),
        "{:?}",
        names(&f.root)
    );
}

#[test]
fn rename_replaces_and_remove_takes_everything() {
    let f = fixture();
    let tree = Tree {
        root: &f.root,
        root_dir: &f.root_dir,
        opts: OpenOptionsInside::default(),
    };
    fs::create_dir(f.root.join("other")).expect("mkdir"); // ok: test setup
    fs::write(f.root.join("other/old.txt"), "old").expect("write"); // ok: test setup
    let src = tree.slot(&segs("src")).expect("slot").expect("parent"); // ok: test
    let dst = tree.slot(&segs("other")).expect("slot").expect("parent"); // ok: test
    rename(&tree, &src, &dst).expect("rename"); // ok: test
    assert_eq!(names(&f.root), vec!["other"]);
    assert_eq!(
        names(&f.root.join("other")),
        vec![".hidden", "a.txt", "sub"]
    );
    let gone = tree.slot(&segs("other")).expect("slot").expect("parent"); // ok: test
    assert!(remove(&gone).is_empty());
    assert!(names(&f.root).is_empty());
    assert_eq!(kind_at(&gone).expect("stat"), None); // ok: test
}
