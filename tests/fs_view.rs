//! The read-only view (`capwasi::fs_view`) over a real `UnixSystem`: it refuses the escapes
//! the guest is refused (the layout and escape list of tests/sandbox.rs and
//! tests/guests/sandbox.c, where the guest gets EPERM, or ELOOP for loops), honours the root's
//! rights, never changes the host tree, closes what it opens, and lists the same tree a
//! wasi-libc guest (tests/guests/view_list.c) lists.

mod common;

use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::symlink;
use std::path::Path;

use capwasi::abi::{Errno, Fdflags, Lookupflags, Oflags, Rights};
use capwasi::fs_view::{FsView, Metadata, errno_of};
use capwasi::host::UnixSystem;
use capwasi::system::System;
use capwasi::table::Limits;
use common::escape_layout::layout;
use common::{Guest, snapshot};

/// A system with stdio-less fds: fd 0 = the preopen `/data` of `root`.
fn system(root: &Path, read_only: bool) -> UnixSystem {
    let mut sys = UnixSystem::new(Limits::default());
    assert_eq!(sys.preopen_dir(root, "/data", read_only).unwrap(), 0);
    sys
}

#[track_caller]
fn assert_errno<T: std::fmt::Debug>(r: std::io::Result<T>, want: Errno, what: &str) {
    match r {
        Ok(v) => panic!("{what}: succeeded with {v:?}, want {want}"),
        Err(e) => assert_eq!(errno_of(&e), Some(want), "{what}: {e}"),
    }
}

/// From tests/guests/sandbox.c ROOT_ESCAPES (minus the guest-made links): paths that lead out
/// of the root whether or not the last component is followed.
const ROOT_ESCAPES: &[&str] = &[
    "/etc/passwd",
    "/",
    "/tmp",
    "..",
    "../",
    "./..",
    "../outside",
    "../outside/secret",
    "../outside/odir/",
    "sub/../..",
    "sub/../../",
    "sub/../../outside/secret",
    "sub/../../outside/odir/f",
    "sub/../sub/../sub/../..",
    "good_dir/../..",
    "good_dir/../../outside/secret",
    "escdir/secret",
    "escdir/odir/",
    "escdir/odir/f",
    "escdir/../root/file",
    "abs_dir/secret",
    "abs_dir/odir/",
    "sub_up/secret",
    "chain_d/secret",
    "chain_d/odir/f",
    "escdir/",
    "abs_dir/",
    "sub_up/",
    "chain_d/",
];

/// Symlinks whose target is outside: refused when followed, visible as links otherwise.
const ESCAPING_LINKS: &[&str] = &[
    "abs_link", "rel_link", "chain1", "dangle", "escdir", "abs_dir", "sub_up", "chain_d",
];

#[test]
fn refuses_every_escape_like_the_guest() {
    let l = layout();
    let before = snapshot(&l.top);
    let mut sys = system(&l.root, false);
    let view = FsView::by_name(&mut sys, "/data").unwrap();

    for p in ROOT_ESCAPES {
        assert_errno(view.read(p), Errno::Perm, &format!("read {p}"));
        assert_errno(view.open(p), Errno::Perm, &format!("open {p}"));
        assert_errno(view.metadata(p), Errno::Perm, &format!("metadata {p}"));
        assert_errno(
            view.symlink_metadata(p),
            Errno::Perm,
            &format!("symlink_metadata {p}"),
        );
        assert_errno(view.read_dir(p), Errno::Perm, &format!("read_dir {p}"));
        assert_errno(view.read_link(p), Errno::Perm, &format!("read_link {p}"));
        assert!(!view.exists(p), "exists {p}");
        // walk reports the refusal as its first (and only) item.
        let items: Vec<_> = view.walk(p).collect();
        assert_eq!(items.len(), 1, "walk {p}");
        assert_eq!(
            errno_of(items[0].as_ref().unwrap_err()),
            Some(Errno::Perm),
            "walk {p}"
        );
    }
    for p in ESCAPING_LINKS {
        assert_errno(view.read(p), Errno::Perm, &format!("read {p}"));
        assert_errno(view.metadata(p), Errno::Perm, &format!("metadata {p}"));
        assert_errno(view.read_dir(p), Errno::Perm, &format!("read_dir {p}"));
        assert!(!view.exists(p), "exists {p}");
        // Not followed: the link itself is inside and may be looked at.
        assert!(view.symlink_metadata(p).unwrap().is_symlink(), "{p}");
        // readlink never follows, but an absolute target is not revealed (host paths stay
        // hidden; sandbox.c checks the guest gets EPERM too).
        if p.starts_with("abs_") {
            assert_errno(view.read_link(p), Errno::Perm, &format!("read_link {p}"));
        } else {
            assert!(!view.read_link(p).unwrap().is_empty(), "{p}");
        }
    }
    for p in ["loop1", "loop2", "loop1/x"] {
        assert_errno(view.read(p), Errno::Loop, &format!("read {p}"));
        assert_errno(view.metadata(p), Errno::Loop, &format!("metadata {p}"));
        assert_errno(view.read_dir(p), Errno::Loop, &format!("read_dir {p}"));
    }
    assert_eq!(view.read_link("rel_link").unwrap(), "../outside/secret");
    // Errors keep a sensible kind too.
    assert_eq!(view.read("nope").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        view.read("..").unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );

    // Innocent paths, including ones through innocent links, work.
    assert_eq!(view.read_to_string("file").unwrap(), "inside");
    assert_eq!(view.read_to_string("good_link").unwrap(), "inside");
    assert_eq!(view.read_to_string("good_dir/inner").unwrap(), "inner");
    assert_eq!(view.read_to_string("sub/up_file").unwrap(), "inside");
    assert_eq!(view.read_to_string("./sub/../file").unwrap(), "inside");
    assert!(view.metadata("good_dir").unwrap().is_dir());

    // A view rooted at a subdirectory fd has that subdirectory as its whole world.
    let sub = sys
        .path_open(
            0,
            Lookupflags::empty(),
            "sub",
            Oflags::DIRECTORY,
            Rights::DIRECTORY,
            Rights::DIRECTORY | Rights::REGULAR_FILE,
            Fdflags::empty(),
        )
        .unwrap();
    let view = FsView::new(&mut sys, sub).unwrap();
    for p in [
        "..",
        "../",
        "../file",
        "./../sub/inner",
        "../../outside/secret",
        "/etc/passwd",
    ] {
        assert_errno(view.read(p), Errno::Perm, &format!("sub: read {p}"));
    }
    // Innocent from the root, an escape from sub.
    assert_errno(view.read("up_file"), Errno::Perm, "sub: read up_file");
    assert_eq!(view.read_to_string("inner").unwrap(), "inner");

    assert_eq!(snapshot(&l.top), before, "the view changed the host tree");
}

#[test]
fn walk_stays_inside_and_writes_nothing() {
    let l = layout();
    let before = snapshot(&l.top);
    let mut sys = system(&l.root, false);
    let view = FsView::new(&mut sys, 0).unwrap();
    let mut seen = Vec::new();
    for e in view.walk(".") {
        let e = e.unwrap();
        // Parents come before their children.
        if let Some((parent, _)) = e.path().rsplit_once('/') {
            assert!(
                seen.iter().any(|s: &String| s == parent),
                "{} before {parent}",
                e.path()
            );
        }
        seen.push(e.path().to_owned());
        let md = e.metadata().unwrap();
        assert_eq!(md.file_type(), e.file_type(), "{}", e.path());
        assert_eq!(md.ino(), e.ino(), "{}", e.path());
    }
    seen.sort();
    let mut want: Vec<String> = [
        "abs_dir",
        "abs_link",
        "chain1",
        "chain2",
        "chain_d",
        "dangle",
        "escdir",
        "file",
        "good_dir",
        "good_link",
        "loop1",
        "loop2",
        "rel_link",
        "sub",
        "sub/chain3",
        "sub/chain_d2",
        "sub/inner",
        "sub/up_file",
        "sub_up",
        "victim",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    want.sort();
    assert_eq!(seen, want);
    // Read everything readable, for good measure: still nothing changes on the host.
    for p in &seen {
        let _ = view.read(p);
    }
    assert_eq!(snapshot(&l.top), before, "the view changed the host tree");
    // Every fd the view opened is closed again: only the preopen is left.
    assert_eq!(sys.fd_fdstat_get(1), Err(Errno::Badf));
}

#[test]
fn read_only_preopen_reads_and_rights_are_honoured() {
    let l = layout();
    let mut sys = system(&l.root, true);
    {
        let view = FsView::new(&mut sys, 0).unwrap();
        assert_eq!(view.read("file").unwrap(), b"inside");
        assert_eq!(view.read_dir("sub").unwrap().count(), 4);
    }

    // Shrinking the root's rights shrinks what the view may do, as for the guest.
    let mut sys = system(&l.root, false);
    let inheriting = (Rights::DIRECTORY | Rights::REGULAR_FILE) - Rights::FD_READ;
    sys.fd_fdstat_set_rights(0, Rights::DIRECTORY, inheriting)
        .unwrap();
    {
        let view = FsView::new(&mut sys, 0).unwrap();
        let e = view.read("file").unwrap_err();
        assert_eq!(errno_of(&e), Some(Errno::Notcapable), "{e}");
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        assert_errno(view.open("sub/inner"), Errno::Notcapable, "open sub/inner");
        // Looking is still allowed.
        assert_eq!(view.metadata("file").unwrap().len(), 6);
        assert!(view.exists("sub/inner"));
    }
    sys.fd_fdstat_set_rights(
        0,
        Rights::DIRECTORY - Rights::PATH_FILESTAT_GET,
        inheriting - Rights::FD_READDIR,
    )
    .unwrap();
    {
        let view = FsView::new(&mut sys, 0).unwrap();
        assert_errno(view.metadata("file"), Errno::Notcapable, "metadata");
        assert!(!view.exists("file"));
        let first = view
            .read_dir("sub")
            .and_then(|mut rd| rd.next().unwrap().map(|_| ()));
        assert_errno(first, Errno::Notcapable, "read_dir without FD_READDIR");
    }
    sys.fd_fdstat_set_rights(
        0,
        Rights::DIRECTORY - Rights::PATH_OPEN - Rights::PATH_FILESTAT_GET,
        inheriting - Rights::FD_READDIR,
    )
    .unwrap();
    let view = FsView::new(&mut sys, 0).unwrap();
    assert_errno(
        view.read_dir("."),
        Errno::Notcapable,
        "read_dir without PATH_OPEN",
    );
}

#[test]
fn files_read_seek_and_read_at() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("f"), "0123456789").unwrap();
    fs::create_dir(tmp.path().join("d")).unwrap();
    symlink("f", tmp.path().join("l")).unwrap();
    let mut sys = system(tmp.path(), true);
    let view = FsView::by_name(&mut sys, "data").unwrap(); // "/data" without its slash
    let mut f = view.open("l").unwrap();
    let mut b = [0u8; 4];
    f.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"0123");
    assert_eq!(f.seek(SeekFrom::Current(2)).unwrap(), 6);
    f.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"6789");
    assert_eq!(f.read(&mut b).unwrap(), 0);
    assert_eq!(f.seek(SeekFrom::End(-3)).unwrap(), 7);
    let mut c = [0u8; 3];
    assert_eq!(f.read_at(&mut c, 1).unwrap(), 3);
    assert_eq!(&c, b"123");
    // read_at does not move the position.
    f.read_exact(&mut c).unwrap();
    assert_eq!(&c, b"789");
    assert_eq!(f.metadata().unwrap().len(), 10);
    assert_errno(
        f.seek(SeekFrom::Current(-100)),
        Errno::Inval,
        "seek before 0",
    );
    drop(f);

    let md: Metadata = view.metadata("f").unwrap();
    let host = fs::metadata(tmp.path().join("f")).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert!(md.is_file() && !md.is_dir() && !md.is_symlink());
    assert_eq!(
        (md.len(), md.ino(), md.nlink(), md.dev()),
        (10, host.ino(), 1, host.dev())
    );
    assert_eq!(md.modified(), host.modified().unwrap());
    assert_eq!(md.accessed(), host.accessed().unwrap());
    assert!(view.symlink_metadata("l").unwrap().is_symlink());
    assert_eq!(view.read_link("l").unwrap(), "f");
    assert_errno(view.read_link("f"), Errno::Inval, "read_link of a file");
    // A directory opens, but its fd has no FD_READ: reading it is refused as for the guest.
    assert_errno(view.read("d"), Errno::Notcapable, "read a directory");
    assert!(view.exists("d") && !view.exists("missing"));
    let names: Vec<String> = view
        .read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["d", "f", "l"]);
    assert_errno(FsView::by_name(&mut sys, "/nope"), Errno::Noent, "by_name");
}

#[test]
fn a_file_fd_is_not_a_root() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("f"), "x").unwrap();
    let mut sys = system(tmp.path(), false);
    let fd = sys
        .path_open(
            0,
            Lookupflags::empty(),
            "f",
            Oflags::empty(),
            Rights::FD_READ,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_errno(FsView::new(&mut sys, fd), Errno::Notdir, "file as root");
    assert_errno(FsView::new(&mut sys, 99), Errno::Badf, "closed fd as root");
}

#[test]
fn long_directories_and_long_link_targets() {
    let tmp = tempfile::tempdir().unwrap();
    // More than one fd_readdir batch (64), so the cookie has to carry over.
    for i in 0..300 {
        fs::write(tmp.path().join(format!("f{i:03}")), "").unwrap();
    }
    let target = "x".repeat(1000);
    symlink(&target, tmp.path().join("long")).unwrap();
    let mut sys = system(tmp.path(), true);
    let view = FsView::new(&mut sys, 0).unwrap();
    let mut names: Vec<String> = view
        .read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = (0..300).map(|i| format!("f{i:03}")).collect();
    want.push("long".into());
    assert_eq!(names, want);
    assert_eq!(view.read_link("long").unwrap(), target);
}

/// One line of view_list.c's format for a view entry.
fn line(path: &str, md: &Metadata) -> String {
    let t = if md.is_dir() {
        "dir"
    } else if md.is_file() {
        "file"
    } else if md.is_symlink() {
        "symlink"
    } else {
        "other"
    };
    format!("{path} {t} {}", md.len())
}

#[test]
fn view_walk_agrees_with_a_guest_listing() {
    let l = layout();
    // More shapes than the sandbox layout: deep nesting, an empty directory, a hard link,
    // names with spaces and non-ASCII, files of several sizes.
    let r = &l.root;
    fs::create_dir_all(r.join("deep/a/b/c")).unwrap();
    fs::create_dir(r.join("empty")).unwrap();
    fs::write(r.join("deep/a/b/c/leaf"), "x".repeat(5000)).unwrap();
    fs::write(r.join("deep/a/two words"), "hi").unwrap();
    fs::write(r.join("deep/ünï"), "").unwrap();
    fs::hard_link(r.join("file"), r.join("deep/hard")).unwrap();
    symlink("../file", r.join("deep/back")).unwrap();

    let out = Guest::new("view_list").dir(&l.root, "/data").run();
    out.assert_ok();
    let guest: Vec<&str> = out.stdout.lines().collect();
    assert!(guest.len() > 25, "{}", out.stdout);
    assert!(
        guest.contains(&"deep/a/b/c/leaf file 5000"),
        "{}",
        out.stdout
    );
    assert!(guest.contains(&"escdir symlink 10"), "{}", out.stdout);

    let mut sys = system(&l.root, true);
    let view = FsView::by_name(&mut sys, "/data").unwrap();
    let mut ours: Vec<String> = view
        .walk(".")
        .map(|e| {
            let e = e.unwrap();
            line(e.path(), &e.metadata().unwrap())
        })
        .collect();
    ours.sort();
    assert_eq!(ours, guest);
}

#[test]
fn walk_reports_an_unlistable_directory_and_goes_on() {
    // Each directory being walked holds a directory stream; with room for two, the third
    // level cannot be listed. The walk yields that error and carries on with the siblings.
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("a/b/c")).unwrap();
    fs::write(tmp.path().join("a/b/c/deep"), "").unwrap();
    fs::write(tmp.path().join("a/b/f"), "").unwrap();
    fs::write(tmp.path().join("z"), "").unwrap();
    let mut sys = UnixSystem::new(Limits {
        max_open_files: 64,
        max_open_dirs: 2,
    });
    sys.preopen_dir(tmp.path(), "/data", true).unwrap();
    let view = FsView::new(&mut sys, 0).unwrap();
    let mut ok = Vec::new();
    let mut errs = Vec::new();
    for e in view.walk(".") {
        match e {
            Ok(e) => ok.push(e.path().to_owned()),
            Err(e) => errs.push(errno_of(&e)),
        }
    }
    ok.sort();
    assert_eq!(ok, ["a", "a/b", "z"]);
    assert_eq!(errs, [Some(Errno::Nfile)]);
    // The streams were given back: the whole tree lists once the walk is over.
    assert_eq!(view.read_dir("a").unwrap().count(), 1);
}
