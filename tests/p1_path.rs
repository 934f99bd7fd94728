//! The `path_*` calls through the real linker: tests/guests/fs_path.c runs one scenario per
//! test (its "ok"/"FAIL" lines are the guest-side checks); each test then checks the host tree.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use common::{Guest, Outcome, snapshot};
use tempfile::TempDir;

/// One thing to create in a fresh preopen directory.
enum Node<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Link(&'a str, &'a str),
}
use Node::{Dir, File, Link};

fn tree(nodes: &[Node]) -> TempDir {
    let t = tempfile::tempdir().unwrap();
    for n in nodes {
        match *n {
            File(name, data) => fs::write(t.path().join(name), data).unwrap(),
            Dir(name) => fs::create_dir_all(t.path().join(name)).unwrap(),
            Link(name, target) => symlink(target, t.path().join(name)).unwrap(),
        }
    }
    t
}

/// Runs scenario `name` of fs_path with `dir` preopened as "/data" (fd 3).
fn run(name: &str, dir: &Path) -> Outcome {
    Guest::new("fs_path").dir(dir, "/data").arg(name).run()
}

fn p(t: &TempDir, name: &str) -> PathBuf {
    t.path().join(name)
}

fn is_dir(t: &TempDir, name: &str) -> bool {
    fs::symlink_metadata(p(t, name)).is_ok_and(|m| m.is_dir())
}

fn exists(t: &TempDir, name: &str) -> bool {
    fs::symlink_metadata(p(t, name)).is_ok()
}

#[test]
fn create_directory() {
    let t = tree(&[File("f", b"x")]);
    run("mkdir", t.path()).assert_checks();
    for d in ["d", "d/e", "t", "d/inner"] {
        assert!(is_dir(&t, d), "{d} not created");
    }
    assert!(!exists(&t, "missing"));
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"x");
}

#[test]
fn filestat_follow_and_nofollow() {
    let t = tree(&[
        File("f", b"hello"),
        Dir("sub"),
        Link("ln", "f"),
        Link("dang", "nowhere"),
    ]);
    let before = snapshot(t.path());
    run("filestat", t.path()).assert_checks();
    assert_eq!(snapshot(t.path()), before, "stat changed the tree");
}

#[test]
fn path_filestat_set_times() {
    let t = tree(&[File("f", b"x"), Dir("sub"), Link("ln", "f")]);
    run("set_times", t.path()).assert_checks();
    let f = fs::metadata(p(&t, "f")).unwrap();
    assert_eq!(
        f.accessed().unwrap(),
        UNIX_EPOCH + Duration::from_secs(7000)
    );
    assert_eq!(
        f.modified().unwrap(),
        UNIX_EPOCH + Duration::new(2000, 987_654_321)
    );
    let ln = fs::symlink_metadata(p(&t, "ln")).unwrap();
    assert_eq!(
        ln.modified().unwrap(),
        UNIX_EPOCH + Duration::from_secs(5000)
    );
}

#[test]
fn hard_links() {
    let t = tree(&[
        File("f", b"data"),
        File("g", b"other"),
        Dir("sub"),
        Link("ln", "f"),
    ]);
    run("link", t.path()).assert_checks();
    let ino = fs::metadata(p(&t, "f")).unwrap().ino();
    for name in ["h", "sub/h2", "h3"] {
        assert_eq!(fs::metadata(p(&t, name)).unwrap().ino(), ino, "{name}");
    }
    assert_eq!(fs::metadata(p(&t, "f")).unwrap().nlink(), 4);
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"DATA");
    assert_eq!(fs::read(p(&t, "g")).unwrap(), b"other");
    assert_eq!(fs::read_link(p(&t, "ln2")).unwrap(), Path::new("f"));
    for gone in ["subl", "x", "y", "ln3"] {
        assert!(!exists(&t, gone), "{gone} exists");
    }
}

#[test]
fn open_flags() {
    let t = tree(&[
        File("f", b"0123456789"),
        File("t", b"truncate me"),
        Dir("sub"),
        File("sub/g", b"g"),
    ]);
    run("open", t.path()).assert_checks();
    assert_eq!(fs::read(p(&t, "new")).unwrap(), b"n");
    assert_eq!(fs::read(p(&t, "new2")).unwrap(), b"");
    assert_eq!(fs::read(p(&t, "t")).unwrap(), b"");
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"0123456789");
    assert!(!exists(&t, "d2") && !exists(&t, "missing"));
}

#[test]
fn open_through_symlinks() {
    let t = tree(&[
        File("f", b"target"),
        Link("ln", "f"),
        Link("dang", "created"),
        Link("loop1", "loop2"),
        Link("loop2", "loop1"),
        Link("self", "self"),
        Dir("sub"),
        File("sub/g", b"g"),
        Link("dirln", "sub"),
    ]);
    run("open_symlinks", t.path()).assert_checks();
    // CREAT through the dangling link made its target, inside the preopen.
    assert_eq!(fs::read(p(&t, "created")).unwrap(), b"made");
    assert_eq!(fs::read_link(p(&t, "dang")).unwrap(), Path::new("created"));
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"target");
}

#[test]
fn open_rights_inheritance() {
    let t = tree(&[File("f", b"abc"), Dir("sub"), File("sub/g", b"g")]);
    let ro = tree(&[File("r", b"ro")]);
    let ro_before = snapshot(ro.path());
    let o = Guest::new("fs_path")
        .dir(t.path(), "/data")
        .ro_dir(ro.path(), "/ro")
        .arg("open_rights")
        .run();
    o.assert_checks();
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"abc");
    assert_eq!(fs::read(p(&t, "sub/g")).unwrap(), b"g");
    assert!(!exists(&t, "sub/new"));
    assert_eq!(
        snapshot(ro.path()),
        ro_before,
        "the read-only preopen changed"
    );
}

#[test]
fn readlink() {
    let t = tree(&[
        Link("ln", "target-file"),
        File("f", b"x"),
        Dir("sub"),
        Link("sub/up", "../f"),
    ]);
    run("readlink", t.path()).assert_checks();
}

#[test]
fn remove_directory() {
    let t = tree(&[
        Dir("empty"),
        Dir("empty2"),
        Dir("full/inner"),
        File("f", b"x"),
        Link("dl", "full"),
    ]);
    run("rmdir", t.path()).assert_checks();
    assert!(!exists(&t, "empty") && !exists(&t, "empty2"));
    assert!(is_dir(&t, "full") && !exists(&t, "full/inner"));
    assert!(exists(&t, "f"));
    assert_eq!(fs::read_link(p(&t, "dl")).unwrap(), Path::new("full"));
}

#[test]
fn rename() {
    let t = tree(&[
        File("a", b"A"),
        File("b", b"B"),
        Dir("d1"),
        File("d1/x", b"x"),
        Dir("d2"),
        File("d2/y", b"y"),
        Dir("d3"),
        Dir("e"),
        Dir("sub"),
    ]);
    run("rename", t.path()).assert_checks();
    assert_eq!(fs::read(p(&t, "c")).unwrap(), b"A");
    assert_eq!(fs::read(p(&t, "d4/x")).unwrap(), b"x");
    assert_eq!(fs::read(p(&t, "d2/y")).unwrap(), b"y");
    assert!(is_dir(&t, "e") && fs::read_dir(p(&t, "e")).unwrap().next().is_none());
    for gone in ["a", "b", "b2", "d1", "d3", "sub/b2", "z"] {
        assert!(!exists(&t, gone), "{gone} exists");
    }
}

#[test]
fn symlinks() {
    let t = tree(&[File("f", b"x"), Dir("sub")]);
    run("symlink", t.path()).assert_checks();
    assert_eq!(fs::read_link(p(&t, "s")).unwrap(), Path::new("f"));
    assert_eq!(fs::read_link(p(&t, "dang")).unwrap(), Path::new("nowhere"));
    assert_eq!(fs::read_link(p(&t, "sub/up")).unwrap(), Path::new("../f"));
    assert_eq!(fs::read(p(&t, "f")).unwrap(), b"x");
    assert!(is_dir(&t, "sub"));
    assert!(!exists(&t, "s2"));
}

#[test]
fn unlink_file() {
    let t = tree(&[
        File("f", b"F"),
        File("g", b"G"),
        Dir("sub"),
        File("sub/h", b"h"),
        Link("ln", "g"),
        Link("dang", "nowhere"),
    ]);
    run("unlink", t.path()).assert_checks();
    for gone in ["f", "g", "ln", "dang", "sub/h"] {
        assert!(!exists(&t, gone), "{gone} exists");
    }
    assert!(is_dir(&t, "sub"));
}
