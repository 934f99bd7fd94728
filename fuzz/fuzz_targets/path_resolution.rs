//! Arbitrary tree + arbitrary path calls, checked against the pure model of resolution
//! (the same oracle as `tests/prop_sandbox.rs`): the host must agree with the model, and
//! nothing outside the preopen may change.
#![no_main]

#[path = "../../tests/model/mod.rs"]
mod model;

use arbitrary::{Result, Unstructured};
use capwasi::host::UnixSystem;
use capwasi::table::Limits;
use libfuzzer_sys::fuzz_target;
use model::Tree;
use model::sandbox::{Kind, Op, World, check_op, start};

const NAMES: &[&str] = &["a", "b", "c", "l", "..", ".", "", "secret", "odir", "a\\b"];

fn path(u: &mut Unstructured) -> Result<String> {
    let n = u.int_in_range(1..=5)?;
    let mut comps = Vec::with_capacity(n);
    for _ in 0..n {
        comps.push(if u.ratio(1, 16)? {
            // Free-form bytes (lossily UTF-8, as a guest string must be) for odd names.
            let len = u.int_in_range(0..=8)?;
            String::from_utf8_lossy(u.bytes(len)?).into_owned()
        } else {
            u.choose(NAMES)?.to_string()
        });
    }
    let mut p = comps.join("/");
    match u.int_in_range(0..=7)? {
        0 => p.insert(0, '/'),
        1 => p.push('/'),
        _ => {}
    }
    Ok(p)
}

fn target(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0..=4)? {
        0 => "../outside/secret".into(),
        1 => "../../outside".into(),
        2 => "OUTSIDE/secret".into(),
        3 => "l".into(),
        _ => path(u)?,
    })
}

fn entries(u: &mut Unstructured) -> Result<Vec<(String, Kind)>> {
    let n = u.int_in_range(0..=12)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let depth = u.int_in_range(1..=3)?;
        let mut comps = Vec::new();
        for _ in 0..depth {
            comps.push(*u.choose(&["a", "b", "c", "l"])?);
        }
        let kind = match u.int_in_range(0..=3)? {
            0 => Kind::Dir,
            1 => Kind::File,
            2 => {
                let depth = u.int_in_range(1..=3)?;
                let mut to = Vec::new();
                for _ in 0..depth {
                    to.push(*u.choose(&["a", "b", "c", "l"])?);
                }
                Kind::HardLink(to.join("/"))
            }
            _ => {
                let t = target(u)?;
                if t.is_empty() || t.contains('\0') {
                    Kind::File
                } else {
                    Kind::Symlink(t)
                }
            }
        };
        out.push((comps.join("/"), kind));
    }
    Ok(out)
}

fn op(u: &mut Unstructured) -> Result<Op> {
    Ok(match u.int_in_range(0..=9)? {
        0 => Op::Open {
            path: path(u)?,
            follow: u.arbitrary()?,
            oflags: u.int_in_range(0..=15)?,
            write: u.arbitrary()?,
        },
        1 => Op::Stat {
            path: path(u)?,
            follow: u.arbitrary()?,
        },
        2 => Op::Mkdir(path(u)?),
        3 => Op::Unlink(path(u)?),
        4 => Op::Rmdir(path(u)?),
        5 => Op::Rename(path(u)?, path(u)?),
        6 => Op::Link(path(u)?, path(u)?),
        7 => Op::Symlink(target(u)?, path(u)?),
        8 => Op::Readlink(path(u)?),
        _ => Op::SetTimes {
            path: path(u)?,
            follow: u.arbitrary()?,
        },
    })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let entries = entries(u)?;
    let read_only: bool = u.arbitrary()?;
    let sub: bool = u.arbitrary()?;
    let n = u.int_in_range(1..=10)?;
    let mut ops = Vec::with_capacity(n);
    for _ in 0..n {
        ops.push(op(u)?);
    }

    let world = World::new(&entries);
    let outside = world.outside_snapshot();
    let whole = model::snapshot::snapshot(&world.root);
    let mut sys = UnixSystem::new(Limits::default());
    let pre = sys.preopen_dir(&world.root, "/", read_only).unwrap();
    let (fd, dir) = start(&mut sys, pre, &world, sub);
    for op in &ops {
        let tree = Tree::from_host(&dir);
        if let Err(msg) = check_op(&mut sys, fd, &tree, op) {
            panic!("{msg}");
        }
        assert_eq!(
            world.outside_snapshot(),
            outside,
            "outside changed after {op:?}"
        );
        if read_only {
            assert_eq!(
                model::snapshot::snapshot(&world.root),
                whole,
                "read-only preopen changed after {op:?}"
            );
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
