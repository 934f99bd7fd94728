//! The sandbox oracle around the model: a host world (`outside/` next to the preopen
//! `root/`), the path calls the property tests and the `path_resolution` fuzz target run, and
//! the check that the host's answer agrees with [`Tree::resolve`](super::Tree::resolve).

use std::path::{Path, PathBuf};

use capwasi::abi::{Errno, Fd, Fdflags, Filetype, Fstflags, Lookupflags, Oflags, Rights};
use capwasi::host::UnixSystem;
use capwasi::system::System;

use super::snapshot::snapshot;
use super::{Failure, Node, Resolved, Tree};

#[derive(Clone, Debug)]
pub enum Kind {
    Dir,
    File,
    Symlink(String),
    /// A hard link to another entry of the tree (skipped unless that is a regular file).
    HardLink(String),
}

#[derive(Clone, Debug)]
pub enum Op {
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
    /// Every string the call passes to the host.
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Op::Open { path, .. } | Op::Stat { path, .. } | Op::SetTimes { path, .. } => vec![path],
            Op::Mkdir(p) | Op::Unlink(p) | Op::Rmdir(p) | Op::Readlink(p) => vec![p],
            Op::Rename(a, b) | Op::Link(a, b) | Op::Symlink(a, b) => vec![a, b],
        }
    }

    pub fn mutates(&self) -> bool {
        match self {
            Op::Open { oflags, write, .. } => *write || *oflags & 0b1001 != 0,
            Op::Stat { .. } | Op::Readlink(_) => false,
            _ => true,
        }
    }
}

/// The host side: `<tmp>/outside/{secret, odir/}` and `<tmp>/root/` (the preopen).
pub struct World {
    _tmp: tempfile::TempDir,
    pub base: PathBuf,
    pub root: PathBuf,
}

impl World {
    pub fn new(entries: &[(String, Kind)]) -> World {
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
                Kind::HardLink(t) => {
                    let t = root.join(t);
                    if std::fs::symlink_metadata(&t).is_ok_and(|m| m.is_file()) {
                        std::fs::hard_link(t, &p).unwrap();
                    }
                }
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
    pub fn outside_snapshot(&self) -> Vec<(PathBuf, String)> {
        snapshot(&self.base)
            .into_iter()
            .filter(|(p, _)| !p.starts_with("root/"))
            .filter(|(p, _)| p != Path::new("root"))
            .collect()
    }
}

pub const ESCAPE_ERRNOS: [Errno; 2] = [Errno::Perm, Errno::Notcapable];

pub fn follow(f: bool) -> Lookupflags {
    if f {
        Lookupflags::SYMLINK_FOLLOW
    } else {
        Lookupflags::empty()
    }
}

/// The model's verdict for `path` from the tree's root, `Err` for failures.
pub fn verdict(tree: &Tree, path: &str, follow_final: bool) -> Result<Resolved, Failure> {
    if path.contains('\0') {
        // NUL is refused by the host before resolution (EINVAL); treat as "not inside".
        return Err(Failure::NoEnt);
    }
    tree.resolve(&[], path, follow_final)
}

/// Runs one op and checks it against the model. Returns a description on disagreement.
pub fn check_op(sys: &mut UnixSystem, fd: Fd, tree: &Tree, op: &Op) -> Result<(), String> {
    let paths: Vec<(&str, bool)> = match op {
        // O_CREAT|O_EXCL never follows the last component (POSIX): an existing symlink,
        // wherever it points, is EEXIST.
        Op::Open {
            path,
            follow,
            oflags,
            ..
        } => {
            let excl = Oflags::from_bits_truncate(*oflags).contains(Oflags::CREAT | Oflags::EXCL);
            vec![(path, *follow && !excl)]
        }
        Op::Stat { path, follow } | Op::SetTimes { path, follow } => vec![(path, *follow)],
        // mkdir never follows its last component, trailing slash or not: on an existing
        // symlink (wherever it points) Linux says EEXIST, which only tells that the name
        // inside the preopen exists.
        Op::Mkdir(p) => vec![(without_trailing_slashes(p), false)],
        Op::Unlink(p) | Op::Rmdir(p) | Op::Readlink(p) => vec![(p, false)],
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
            // A NUL in any of the call's strings (a symlink target too) is refused as
            // malformed before anything is resolved.
            Err(Errno::Inval) if op.strings().iter().any(|s| s.contains('\0')) => {}
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

/// `p` without trailing slashes (unless that leaves nothing, e.g. for "/").
fn without_trailing_slashes(p: &str) -> &str {
    match p.trim_end_matches('/') {
        "" => p,
        trimmed => trimmed,
    }
}

/// Opens the start directory for a case: the preopen, or (when `sub` names a directory
/// inside) a directory fd opened from it, which is a sandbox root of its own.
pub fn start(sys: &mut UnixSystem, pre: Fd, world: &World, sub: bool) -> (Fd, PathBuf) {
    if sub && world.root.join("a").is_dir() && !world.root.join("a").is_symlink() {
        let fd = sys
            .path_open(
                pre,
                Lookupflags::empty(),
                "a",
                Oflags::DIRECTORY,
                // Directory rights only: asking for FD_WRITE through a read-only preopen is
                // (rightly) ENOTCAPABLE.
                Rights::DIRECTORY,
                Rights::all(),
                Fdflags::empty(),
            )
            .expect("open a");
        (fd, world.root.join("a"))
    } else {
        (pre, world.root.clone())
    }
}
