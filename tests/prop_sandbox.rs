//! Property tests of the sandbox (DESIGN.md §2.2–2.4) at the `System` level.
//!
//! Each case builds a random tree of directories, files and symlinks (relative, absolute,
//! chains, loops, `..` inside targets, trailing `/`) inside a preopen next to an `outside/`
//! directory, then runs a random sequence of path calls with random guest paths. The oracle
//! is `model::Tree`, a pure model of resolution that says where a path leads or that it
//! escapes. For every step the host must agree with the model, and after every step a walk of
//! the host proves that nothing outside the preopen changed.
//!
//! `PROPTEST_CASES` raises the case count (default 256 per property).

mod common;
mod model;

use std::path::{Path, PathBuf};

use capwasi::abi::{Errno, Fd, Fdflags, Filetype, Fstflags, Lookupflags, Oflags, Rights};
use capwasi::host::UnixSystem;
use capwasi::system::System;
use capwasi::table::Limits;
use model::{Failure, Node, Resolved, Tree};
use proptest::prelude::*;

/// Names drawn from a small set so that paths collide with the tree often.
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop_oneof![Just("a"), Just("b"), Just("c"), Just("l")].prop_map(String::from),
        2 => Just("..".to_string()),
        1 => Just(".".to_string()),
        1 => Just("".to_string()),
        1 => Just("secret".to_string()),
        1 => Just("odir".to_string()),
        1 => Just("a\\b".to_string()),
        1 => Just("x".repeat(300)),
    ]
}

/// A guest path: components joined by `/`, sometimes absolute, sometimes with a trailing `/`,
/// sometimes containing a NUL.
fn guest_path() -> impl Strategy<Value = String> {
    (prop::collection::vec(component(), 1..5), 0..8u8).prop_map(|(comps, shape)| {
        let mut p = comps.join("/");
        match shape {
            0 => p.insert(0, '/'),
            1 => p.push('/'),
            2 => p.push_str("\0x"),
            _ => {}
        }
        p
    })
}

/// A symlink target: relative, `..`-laden, absolute into `outside/`, or looping.
fn link_target() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => guest_path().prop_filter("host symlinks have no NUL and are not empty", |p| {
            !p.contains('\0') && !p.is_empty()
        }),
        1 => Just("../outside/secret".to_string()),
        1 => Just("../../outside".to_string()),
        1 => Just("OUTSIDE/secret".to_string()), // replaced by the absolute outside path
        1 => Just("l".to_string()),              // loops when named l
    ]
}

#[derive(Clone, Debug)]
enum Kind {
    Dir,
    File,
    Symlink(String),
}

fn tree_entries() -> impl Strategy<Value = Vec<(String, Kind)>> {
    let entry = (
        prop::collection::vec(
            prop_oneof![Just("a"), Just("b"), Just("c"), Just("l")].prop_map(String::from),
            1..4,
        ),
        prop_oneof![
            2 => Just(Kind::Dir),
            2 => Just(Kind::File),
            3 => link_target().prop_map(Kind::Symlink),
        ],
    )
        .prop_map(|(comps, kind)| (comps.join("/"), kind));
    prop::collection::vec(entry, 0..12)
}

#[derive(Clone, Debug)]
enum Op {
    Open {
        path: String,
        follow: bool,
        oflags: u16,
        write: bool,
    },
    Stat {
        path: String,
        follow: bool,
    },
    Mkdir(String),
    Unlink(String),
    Rmdir(String),
    Rename(String, String),
    Link(String, String),
    Symlink(String, String),
    Readlink(String),
    SetTimes {
        path: String,
        follow: bool,
    },
}

impl Op {
    fn mutates(&self) -> bool {
        match self {
            Op::Open { oflags, write, .. } => *write || *oflags & 0b1001 != 0,
            Op::Stat { .. } | Op::Readlink(_) => false,
            _ => true,
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (guest_path(), any::<bool>(), 0..16u16, any::<bool>())
            .prop_map(|(path, follow, oflags, write)| Op::Open { path, follow, oflags, write }),
        3 => (guest_path(), any::<bool>()).prop_map(|(path, follow)| Op::Stat { path, follow }),
        1 => guest_path().prop_map(Op::Mkdir),
        1 => guest_path().prop_map(Op::Unlink),
        1 => guest_path().prop_map(Op::Rmdir),
        1 => (guest_path(), guest_path()).prop_map(|(a, b)| Op::Rename(a, b)),
        1 => (guest_path(), guest_path()).prop_map(|(a, b)| Op::Link(a, b)),
        1 => (link_target(), guest_path()).prop_map(|(a, b)| Op::Symlink(a, b)),
        1 => guest_path().prop_map(Op::Readlink),
        1 => (guest_path(), any::<bool>()).prop_map(|(path, follow)| Op::SetTimes { path, follow }),
    ]
}

/// The host side: `<tmp>/outside/{secret, odir/}` and `<tmp>/root/` (the preopen).
struct World {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    root: PathBuf,
}

impl World {
    fn new(entries: &[(String, Kind)]) -> World {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_owned();
        let outside = base.join("outside");
        std::fs::create_dir_all(outside.join("odir")).unwrap();
        std::fs::write(outside.join("secret"), b"outside").unwrap();
        let root = base.join("root");
        std::fs::create_dir(&root).unwrap();
        for (path, kind) in entries {
            let p = root.join(path);
            // Skip entries whose parent is not a real directory (or that already exist).
            if !p.parent().unwrap().is_dir() || std::fs::symlink_metadata(&p).is_ok() {
                continue;
            }
            match kind {
                Kind::Dir => std::fs::create_dir(&p).unwrap(),
                Kind::File => std::fs::write(&p, b"inside").unwrap(),
                Kind::Symlink(t) => {
                    let t = t.replace("OUTSIDE", &outside.to_string_lossy());
                    std::os::unix::fs::symlink(t, &p).unwrap()
                }
            }
        }
        World {
            _tmp: tmp,
            base,
            root,
        }
    }

    /// Everything but the preopen's contents.
    fn outside_snapshot(&self) -> Vec<(PathBuf, String)> {
        common::snapshot(&self.base)
            .into_iter()
            .filter(|(p, _)| !p.starts_with("root/"))
            .filter(|(p, _)| p != Path::new("root"))
            .collect()
    }
}

const ESCAPE_ERRNOS: [Errno; 2] = [Errno::Perm, Errno::Notcapable];

fn follow(f: bool) -> Lookupflags {
    if f {
        Lookupflags::SYMLINK_FOLLOW
    } else {
        Lookupflags::empty()
    }
}

/// The model's verdict for `path` from the tree's root, `Err` for failures.
fn verdict(tree: &Tree, path: &str, follow_final: bool) -> Result<Resolved, Failure> {
    if path.contains('\0') {
        // NUL is refused by the host before resolution (EINVAL); treat as "not inside".
        return Err(Failure::NoEnt);
    }
    tree.resolve(&[], path, follow_final)
}

/// Runs one op and checks it against the model. Returns a description on disagreement.
fn check_op(sys: &mut UnixSystem, fd: Fd, tree: &Tree, op: &Op) -> Result<(), String> {
    let paths: Vec<(&str, bool)> = match op {
        Op::Open { path, follow, .. } => vec![(path, *follow)],
        Op::Stat { path, follow } | Op::SetTimes { path, follow } => vec![(path, *follow)],
        Op::Mkdir(p) | Op::Unlink(p) | Op::Rmdir(p) | Op::Readlink(p) => vec![(p, false)],
        Op::Rename(a, b) => vec![(a, false), (b, false)],
        Op::Link(a, b) => vec![(a, false), (b, false)],
        Op::Symlink(_, b) => vec![(b, false)],
    };
    let verdicts: Vec<_> = paths.iter().map(|(p, f)| verdict(tree, p, *f)).collect();
    let escapes = verdicts.contains(&Err(Failure::Escape));
    let all_inside = verdicts.iter().all(|v| v.is_ok());

    let result: Result<(), Errno> = match op {
        Op::Open {
            path,
            follow: f,
            oflags,
            write,
        } => {
            let oflags = Oflags::from_bits_truncate(*oflags);
            let base = if *write {
                Rights::FD_READ | Rights::FD_WRITE
            } else {
                Rights::FD_READ
            };
            sys.path_open(
                fd,
                follow(*f),
                path,
                oflags,
                base,
                Rights::empty(),
                Fdflags::empty(),
            )
            .and_then(|new| sys.fd_close(new))
        }
        Op::Stat { path, follow: f } => {
            sys.path_filestat_get(fd, follow(*f), path).and_then(|st| {
                // Where the model knows the node, the type must match.
                if let Ok(Resolved::Exists { node, .. }) = &verdicts[0] {
                    let want = match node {
                        Node::Dir => Filetype::Directory,
                        Node::File => Filetype::RegularFile,
                        Node::Symlink(_) => Filetype::SymbolicLink,
                    };
                    if st.filetype != want {
                        return Err(Errno::Io); // reported as a disagreement below
                    }
                }
                Ok(())
            })
        }
        Op::Mkdir(p) => sys.path_create_directory(fd, p),
        Op::Unlink(p) => sys.path_unlink_file(fd, p),
        Op::Rmdir(p) => sys.path_remove_directory(fd, p),
        Op::Rename(a, b) => sys.path_rename(fd, a, fd, b),
        Op::Link(a, b) => sys.path_link(fd, Lookupflags::empty(), a, fd, b),
        Op::Symlink(t, b) => sys.path_symlink(t, fd, b),
        Op::Readlink(p) => {
            let mut buf = [0u8; 64];
            sys.path_readlink(fd, p, &mut buf).map(|_| ())
        }
        Op::SetTimes { path, follow: f } => sys.path_filestat_set_times(
            fd,
            follow(*f),
            path,
            0,
            0,
            Fstflags::ATIM_NOW | Fstflags::MTIM_NOW,
        ),
    };

    // Flag combinations that are invalid whatever the path (as wasmtime: DIRECTORY with
    // CREAT, EXCL or TRUNC) are refused before resolution.
    if let Op::Open { oflags, .. } = op {
        let o = Oflags::from_bits_truncate(*oflags);
        if o.contains(Oflags::DIRECTORY)
            && o.intersects(Oflags::CREAT | Oflags::EXCL | Oflags::TRUNC)
        {
            // (Path syntax, rights or resolution may be refused first; any refusal will do.)
            return match result {
                Err(_) => Ok(()),
                other => Err(format!("invalid oflags accepted: {op:?} -> {other:?}")),
            };
        }
    }
    if escapes && paths.len() == 1 {
        // A lone escaping path is refused with the sandbox's errno, whatever the call —
        // unless the call is refused before resolution for its syntax (POSIX: removing a
        // path whose last component is `.` or `..` is EINVAL).
        let dot_last = matches!(
            paths[0].0.trim_end_matches('/').rsplit('/').next(),
            Some(".") | Some("..")
        );
        match result {
            Err(e) if ESCAPE_ERRNOS.contains(&e) => {}
            Err(Errno::Inval | Errno::Notempty | Errno::Busy)
                if dot_last && matches!(op, Op::Rmdir(_)) => {}
            other => {
                return Err(format!(
                    "escape not refused: {op:?} -> {other:?} ({verdicts:?})"
                ));
            }
        }
    }
    if result.is_ok() && !all_inside {
        return Err(format!(
            "host succeeded where the model fails: {op:?} ({verdicts:?})"
        ));
    }
    if let Op::Stat { .. } = op {
        let want = match &verdicts[0] {
            Ok(Resolved::Exists {
                node: Node::File,
                dir_required: true,
                ..
            }) => Err(Errno::Notdir),
            Ok(Resolved::Exists { .. }) => Ok(()),
            Ok(Resolved::Missing { .. }) => Err(Errno::Noent),
            Err(Failure::NoEnt) if paths[0].0.contains('\0') => Err(Errno::Inval),
            Err(Failure::NoEnt) => Err(Errno::Noent),
            Err(Failure::NotDir) => Err(Errno::Notdir),
            Err(Failure::Loop) => Err(Errno::Loop),
            Err(Failure::Escape) => result, // checked above
        };
        // Over-long names are the kernel's call (ENAMETOOLONG), not the model's.
        if result != want && result != Err(Errno::Nametoolong) {
            return Err(format!(
                "stat disagrees: {op:?} -> {result:?}, model {want:?} ({verdicts:?})"
            ));
        }
    }
    Ok(())
}

/// Opens the start directory for a case: the preopen, or (when `sub` names a directory
/// inside) a directory fd opened from it, which is a sandbox root of its own.
fn start(sys: &mut UnixSystem, pre: Fd, world: &World, sub: bool) -> (Fd, PathBuf) {
    if sub && world.root.join("a").is_dir() && !world.root.join("a").is_symlink() {
        let fd = sys
            .path_open(
                pre,
                Lookupflags::empty(),
                "a",
                Oflags::DIRECTORY,
                Rights::all(),
                Rights::all(),
                Fdflags::empty(),
            )
            .expect("open a");
        (fd, world.root.join("a"))
    } else {
        (pre, world.root.clone())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Random trees, random ops: the host agrees with the model and never touches outside.
    #[test]
    fn read_write_preopen_agrees_with_model(
        entries in tree_entries(),
        ops in prop::collection::vec(op(), 1..10),
        sub in any::<bool>(),
    ) {
        let world = World::new(&entries);
        let before = world.outside_snapshot();
        let mut sys = UnixSystem::new(Limits::default());
        let pre = sys.preopen_dir(&world.root, "/", false).unwrap();
        let (fd, dir) = start(&mut sys, pre, &world, sub);
        for op in &ops {
            let tree = Tree::from_host(&dir);
            if let Err(msg) = check_op(&mut sys, fd, &tree, op) {
                prop_assert!(false, "{}", msg);
            }
            prop_assert_eq!(&world.outside_snapshot(), &before, "outside changed after {:?}", op);
        }
    }

    /// A read-only preopen refuses every mutation and the whole tree stays as it was.
    #[test]
    fn read_only_preopen_refuses_every_mutation(
        entries in tree_entries(),
        ops in prop::collection::vec(op(), 1..10),
    ) {
        let world = World::new(&entries);
        let before = common::snapshot(&world.base);
        let mut sys = UnixSystem::new(Limits::default());
        let fd = sys.preopen_dir(&world.root, "/", true).unwrap();
        for op in &ops {
            let tree = Tree::from_host(&world.root);
            if let Err(msg) = check_op(&mut sys, fd, &tree, op) {
                prop_assert!(false, "{}", msg);
            }
            prop_assert_eq!(&common::snapshot(&world.base), &before, "tree changed after {:?}", op);
        }
        for op in ops.iter().filter(|o| o.mutates()) {
            let tree = Tree::from_host(&world.root);
            let _ = check_op(&mut sys, fd, &tree, op);
        }
        prop_assert_eq!(&common::snapshot(&world.base), &before);
    }

    /// Hard links and renames between a read-write and a read-only preopen fail both ways.
    #[test]
    fn no_link_or_rename_across_modes(
        entries in tree_entries(),
        a in guest_path(),
        b in guest_path(),
    ) {
        let world = World::new(&entries);
        let ro_root = world.base.join("ro");
        std::fs::create_dir(&ro_root).unwrap();
        std::fs::write(ro_root.join("a"), b"ro").unwrap();
        let before = common::snapshot(&ro_root);
        let mut sys = UnixSystem::new(Limits::default());
        let rw = sys.preopen_dir(&world.root, "/rw", false).unwrap();
        let ro = sys.preopen_dir(&ro_root, "/ro", true).unwrap();
        for (from, to) in [(rw, ro), (ro, rw)] {
            prop_assert!(sys.path_link(from, Lookupflags::empty(), &a, to, &b).is_err());
            prop_assert!(sys.path_link(from, Lookupflags::empty(), "a", to, &b).is_err());
            prop_assert!(sys.path_rename(from, &a, to, &b).is_err());
            prop_assert!(sys.path_rename(from, "a", to, "new").is_err());
        }
        prop_assert_eq!(&common::snapshot(&ro_root), &before);
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}
