//! The `fd_*` calls through the real linker: tests/guests/fs_fd.c runs one scenario per test
//! (its "ok"/"FAIL" lines are the guest-side checks); each test then checks what the host
//! filesystem looks like afterwards.

mod common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use common::{Guest, Outcome};
use tempfile::TempDir;

/// A fresh preopen directory holding `files` (name, contents) and empty `dirs`.
fn tree(files: &[(&str, &[u8])], dirs: &[&str]) -> TempDir {
    let t = tempfile::tempdir().unwrap();
    for d in dirs {
        fs::create_dir_all(t.path().join(d)).unwrap();
    }
    for (name, contents) in files {
        fs::write(t.path().join(name), contents).unwrap();
    }
    t
}

/// Runs scenario `name` of fs_fd with `dir` preopened as "/data" (fd 3).
fn run(name: &str, dir: &Path) -> Outcome {
    Guest::new("fs_fd").dir(dir, "/data").arg(name).run()
}

fn read(dir: &TempDir, name: &str) -> Vec<u8> {
    fs::read(dir.path().join(name)).unwrap()
}

#[test]
fn advise() {
    let t = tree(&[("f", &[7; 100])], &[]);
    run("advise", t.path()).assert_checks();
    assert_eq!(read(&t, "f"), vec![7; 100], "advice changed the data");
}

#[test]
fn allocate_grows_file() {
    let t = tree(&[("f", b"abc")], &[]);
    run("allocate", t.path()).assert_checks();
    let data = read(&t, "f");
    assert_eq!(data.len(), 5100);
    assert_eq!(&data[..3], b"abc");
    assert!(data[3..].iter().all(|&b| b == 0));
}

#[test]
fn close_including_preopen() {
    let t = tree(&[("f", b"x")], &[]);
    run("close", t.path()).assert_checks();
    // The path_create_directory after closing the preopen must not have reached the host.
    assert!(!t.path().join("d").exists());
}

#[test]
fn sync_and_datasync() {
    let t = tree(&[("f", b"")], &[]);
    run("sync", t.path()).assert_checks();
    assert_eq!(read(&t, "f"), b"synced");
}

#[test]
fn fdstat_get() {
    let t = tree(&[("f", b"x")], &["sub"]);
    run("fdstat", t.path()).assert_checks();
}

#[test]
fn fdstat_set_flags_append_and_nonblock() {
    let t = tree(&[("f", b"hello")], &[]);
    run("set_flags", t.path()).assert_checks();
    assert_eq!(read(&t, "f"), b"Jello!");
}

#[test]
fn fdstat_set_rights_only_shrinks() {
    let t = tree(&[("f", b"abc"), ("sub/g", b"g")], &["sub"]);
    run("set_rights", t.path()).assert_checks();
    assert_eq!(
        read(&t, "f"),
        b"abc",
        "a write got through after FD_WRITE was dropped"
    );
    assert!(!t.path().join("sub/new").exists());
    assert!(
        t.path().join("f").exists(),
        "unlink got through without PATH_UNLINK_FILE"
    );
}

#[test]
fn filestat_get_matches_host() {
    let t = tree(&[("f", b"hello")], &[]);
    let o = run("filestat", t.path());
    o.assert_checks();
    let md = fs::metadata(t.path().join("f")).unwrap();
    let info = o
        .stdout
        .lines()
        .find(|l| l.starts_with("info "))
        .expect("info line");
    let want = format!(
        "info mtim={} atim={}",
        md.mtime() as u64 * 1_000_000_000 + md.mtime_nsec() as u64,
        md.atime() as u64 * 1_000_000_000 + md.atime_nsec() as u64
    );
    assert_eq!(info, want);
}

#[test]
fn filestat_set_size_truncates_and_extends() {
    let t = tree(&[("f", b"0123456789")], &[]);
    run("set_size", t.path()).assert_checks();
    let mut want = b"0123".to_vec();
    want.resize(100, 0);
    assert_eq!(read(&t, "f"), want);
}

#[test]
fn filestat_set_times() {
    let t = tree(&[("f", b"x")], &["sub"]);
    run("set_times", t.path()).assert_checks();
    let md = fs::metadata(t.path().join("f")).unwrap();
    assert_eq!(
        md.accessed().unwrap(),
        UNIX_EPOCH + Duration::new(1000, 123_456_789)
    );
    assert_eq!(
        md.modified().unwrap(),
        UNIX_EPOCH + Duration::new(2000, 987_654_321)
    );
    let sub = fs::metadata(t.path().join("sub")).unwrap();
    assert_eq!(
        sub.modified().unwrap(),
        UNIX_EPOCH + Duration::from_secs(3000)
    );
}

#[test]
fn pread_pwrite_keep_position() {
    let t = tree(&[("f", b"0123456789")], &[]);
    run("pread_pwrite", t.path()).assert_checks();
    let mut want = b"01234567XYZ".to_vec();
    want.resize(20, 0);
    want.push(b'E');
    assert_eq!(read(&t, "f"), want);
}

#[test]
fn prestat_names_are_guest_names() {
    let data = tree(&[], &["sub"]);
    let ro = tree(&[], &[]);
    let dot = tree(&[], &[]);
    let o = Guest::new("fs_fd")
        .dir(data.path(), "/data")
        .ro_dir(ro.path(), "/ro")
        .dir(dot.path(), ".")
        .arg("prestat")
        .run();
    o.assert_checks();
}

#[test]
fn read_write_vectored() {
    let t = tree(&[("f", b"old contents that get truncated")], &[]);
    run("read_write", t.path()).assert_checks();
    assert_eq!(read(&t, "f"), b"abcdef");
    let big = read(&t, "big");
    assert_eq!(big.len(), 65537);
    assert!(
        big.iter()
            .enumerate()
            .all(|(i, &b)| b == b'a' + (i % 26) as u8)
    );
}

#[test]
fn renumber() {
    let t = tree(&[("a", b"AAA"), ("b", b"BBB")], &[]);
    let o = run("renumber", t.path());
    // After the renumber onto fd 1, the guest's output goes to the file "out".
    o.assert_ok();
    assert!(o.stdout.ends_with("before renumber\n"), "{}", o.stdout);
    assert!(!o.stdout.contains("FAIL"), "{}", o.stdout);
    let out = String::from_utf8(read(&t, "out")).unwrap();
    assert!(out.starts_with("via fd 1\nok "), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        2,
        "{out}"
    );
    // b's original file was only closed, never written.
    assert_eq!(read(&t, "b"), b"BBB");
    assert_eq!(read(&t, "a"), b"AAA");
}

#[test]
fn seek_and_tell() {
    let t = tree(&[("f", b"0123456789")], &[]);
    run("seek", t.path()).assert_checks();
    assert_eq!(
        read(&t, "f"),
        b"0123456789",
        "seeking past the end must not extend"
    );
}

#[test]
fn append_writes_at_end() {
    let t = tree(&[("f", b"abc")], &[]);
    run("append", t.path()).assert_checks();
    assert_eq!(read(&t, "f"), b"abcXYZ!P");
}

#[test]
fn renumber_moves_a_preopen() {
    let t = tree(&[("f", b"x")], &[]);
    run("renumber_preopen", t.path()).assert_checks();
    assert!(t.path().join("made").is_dir());
}
