//! The embedding snippet of the workspace README is the crate doc's first
//! example, which `cargo test --doc` compiles: what a newcomer copies
//! builds, prints where it listens and stops gracefully on Ctrl-C.

/// The first fenced `rust` block of `text`, lines as written.
fn first_rust_block(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| l.trim() != "```rust" && l.trim() != "```no_run")
        .skip(1)
        .take_while(|l| l.trim() != "```")
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_embedding_snippet_matches_the_crate_doc() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    let lib = std::fs::read_to_string(format!("{root}/http-server/src/lib.rs")).expect("lib.rs");
    let doc: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let from_readme = first_rust_block(&readme);
    let from_doc = first_rust_block(&doc);
    assert!(!from_doc.is_empty(), "no example in the crate doc");
    assert_eq!(from_readme, from_doc);
    let code = from_doc.join("\n");
    assert!(code.contains(".shutdown_on_signals()"), "{code}");
    assert!(code.contains("println!(\"listening at"), "{code}");
}
