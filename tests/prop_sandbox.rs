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

mod model;

use capwasi::abi::Lookupflags;
use capwasi::host::UnixSystem;
use capwasi::system::System;
use capwasi::table::Limits;
use model::Tree;
use model::sandbox::{Kind, Op, World, check_op, start};
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
            1 => prop::collection::vec(
                prop_oneof![Just("a"), Just("b"), Just("c"), Just("l")],
                1..4,
            )
            .prop_map(|c| Kind::HardLink(c.join("/"))),
        ],
    )
        .prop_map(|(comps, kind)| (comps.join("/"), kind));
    prop::collection::vec(entry, 0..12)
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
        let before = model::snapshot::snapshot(&world.base);
        let mut sys = UnixSystem::new(Limits::default());
        let fd = sys.preopen_dir(&world.root, "/", true).unwrap();
        for op in &ops {
            let tree = Tree::from_host(&world.root);
            if let Err(msg) = check_op(&mut sys, fd, &tree, op) {
                prop_assert!(false, "{}", msg);
            }
            prop_assert_eq!(&model::snapshot::snapshot(&world.base), &before, "tree changed after {:?}", op);
        }
        for op in ops.iter().filter(|o| o.mutates()) {
            let tree = Tree::from_host(&world.root);
            let _ = check_op(&mut sys, fd, &tree, op);
        }
        prop_assert_eq!(&model::snapshot::snapshot(&world.base), &before);
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
        let before = model::snapshot::snapshot(&ro_root);
        let mut sys = UnixSystem::new(Limits::default());
        let rw = sys.preopen_dir(&world.root, "/rw", false).unwrap();
        let ro = sys.preopen_dir(&ro_root, "/ro", true).unwrap();
        for (from, to) in [(rw, ro), (ro, rw)] {
            prop_assert!(sys.path_link(from, Lookupflags::empty(), &a, to, &b).is_err());
            prop_assert!(sys.path_link(from, Lookupflags::empty(), "a", to, &b).is_err());
            prop_assert!(sys.path_rename(from, &a, to, &b).is_err());
            prop_assert!(sys.path_rename(from, "a", to, "new").is_err());
        }
        prop_assert_eq!(&model::snapshot::snapshot(&ro_root), &before);
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}
