//! `fd_readdir` through the real linker: tests/guests/fs_readdir.c lists directories with
//! buffers of many sizes (down to 30 bytes) and resumes from cookies; the host's own listing is
//! the oracle for what it must find.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::{Guest, Outcome, snapshot};
use tempfile::TempDir;

fn run(name: &str, dir: &Path) -> Outcome {
    Guest::new("fs_readdir").dir(dir, "/data").arg(name).run()
}

/// WASI filetype numbers of what the host sees, not following symlinks.
fn wasi_type(path: &Path) -> u8 {
    let ft = fs::symlink_metadata(path).unwrap().file_type();
    if ft.is_dir() {
        3
    } else if ft.is_file() {
        4
    } else if ft.is_symlink() {
        7
    } else {
        0
    }
}

/// The host's listing of `dir` as "name type" lines, with "." and "..", sorted.
fn host_listing(dir: &Path) -> Vec<String> {
    let mut out = vec![". 3".to_string(), ".. 3".to_string()];
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        out.push(format!(
            "{} {}",
            e.file_name().to_str().unwrap(),
            wasi_type(&e.path())
        ));
    }
    out.sort();
    out
}

#[test]
fn tiny_buffers_lose_and_repeat_nothing() {
    let t = tempfile::tempdir().unwrap();
    for i in 0..40 {
        fs::write(t.path().join(format!("e{i:02}")), b"x").unwrap();
    }
    fs::create_dir(t.path().join("sub")).unwrap();
    symlink("e00", t.path().join("ln")).unwrap();
    let before = snapshot(t.path());

    let o = run("tiny", t.path());
    o.assert_checks();
    let mut seen: Vec<String> = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("entry "))
        .map(str::to_owned)
        .collect();
    seen.sort();
    assert_eq!(seen, host_listing(t.path()));
    assert_eq!(snapshot(t.path()), before, "listing changed the tree");
}

#[test]
fn every_buffer_size_gives_the_same_listing() {
    let t = tempfile::tempdir().unwrap();
    // 150 names of 1..=100 bytes (each unique: a length-prefixed pattern).
    for i in 0..150usize {
        let len = 1 + (i * 37) % 100;
        let mut name = format!("{i}-");
        while name.len() < len {
            name.push((b'a' + (name.len() % 26) as u8) as char);
        }
        name.truncate(len.max(format!("{i}").len()));
        fs::write(t.path().join(&name), b"").unwrap();
    }
    assert_eq!(
        fs::read_dir(t.path()).unwrap().count(),
        150,
        "names collided"
    );
    let o = run("sweep", t.path());
    o.assert_checks();
    assert!(o.stdout.contains("info entries=152\n"), "{}", o.stdout);
}

#[test]
fn empty_directory_has_dot_and_dotdot() {
    let t: TempDir = tempfile::tempdir().unwrap();
    run("empty", t.path()).assert_checks();
}

#[test]
fn readdir_errors() {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("f"), b"x").unwrap();
    fs::create_dir(t.path().join("sub")).unwrap();
    run("errors", t.path()).assert_checks();
}
