//! The host tree every escape test shares (tests/sandbox.rs for guests, tests/fs_view.rs for
//! the read-only view): an `outside/` directory and the preopen `root/`, whose symlinks point
//! out in every way the sandbox must refuse and in a few innocent ways it must allow.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

/// `tmp/outside/` (the target of every escape) and `tmp/root/` (the preopen); see the layout
/// comment in tests/guests/sandbox.c.
pub struct Layout {
    _tmp: tempfile::TempDir,
    pub top: PathBuf,
    pub outside: PathBuf,
    pub root: PathBuf,
}

pub fn layout() -> Layout {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    let outside = top.join("outside");
    let root = top.join("root");
    fs::create_dir_all(outside.join("odir")).unwrap();
    fs::write(outside.join("secret"), "OUTSIDE-SECRET").unwrap();
    fs::write(outside.join("odir/f"), "outside-f").unwrap();
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("file"), "inside").unwrap();
    fs::write(root.join("victim"), "victim").unwrap();
    fs::write(root.join("sub/inner"), "inner").unwrap();
    let links: &[(&str, PathBuf)] = &[
        ("abs_link", outside.join("secret")),
        ("rel_link", "../outside/secret".into()),
        ("sub_up", "sub/../../outside".into()),
        ("escdir", "../outside".into()),
        ("abs_dir", outside.clone()),
        ("dangle", "../outside/created".into()),
        ("chain1", "chain2".into()),
        ("chain2", "sub/chain3".into()),
        ("sub/chain3", "../../outside/secret".into()),
        ("chain_d", "sub/chain_d2".into()),
        ("sub/chain_d2", "../../outside".into()),
        ("loop1", "loop2".into()),
        ("loop2", "loop1".into()),
        ("good_link", "sub/../file".into()),
        ("good_dir", "sub".into()),
        ("sub/up_file", "../file".into()),
    ];
    for (name, target) in links {
        symlink(target, root.join(name)).unwrap();
    }
    Layout {
        _tmp: tmp,
        top,
        outside,
        root,
    }
}
