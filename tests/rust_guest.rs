//! A Rust `std` guest (wasm32-wasi) on capwasi: std::fs, std::env and std::process work as
//! Rust programs expect, and the sandbox refuses escapes with errors std understands.

mod common;

use common::{Exit, Guest};

#[test]
fn rust_std_program_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = Guest::new("rust_std")
        .arg("one")
        .arg("--two")
        .env("GREETING=hi")
        .dir(dir.path(), "/data")
        .run();
    assert_eq!(out.exit, Exit::Code(3), "stderr: {}", out.stderr);
    let want = [
        r#"args ["rust_std.wasm", "one", "--two"]"#,
        r#"env GREETING=Some("hi")"#,
        r#"read "from rust!""#,
        "len 16",
        r#"listing ["b.txt"]"#,
        "is_dir true",
        "escape refused: PermissionDenied",
        // std itself refuses: no preopen is a prefix of /etc, so no call reaches the host.
        "absolute refused: Uncategorized",
        "cleaned true",
    ];
    assert_eq!(
        out.stdout.lines().collect::<Vec<_>>(),
        want,
        "stderr: {}",
        out.stderr
    );
    // The guest cleaned up after itself.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
