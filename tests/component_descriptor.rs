//! The `wasi:filesystem` descriptor methods from a guest's side: tests/guests/fs_p2_all.c makes
//! the preview 1 calls the adapter turns into each method it can reach, with error cases, and
//! runs both as a core module and as a component on the same tree; plus the sandbox race of
//! tests/sandbox.rs through the component path.
//!
//! Which methods the adapter reaches is read from the wrapped guest's own import list, so the
//! test names exactly the ones it does not reach (src/p2/filesystem/tests.rs calls those on the
//! Host traits directly).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;

use common::component::{ALL_TYPES_FUNCTIONS, component_bytes, imported_types_functions, runner};
use common::race::symlink_swap_race;
use common::{Exit, Guest, guest_path, snapshot};
use wasmtime::component::Component;

/// What no preview 1 call reaches through the adapter, and why; src/p2/filesystem/tests.rs
/// covers these on the Host traits.
const NOT_REACHED: &[(&str, &str)] = &[(
    "[method]descriptor.is-same-object",
    "preview 1 has no call comparing two fds; the adapter derives inode numbers from \
     metadata-hash instead",
)];

#[test]
fn the_guest_reaches_every_method_the_adapter_can_reach() {
    let bytes = component_bytes(&guest_path("fs_p2_all"));
    let component = Component::new(runner().engine(), &bytes[..]).unwrap();
    let imported = imported_types_functions(&component);
    let not_reached: BTreeSet<String> = NOT_REACHED.iter().map(|(m, _)| m.to_string()).collect();
    let all: BTreeSet<String> = ALL_TYPES_FUNCTIONS.iter().map(|m| m.to_string()).collect();
    assert!(imported.is_subset(&all), "unknown functions: {imported:?}");
    let expected: BTreeSet<String> = all.difference(&not_reached).cloned().collect();
    assert_eq!(
        imported, expected,
        "the wrapped guest's wasi:filesystem/types imports (left) are not every method but \
         the NOT_REACHED ones (right)"
    );
}

/// A fresh tree for fs_p2_all.c: f, sub/g, ln -> f.
fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    fs::write(t.path().join("f"), "hello").unwrap();
    fs::create_dir(t.path().join("sub")).unwrap();
    fs::write(t.path().join("sub/g"), "g").unwrap();
    symlink("f", t.path().join("ln")).unwrap();
    t
}

/// Path, type, contents and link target of everything below `top` (times differ between
/// runs and are left out; the guest checks the ones it sets).
fn contents(top: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    snapshot(top)
        .into_iter()
        .map(|(p, d)| (p, d.split(" Some(").next().unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn every_reachable_method_answers_as_the_module_does() {
    let (m, c) = (tree(), tree());
    let module = Guest::new("fs_p2_all").dir(m.path(), "/data").run();
    let component = Guest::new("fs_p2_all")
        .dir(c.path(), "/data")
        .run_component();
    module.assert_checks();
    component.assert_checks();
    assert_eq!(component.stdout, module.stdout);
    // Every check ran (none skipped by an early exit).
    let checks = component.stdout.lines().filter(|l| l.starts_with("ok "));
    assert_eq!(checks.count(), 70, "{}", component.stdout);
    assert_eq!(contents(c.path()), contents(m.path()));
    // What the guest left: f with a second name sub/h, d/, sub/g, ln; "new" was moved into
    // sub/ and unlinked, "s" unlinked.
    let names: Vec<String> = contents(c.path())
        .into_iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    assert_eq!(names, ["d", "f", "ln", "sub", "sub/g", "sub/h"]);
    assert_eq!(fs::read(c.path().join("sub/h")).unwrap(), b"hello");
}

/// tests/sandbox.rs's race, through the component: a host thread swaps a directory and a
/// file for symlinks to the outside while the guest opens through them; nothing outside is
/// ever opened.
#[test]
fn racing_symlink_swap_never_opens_outside_through_a_component() {
    symlink_swap_race(3000, |guest| guest.run_component());
}

/// Host fds of this process that point into `dir` (by their /proc/self/fd link).
fn open_fds_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .collect()
}

/// A component that exits (`wasi:cli/exit`) or returns while holding descriptors and streams
/// leaves no host fd open: the runner drops the store, and with it the system, first.
#[test]
fn exit_and_return_close_every_component_fd() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap();
    fs::write(dir.join("f"), "x").unwrap();
    // The probe sees an fd held open under `dir` (so the empty results below mean something).
    let held = fs::File::open(dir.join("f")).unwrap();
    assert_eq!(open_fds_under(&dir), [dir.join("f")]);
    drop(held);

    // misc_exit opens five files and a directory, leaves them open and exits (9 becomes
    // exit(err), status 1, through the adapter).
    let out = Guest::new("misc_exit")
        .dir(&dir, "/data")
        .args(["9", "open"])
        .run_component();
    assert_eq!(out.exit, Exit::Code(1), "{out:?}");
    assert_eq!(out.stdout, "before exit 9\n");
    assert_eq!(open_fds_under(&dir), Vec::<std::path::PathBuf>::new());

    let out = Guest::new("misc_exit")
        .dir(&dir, "/data")
        .args(["0", "open"])
        .run_component();
    assert_eq!(out.exit, Exit::Code(0), "{out:?}");
    assert_eq!(open_fds_under(&dir), Vec::<std::path::PathBuf>::new());
}
