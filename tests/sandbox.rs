//! The capability sandbox, end to end through the real linker (DESIGN.md §2): every escape
//! from a preopen fails with one errno, innocent paths keep working, a read-only preopen
//! refuses every mutation, and a racing host cannot trick resolution into the outside.
//!
//! Each test proves "nothing changed" with host-side snapshots, not just with the guest's word.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::escape_layout::{Layout, layout};
use common::race::symlink_swap_race;
use common::{Guest, snapshot};

/// The whole temp tree except what is inside the preopen (which the guest may change).
fn snapshot_except_root(l: &Layout) -> Vec<(PathBuf, String)> {
    snapshot(&l.top)
        .into_iter()
        // Component-wise: `root` itself and everything below it.
        .filter(|(p, _)| !p.starts_with("root"))
        .collect()
}

/// Names directly in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// The guest's FAIL lines with the detail lines printed next to them ("   opened … -> content"
/// before, "   got …" after), for assertion messages.
fn failures(stdout: &str) -> Vec<&str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let detail = |i: usize| lines.get(i).copied().filter(|l| l.starts_with("   "));
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("FAIL") {
            out.extend(i.checked_sub(1).and_then(detail));
            out.push(*l);
            out.extend(detail(i + 1));
        }
    }
    out
}

#[test]
fn every_escape_fails_and_innocent_paths_work() {
    let l = layout();
    let outside_before = snapshot(&l.outside);
    let top_before = snapshot_except_root(&l);
    let root_before = names(&l.root);

    let out = Guest::new("sandbox").dir(&l.root, "/data").run();
    let fails = failures(&out.stdout);
    let n = fails.iter().filter(|l| l.starts_with("FAIL")).count();
    assert!(n == 0, "{n} failed checks:\n{}", fails.join("\n"));
    out.assert_ok();
    // The guest really ran the whole list (guards against an early exit that prints nothing).
    assert!(
        out.stdout.lines().filter(|l| l.starts_with("ok ")).count() > 600,
        "{}",
        out.stdout
    );

    assert_eq!(
        snapshot(&l.outside),
        outside_before,
        "something outside the preopen changed"
    );
    assert_eq!(
        snapshot_except_root(&l),
        top_before,
        "something next to the preopen changed"
    );
    assert!(!l.outside.join("created").exists());
    // No hard link to an outside file appeared anywhere (the snapshot cannot see link counts).
    use std::os::unix::fs::MetadataExt;
    assert_eq!(fs::metadata(l.outside.join("secret")).unwrap().nlink(), 1);
    assert_eq!(fs::metadata(l.outside.join("odir/f")).unwrap().nlink(), 1);
    // Inside: the guest-made links it did not remove are the only additions.
    let mut expected = root_before.clone();
    expected.extend(["g_good".to_string()]);
    expected.sort();
    assert_eq!(names(&l.root), expected);
    assert_eq!(
        fs::read_link(l.root.join("sub/g_up2")).unwrap(),
        Path::new("../../outside")
    );
    assert_eq!(fs::read(l.root.join("victim")).unwrap(), b"victim");
    assert_eq!(fs::read(l.root.join("file")).unwrap(), b"inside");
    assert_eq!(
        fs::read(l.outside.join("secret")).unwrap(),
        b"OUTSIDE-SECRET"
    );
}

#[test]
fn read_only_preopen_refuses_every_mutation() {
    let tmp = tempfile::tempdir().unwrap();
    let rw = tmp.path().join("rw");
    let ro = tmp.path().join("ro");
    fs::create_dir_all(&rw).unwrap();
    fs::create_dir_all(ro.join("d")).unwrap();
    fs::create_dir_all(ro.join("full")).unwrap();
    fs::write(rw.join("rwfile"), "rw-data").unwrap();
    fs::write(ro.join("f"), "ro-data").unwrap();
    fs::write(ro.join("full/x"), "x-data").unwrap();
    symlink("f", ro.join("l")).unwrap();
    symlink("../rw/rwfile", ro.join("esc")).unwrap();
    let ro_before = snapshot(&ro);

    let out = Guest::new("sandbox_ro")
        .dir(&rw, "/rw")
        .ro_dir(&ro, "/ro")
        .run();
    let fails = failures(&out.stdout);
    let n = fails.iter().filter(|l| l.starts_with("FAIL")).count();
    assert!(n == 0, "{n} failed checks:\n{}", fails.join("\n"));
    out.assert_ok();

    assert_eq!(snapshot(&ro), ro_before, "the read-only tree changed");
    assert_eq!(
        names(&rw),
        ["rwfile"],
        "something crossed into the writable preopen"
    );
    assert_eq!(fs::read(rw.join("rwfile")).unwrap(), b"rw-data");
}

/// A second process swapping a directory for a symlink to the outside during resolution must
/// not make the guest open anything outside (DESIGN.md §2.2).
#[test]
fn racing_symlink_swap_never_opens_outside() {
    symlink_swap_race(6000, |guest| guest.run());
}
