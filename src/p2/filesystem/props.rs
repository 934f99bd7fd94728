//! Property: whatever sequence of path calls a component makes with whatever paths, nothing
//! outside its preopens changes, nothing inside a read-only preopen changes, and no call
//! panics. Paths are built from the pieces that matter for escapes: `..`, `.`, a leading `/`,
//! symlinks pointing out (relative and absolute) and names that exist or not.

use std::os::unix::fs::{MetadataExt, symlink};
use std::path::Path;

use proptest::prelude::*;
use wasmtime::component::Resource;

use super::Descriptor;
use crate::host::UnixSystem;
use crate::p2::WasiP2;
use crate::p2::bindings::wasi::filesystem::preopens::Host as _;
use crate::p2::bindings::wasi::filesystem::types::{
    DescriptorFlags as DF, HostDescriptor, NewTimestamp, OpenFlags as OF, PathFlags,
};
use crate::table::Limits;

const PIECES: &[&str] = &[
    "..", ".", "sub", "file", "out", "abs", "loop", "new", "sub/..", "",
];

fn b<T: 'static>(r: &Resource<T>) -> Resource<T> {
    Resource::new_borrow(r.rep())
}

/// Names, types, contents, link targets and mtimes of everything below `p`.
fn snapshot(p: &Path) -> Vec<String> {
    fn walk(p: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = format!("{rel}/{}", e.file_name().to_string_lossy());
            let Ok(md) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if md.file_type().is_symlink() {
                let t = std::fs::read_link(e.path()).unwrap_or_default();
                out.push(format!("{name} -> {}", t.display()));
            } else if md.is_dir() {
                out.push(format!("{name}/ {}", md.mtime()));
                walk(&e.path(), &name, out);
            } else {
                let data = std::fs::read(e.path()).unwrap_or_default();
                out.push(format!("{name} {:?} {} {}", data, md.mtime(), md.nlink()));
            }
        }
    }
    let mut out = Vec::new();
    walk(p, "", &mut out);
    out
}

#[derive(Clone, Debug)]
struct Call {
    op: u8,
    read_only: bool,
    follow: bool,
    path: String,
    other: String,
}

fn path() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(prop::sample::select(PIECES), 1..5),
    )
        .prop_map(|(absolute, pieces)| {
            let p = pieces.join("/");
            if absolute { format!("/{p}") } else { p }
        })
}

fn call() -> impl Strategy<Value = Call> {
    (0u8..12, any::<bool>(), any::<bool>(), path(), path()).prop_map(
        |(op, read_only, follow, path, other)| Call {
            op,
            read_only,
            follow,
            path,
            other,
        },
    )
}

fn run(p2: &mut WasiP2<UnixSystem>, dir: &Resource<Descriptor>, c: &Call) {
    let pf = if c.follow {
        PathFlags::SYMLINK_FOLLOW
    } else {
        PathFlags::empty()
    };
    let (path, other) = (c.path.clone(), c.other.clone());
    // Results do not matter here, only what they leave behind (and that nothing panics).
    let _ = match c.op {
        0 => HostDescriptor::open_at(p2, b(dir), pf, path, OF::CREATE, DF::READ | DF::WRITE)
            .map(|d| HostDescriptor::write(p2, d, b"planted".to_vec(), 0).map(|_| ()))
            .map(|_| ()),
        1 => HostDescriptor::open_at(p2, b(dir), pf, path, OF::TRUNCATE, DF::WRITE).map(|_| ()),
        2 => HostDescriptor::create_directory_at(p2, b(dir), path),
        3 => HostDescriptor::unlink_file_at(p2, b(dir), path),
        4 => HostDescriptor::remove_directory_at(p2, b(dir), path),
        5 => HostDescriptor::rename_at(p2, b(dir), path, b(dir), other),
        6 => HostDescriptor::link_at(p2, b(dir), pf, path, b(dir), other),
        7 => HostDescriptor::symlink_at(p2, b(dir), other, path),
        8 => {
            HostDescriptor::set_times_at(p2, b(dir), pf, path, NewTimestamp::Now, NewTimestamp::Now)
        }
        9 => HostDescriptor::open_at(p2, b(dir), pf, path, OF::empty(), DF::READ | DF::WRITE).map(
            |d| {
                let _ = HostDescriptor::set_size(p2, b(&d), 0);
                let _ = HostDescriptor::set_times(p2, d, NewTimestamp::Now, NewTimestamp::Now);
            },
        ),
        10 => HostDescriptor::stat_at(p2, b(dir), pf, path).map(|_| ()),
        _ => HostDescriptor::readlink_at(p2, b(dir), path).map(|_| ()),
    };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn nothing_outside_or_read_only_changes(calls in prop::collection::vec(call(), 1..12)) {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        for d in ["rw/sub", "ro/sub", "outside/sub"] {
            std::fs::create_dir_all(t.join(d)).unwrap();
        }
        for f in ["rw/file", "ro/file", "outside/file", "outside/sub/file"] {
            std::fs::write(t.join(f), f.as_bytes()).unwrap();
        }
        for d in ["rw", "ro"] {
            symlink("../outside", t.join(d).join("out")).unwrap();
            symlink(t.join("outside"), t.join(d).join("abs")).unwrap();
            symlink("loop", t.join(d).join("loop")).unwrap();
        }
        let outside = snapshot(&t.join("outside"));
        let ro = snapshot(&t.join("ro"));
        let mut sys = UnixSystem::new(Limits::default());
        sys.preopen_dir(&t.join("rw"), "rw", false).unwrap();
        sys.preopen_dir(&t.join("ro"), "ro", true).unwrap();
        let mut p2 = WasiP2::new(sys);
        let dirs = p2.get_directories().unwrap();
        for c in &calls {
            let dir = if c.read_only { &dirs[1].0 } else { &dirs[0].0 };
            run(&mut p2, dir, c);
        }
        prop_assert_eq!(snapshot(&t.join("outside")), outside);
        prop_assert_eq!(snapshot(&t.join("ro")), ro);
    }
}
