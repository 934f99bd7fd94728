//! System-level tests of the Unix host against real temporary directories.

use std::io::{IoSlice, IoSliceMut};
use std::os::unix::fs::symlink;
use std::path::Path;

use super::UnixSystem;
use crate::abi::{
    Clockid, Errno, Event, Eventrwflags, Eventtype, Fd, Fdflags, Filetype, Fstflags, Lookupflags,
    Oflags, Rights, Subclockflags, Subscription, SubscriptionClock, SubscriptionKind, Whence,
};
use crate::system::{ReaddirControl, System};
use crate::table::Limits;

const FOLLOW: Lookupflags = Lookupflags::SYMLINK_FOLLOW;
const NOFOLLOW: Lookupflags = Lookupflags::empty();
const RW: Rights = Rights::FD_READ
    .union(Rights::FD_WRITE)
    .union(Rights::FD_SEEK)
    .union(Rights::FD_TELL)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_SIZE)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_ALLOCATE)
    .union(Rights::POLL_FD_READWRITE);
const RD: Rights = Rights::FD_READ
    .union(Rights::FD_SEEK)
    .union(Rights::FD_TELL);

/// A sandbox: `root/` is preopened as fd 0 ("/sandbox"); `outside/secret` sits next to it.
struct Fixture {
    tmp: tempfile::TempDir,
    sys: UnixSystem,
}

impl Fixture {
    fn new(read_only: bool) -> Fixture {
        Self::with_limits(read_only, Limits::default())
    }

    fn with_limits(read_only: bool, limits: Limits) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::create_dir(tmp.path().join("outside")).unwrap();
        std::fs::write(tmp.path().join("outside/secret"), b"secret").unwrap();
        std::fs::write(root.join("file"), b"hello world").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/inner"), b"inner").unwrap();
        symlink("../outside/secret", root.join("rel_out")).unwrap();
        symlink(tmp.path().join("outside/secret"), root.join("abs_out")).unwrap();
        symlink("../outside", root.join("dir_out")).unwrap();
        symlink("file", root.join("ok_link")).unwrap();
        symlink("loop_b", root.join("loop_a")).unwrap();
        symlink("loop_a", root.join("loop_b")).unwrap();
        let mut sys = UnixSystem::new(limits);
        let fd = sys.preopen_dir(&root, "/sandbox", read_only).unwrap();
        assert_eq!(fd, 0);
        Fixture { tmp, sys }
    }

    fn root(&self) -> std::path::PathBuf {
        self.tmp.path().join("root")
    }

    fn open(&mut self, path: &str, oflags: Oflags, base: Rights) -> Result<Fd, Errno> {
        self.sys.path_open(
            0,
            FOLLOW,
            path,
            oflags,
            base,
            Rights::all(),
            Fdflags::empty(),
        )
    }

    fn read_all(&mut self, fd: Fd) -> Vec<u8> {
        let mut buf = [0u8; 256];
        let n = self
            .sys
            .fd_read(fd, &mut [IoSliceMut::new(&mut buf)])
            .unwrap();
        buf[..n].to_vec()
    }

    /// Every (relative path, contents) under the tmp dir, to prove nothing changed.
    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            let mut names: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap())
                .collect();
            names.sort_by_key(|e| e.file_name());
            for e in names {
                let p = e.path();
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                let meta = std::fs::symlink_metadata(&p).unwrap();
                if meta.is_symlink() {
                    let t = std::fs::read_link(&p).unwrap();
                    out.push((rel, t.display().to_string().into_bytes()));
                } else if meta.is_dir() {
                    out.push((rel + "/", Vec::new()));
                    walk(base, &p, out);
                } else {
                    let mtime = meta.modified().unwrap();
                    let mut v = std::fs::read(&p).unwrap();
                    v.extend(format!("{mtime:?}").bytes());
                    out.push((rel, v));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.tmp.path(), self.tmp.path(), &mut out);
        out
    }
}

#[test]
fn args_and_env() {
    let mut sys = UnixSystem::new(Limits::default());
    assert_eq!(sys.set_args(vec![b"a\0b".to_vec()]), Err(Errno::Inval));
    sys.set_args(vec![b"prog".to_vec(), b"x".to_vec()]).unwrap();
    sys.set_env(vec![b"A=1".to_vec()]).unwrap();
    assert_eq!(sys.args_sizes_get(), Ok((2, 7)));
    assert_eq!(sys.environ_sizes_get(), Ok((1, 4)));
    assert_eq!(sys.args_get().unwrap()[1], b"x");
}

#[test]
fn preopen_errors_name_the_path() {
    let mut sys = UnixSystem::new(Limits::default());
    let err = sys
        .preopen_dir(Path::new("/nonexistent/capwasi"), "x", false)
        .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/capwasi"), "{err}");
    let f = tempfile::NamedTempFile::new().unwrap();
    let err = sys.preopen_dir(f.path(), "x", false).unwrap_err();
    assert!(
        err.to_string().contains(&f.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn prestat() {
    let mut fx = Fixture::new(false);
    assert_eq!(fx.sys.fd_prestat_get(0).unwrap().dir_name_len, 8);
    assert_eq!(fx.sys.fd_prestat_dir_name(0), Ok("/sandbox"));
    let sub = fx.open("sub", Oflags::DIRECTORY, Rights::all()).unwrap();
    // Not preopens: EBADF, so wasi-libc's scan stops cleanly.
    assert_eq!(fx.sys.fd_prestat_get(sub), Err(Errno::Badf));
    assert_eq!(fx.sys.fd_prestat_get(99), Err(Errno::Badf));
    // A preopen can be closed like any fd.
    fx.sys.fd_close(0).unwrap();
    assert_eq!(fx.sys.fd_prestat_get(0), Err(Errno::Badf));
}

#[test]
fn stdio_types_and_rights() {
    let mut sys = UnixSystem::new(Limits::default());
    let devnull = std::fs::File::open("/dev/null").unwrap();
    let fd = sys.push_fd(devnull.into()).unwrap();
    let st = sys.fd_fdstat_get(fd).unwrap();
    assert_eq!(st.filetype, Filetype::CharacterDevice);
    // Not a tty: seek/tell kept so wasi-libc's isatty() is false.
    assert!(st.rights_base.contains(Rights::FD_SEEK | Rights::FD_TELL));
    let (r, w) = rustix::pipe::pipe().unwrap();
    let rfd = sys.push_fd(r).unwrap();
    let wfd = sys.push_fd(w).unwrap();
    assert_eq!(sys.fd_fdstat_get(rfd).unwrap().filetype, Filetype::Unknown);
    assert_eq!(sys.fd_write(wfd, &[IoSlice::new(b"hi")]), Ok(2));
    assert_eq!(sys.fd_seek(rfd, 1, Whence::Cur), Err(Errno::Notcapable));
    let mut buf = [0u8; 4];
    assert_eq!(sys.fd_read(rfd, &mut [IoSliceMut::new(&mut buf)]), Ok(2));
    let (a, _b) = rustix::net::socketpair(
        rustix::net::AddressFamily::UNIX,
        rustix::net::SocketType::STREAM,
        rustix::net::SocketFlags::CLOEXEC,
        None,
    )
    .unwrap();
    let s = sys.push_fd(a).unwrap();
    assert_eq!(
        sys.fd_fdstat_get(s).unwrap().filetype,
        Filetype::SocketStream
    );
    assert_eq!(sys.fd_prestat_get(s), Err(Errno::Badf));
    // Socket calls on non-sockets.
    assert_eq!(
        sys.sock_shutdown(fd, crate::abi::Sdflags::RD),
        Err(Errno::Notsock)
    );
    sys.sock_shutdown(s, crate::abi::Sdflags::WR).unwrap();
}

#[test]
fn escapes_are_refused_by_every_path_call() {
    let mut fx = Fixture::new(false);
    let before = fx.snapshot();
    let s = &mut fx.sys;
    for p in [
        "/etc/passwd",
        "/",
        "../outside/secret",
        "sub/../../outside/secret",
        "dir_out/secret",
    ] {
        let o = s.path_open(
            0,
            FOLLOW,
            p,
            Oflags::empty(),
            RD,
            Rights::empty(),
            Fdflags::empty(),
        );
        assert_eq!(o, Err(Errno::Perm), "open {p}");
        assert_eq!(
            s.path_filestat_get(0, FOLLOW, p).err(),
            Some(Errno::Perm),
            "stat {p}"
        );
        assert_eq!(s.path_unlink_file(0, p), Err(Errno::Perm), "unlink {p}");
        assert_eq!(
            s.path_create_directory(0, &format!("{p}x")),
            Err(Errno::Perm),
            "mkdir {p}"
        );
        assert_eq!(
            s.path_remove_directory(0, p).err(),
            Some(Errno::Perm),
            "rmdir {p}"
        );
        assert_eq!(
            s.path_rename(0, p, 0, "stolen"),
            Err(Errno::Perm),
            "rename {p}"
        );
        assert_eq!(
            s.path_rename(0, "file", 0, p),
            Err(Errno::Perm),
            "rename to {p}"
        );
        assert_eq!(
            s.path_link(0, NOFOLLOW, p, 0, "stolen"),
            Err(Errno::Perm),
            "link {p}"
        );
        assert_eq!(
            s.path_symlink("file", 0, &format!("{p}x")),
            Err(Errno::Perm),
            "symlink {p}"
        );
        assert_eq!(
            s.path_readlink(0, p, &mut [0; 8]),
            Err(Errno::Perm),
            "readlink {p}"
        );
        let t = s.path_filestat_set_times(0, FOLLOW, p, 0, 0, Fstflags::MTIM);
        assert_eq!(t, Err(Errno::Perm), "utimes {p}");
    }
    // Symlinks pointing out, relative or absolute, are not followed.
    for p in ["rel_out", "abs_out"] {
        let o = s.path_open(
            0,
            FOLLOW,
            p,
            Oflags::empty(),
            RD,
            Rights::empty(),
            Fdflags::empty(),
        );
        assert_eq!(o, Err(Errno::Perm), "open {p}");
        assert_eq!(
            s.path_filestat_get(0, FOLLOW, p).err(),
            Some(Errno::Perm),
            "stat {p}"
        );
        // Without following, the link itself is inside and may be inspected.
        assert_eq!(
            s.path_filestat_get(0, NOFOLLOW, p).unwrap().filetype,
            Filetype::SymbolicLink
        );
    }
    // readlink of an absolute target is refused (it names a host path).
    assert_eq!(
        s.path_readlink(0, "abs_out", &mut [0; 64]),
        Err(Errno::Perm)
    );
    // A guest-made symlink with `..` can be created but not followed out.
    s.path_symlink("../outside/secret", 0, "mine").unwrap();
    let o = s.path_open(
        0,
        FOLLOW,
        "mine",
        Oflags::empty(),
        RD,
        Rights::empty(),
        Fdflags::empty(),
    );
    assert_eq!(o, Err(Errno::Perm));
    // An absolute target cannot even be created.
    assert_eq!(s.path_symlink("/etc/passwd", 0, "abs"), Err(Errno::Perm));
    // Loops.
    let o = s.path_open(
        0,
        FOLLOW,
        "loop_a",
        Oflags::empty(),
        RD,
        Rights::empty(),
        Fdflags::empty(),
    );
    assert_eq!(o, Err(Errno::Loop));
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "loop_a").err(),
        Some(Errno::Loop)
    );
    // Bad strings.
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "fi\0le").err(),
        Some(Errno::Inval)
    );
    assert_eq!(s.path_filestat_get(0, FOLLOW, "").err(), Some(Errno::Noent));
    // Nothing outside changed; the only change inside is the guest's own symlink.
    s.path_unlink_file(0, "mine").unwrap();
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn dotdot_inside_is_fine() {
    let mut fx = Fixture::new(false);
    let fd = fx.open("sub/../file", Oflags::empty(), RD).unwrap();
    assert_eq!(fx.read_all(fd), b"hello world");
    let fd = fx.open("ok_link", Oflags::empty(), RD).unwrap();
    assert_eq!(fx.read_all(fd), b"hello world");
    // Through a subdirectory fd, `..` may not climb above *that* fd either... but it is the
    // same sandbox root rule: relative to the fd's directory.
    let sub = fx.open("sub", Oflags::DIRECTORY, Rights::all()).unwrap();
    let r = fx.sys.path_open(
        sub,
        FOLLOW,
        "../file",
        Oflags::empty(),
        RD,
        Rights::empty(),
        Fdflags::empty(),
    );
    assert_eq!(r, Err(Errno::Perm));
    let f = fx
        .sys
        .path_open(
            sub,
            FOLLOW,
            "inner",
            Oflags::empty(),
            RD,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_eq!(fx.read_all(f), b"inner");
}

#[test]
fn read_only_preopen_refuses_every_mutation() {
    let mut fx = Fixture::new(true);
    let before = fx.snapshot();
    let s = &mut fx.sys;
    let st = s.fd_fdstat_get(0).unwrap();
    assert!(!st.rights_base.intersects(Rights::MUTATING));
    assert!(!st.rights_inheriting.intersects(Rights::MUTATING));
    let n = Errno::Notcapable;
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "new",
            Oflags::CREAT,
            RW,
            Rights::empty(),
            Fdflags::empty()
        ),
        Err(n)
    );
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "file",
            Oflags::TRUNC,
            RD,
            Rights::empty(),
            Fdflags::empty()
        ),
        Err(n)
    );
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::empty()
        ),
        Err(n)
    );
    assert_eq!(s.path_create_directory(0, "d"), Err(n));
    assert_eq!(s.path_unlink_file(0, "file"), Err(n));
    assert_eq!(s.path_remove_directory(0, "sub"), Err(n));
    assert_eq!(s.path_rename(0, "file", 0, "moved"), Err(n));
    assert_eq!(s.path_link(0, NOFOLLOW, "file", 0, "hard"), Err(n));
    assert_eq!(s.path_symlink("file", 0, "sym"), Err(n));
    assert_eq!(
        s.path_filestat_set_times(0, FOLLOW, "file", 0, 0, Fstflags::MTIM_NOW),
        Err(n)
    );
    // A file opened for reading gets no mutating right, even when asking for all of them
    // (generous masks are trimmed, not refused).
    let fd = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            Rights::all() - Rights::FD_WRITE,
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    let st = s.fd_fdstat_get(fd).unwrap();
    assert!(
        !st.rights_base.intersects(Rights::MUTATING),
        "{:?}",
        st.rights_base
    );
    assert_eq!(s.fd_write(fd, &[IoSlice::new(b"x")]), Err(n));
    assert_eq!(s.fd_pwrite(fd, &[IoSlice::new(b"x")], 0), Err(n));
    assert_eq!(s.fd_filestat_set_size(fd, 0), Err(n));
    assert_eq!(s.fd_allocate(fd, 0, 100), Err(n));
    assert_eq!(s.fd_filestat_set_times(fd, 0, 0, Fstflags::MTIM), Err(n));
    assert_eq!(
        s.fd_fdstat_set_rights(fd, Rights::FD_WRITE, Rights::empty()),
        Err(n)
    );
    // Subdirectories inherit the read-only rights.
    let sub = s
        .path_open(
            0,
            FOLLOW,
            "sub",
            Oflags::DIRECTORY,
            Rights::all() - Rights::FD_WRITE,
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    assert!(
        !s.fd_fdstat_get(sub)
            .unwrap()
            .rights_base
            .intersects(Rights::MUTATING)
    );
    assert_eq!(s.path_unlink_file(sub, "inner"), Err(n));
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn renames_and_links_between_ro_and_rw_preopens_are_refused() {
    let mut fx = Fixture::new(false);
    let other = fx.tmp.path().join("ro");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("x"), b"x").unwrap();
    let ro = fx.sys.preopen_dir(&other, "/ro", true).unwrap();
    let before = fx.snapshot();
    assert_eq!(
        fx.sys.path_rename(0, "file", ro, "file"),
        Err(Errno::Notcapable)
    );
    assert_eq!(fx.sys.path_rename(ro, "x", 0, "x"), Err(Errno::Notcapable));
    assert_eq!(
        fx.sys.path_link(0, NOFOLLOW, "file", ro, "file"),
        Err(Errno::Notcapable)
    );
    assert_eq!(
        fx.sys.path_link(ro, NOFOLLOW, "x", 0, "x"),
        Err(Errno::Notcapable)
    );
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn open_semantics() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    let e = Fdflags::empty();
    // DIRECTORY on a file.
    assert_eq!(
        s.path_open(0, FOLLOW, "file", Oflags::DIRECTORY, RD, Rights::empty(), e),
        Err(Errno::Notdir)
    );
    // DIRECTORY with CREAT is invalid.
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "d",
            Oflags::DIRECTORY | Oflags::CREAT,
            RD,
            Rights::empty(),
            e
        ),
        Err(Errno::Inval)
    );
    // Not following the final symlink.
    assert_eq!(
        s.path_open(
            0,
            NOFOLLOW,
            "ok_link",
            Oflags::empty(),
            RD,
            Rights::empty(),
            e
        ),
        Err(Errno::Loop)
    );
    // A directory for writing.
    assert_eq!(
        s.path_open(0, FOLLOW, "sub", Oflags::empty(), RW, Rights::empty(), e),
        Err(Errno::Isdir)
    );
    // Trailing slash on a file.
    assert_eq!(
        s.path_open(0, FOLLOW, "file/", Oflags::empty(), RD, Rights::empty(), e),
        Err(Errno::Notdir)
    );
    // A directory without DIRECTORY (opendir in wasi-libc does this) is still a directory.
    // Directory rights plus FD_READ: opened for reading, so a directory.
    let dir_rights = Rights::DIRECTORY | Rights::FD_READ;
    let d = s
        .path_open(
            0,
            FOLLOW,
            "sub/",
            Oflags::empty(),
            dir_rights,
            Rights::all(),
            e,
        )
        .unwrap();
    let st = s.fd_fdstat_get(d).unwrap();
    assert_eq!(st.filetype, Filetype::Directory);
    assert!(
        st.rights_base.contains(Rights::FD_READDIR) && !st.rights_base.contains(Rights::FD_READ)
    );
    // Create, exclusive.
    let f = s
        .path_open(
            0,
            FOLLOW,
            "new",
            Oflags::CREAT | Oflags::EXCL,
            RW,
            Rights::empty(),
            e,
        )
        .unwrap();
    assert_eq!(s.fd_fdstat_get(f).unwrap().filetype, Filetype::RegularFile);
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "new",
            Oflags::CREAT | Oflags::EXCL,
            RW,
            Rights::empty(),
            e
        ),
        Err(Errno::Exist)
    );
    // Creating without asking for write rights still creates (rights decide the rest).
    let g = s
        .path_open(0, FOLLOW, "new2", Oflags::CREAT, RD, Rights::empty(), e)
        .unwrap();
    assert_eq!(s.fd_write(g, &[IoSlice::new(b"x")]), Err(Errno::Notcapable));
    // Truncate.
    let t = s
        .path_open(0, FOLLOW, "file", Oflags::TRUNC, RW, Rights::empty(), e)
        .unwrap();
    assert_eq!(s.fd_filestat_get(t).unwrap().size, 0);
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "missing",
            Oflags::empty(),
            RD,
            Rights::empty(),
            e
        ),
        Err(Errno::Noent)
    );
    // Path call through a file fd.
    assert_eq!(
        s.path_open(t, FOLLOW, "x", Oflags::empty(), RD, Rights::empty(), e),
        Err(Errno::Notdir)
    );
    assert_eq!(s.path_create_directory(t, "x"), Err(Errno::Notdir));
    assert_eq!(s.path_create_directory(77, "x"), Err(Errno::Badf));
    // Asking for write through a parent whose inheriting rights lack it.
    s.fd_fdstat_set_rights(
        0,
        Rights::DIRECTORY,
        Rights::REGULAR_FILE - Rights::FD_WRITE,
    )
    .unwrap();
    assert_eq!(
        s.path_open(0, FOLLOW, "file", Oflags::empty(), RW, Rights::empty(), e),
        Err(Errno::Notcapable)
    );
}

#[test]
fn append_and_fdflags() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::APPEND,
        )
        .unwrap();
    assert_eq!(s.fd_fdstat_get(f).unwrap().flags, Fdflags::APPEND);
    s.fd_write(f, &[IoSlice::new(b"!")]).unwrap();
    assert_eq!(
        std::fs::read(fx.tmp.path().join("root/file")).unwrap(),
        b"hello world!"
    );
    let s = &mut fx.sys;
    s.fd_fdstat_set_flags(f, Fdflags::NONBLOCK).unwrap();
    assert_eq!(s.fd_fdstat_get(f).unwrap().flags, Fdflags::NONBLOCK);
    assert_eq!(s.fd_fdstat_set_flags(f, Fdflags::SYNC), Err(Errno::Inval));
    let d = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::DSYNC,
        )
        .unwrap();
    // cap-std opens DSYNC as O_SYNC (stronger), which reads back as SYNC.
    assert!(
        s.fd_fdstat_get(d)
            .unwrap()
            .flags
            .intersects(Fdflags::DSYNC | Fdflags::SYNC)
    );
}

#[test]
fn rights_shrink_only() {
    let mut fx = Fixture::new(false);
    let f = fx
        .open("file", Oflags::empty(), RD | Rights::FD_FILESTAT_GET)
        .unwrap();
    let s = &mut fx.sys;
    assert_eq!(
        s.fd_fdstat_set_rights(f, RD | Rights::FD_WRITE, Rights::empty()),
        Err(Errno::Notcapable)
    );
    s.fd_fdstat_set_rights(f, Rights::FD_READ, Rights::empty())
        .unwrap();
    assert_eq!(s.fd_filestat_get(f).err(), Some(Errno::Notcapable));
    assert_eq!(s.fd_seek(f, 0, Whence::Set), Err(Errno::Notcapable));
    assert_eq!(
        s.fd_fdstat_set_rights(f, RD, Rights::empty()),
        Err(Errno::Notcapable)
    );
    assert_eq!(s.fd_fdstat_get(f).unwrap().rights_base, Rights::FD_READ);
    assert_eq!(s.fd_read(f, &mut [IoSliceMut::new(&mut [0; 5])]), Ok(5));
}

#[test]
fn seek_and_tell() {
    let mut fx = Fixture::new(false);
    let f = fx.open("file", Oflags::empty(), RD).unwrap();
    let s = &mut fx.sys;
    assert_eq!(s.fd_seek(f, 6, Whence::Set), Ok(6));
    assert_eq!(s.fd_tell(f), Ok(6));
    assert_eq!(s.fd_seek(f, -2, Whence::End), Ok(9));
    assert_eq!(s.fd_seek(f, -100, Whence::Cur), Err(Errno::Inval));
    assert_eq!(s.fd_seek(f, -1, Whence::Set), Err(Errno::Inval));
    // Tell-only: (0, CUR) works, anything else needs FD_SEEK.
    s.fd_fdstat_set_rights(f, Rights::FD_TELL | Rights::FD_READ, Rights::empty())
        .unwrap();
    assert_eq!(s.fd_seek(f, 0, Whence::Cur), Ok(9));
    assert_eq!(s.fd_seek(f, 1, Whence::Cur), Err(Errno::Notcapable));
    assert_eq!(s.fd_seek(f, 0, Whence::Set), Err(Errno::Notcapable));
    assert_eq!(s.fd_tell(f), Ok(9));
    // A pipe pushed with seek rights still cannot seek.
    let (r, _w) = rustix::pipe::pipe().unwrap();
    let p = s.push_fd(r).unwrap();
    s.table.entry_mut(p).unwrap().rights_base |= Rights::FD_SEEK;
    assert_eq!(s.fd_seek(p, 1, Whence::Cur), Err(Errno::Spipe));
}

#[test]
fn pread_pwrite_size_alloc_sync() {
    let mut fx = Fixture::new(false);
    let all = RW | Rights::FD_SYNC | Rights::FD_DATASYNC | Rights::FD_ADVISE;
    let f = fx.open("file", Oflags::empty(), all).unwrap();
    let s = &mut fx.sys;
    let mut buf = [0u8; 5];
    assert_eq!(s.fd_pread(f, &mut [IoSliceMut::new(&mut buf)], 6), Ok(5));
    assert_eq!(&buf, b"world");
    assert_eq!(s.fd_tell(f), Ok(0));
    assert_eq!(s.fd_pwrite(f, &[IoSlice::new(b"W")], 6), Ok(1));
    s.fd_filestat_set_size(f, 3).unwrap();
    assert_eq!(s.fd_filestat_get(f).unwrap().size, 3);
    s.fd_allocate(f, 0, 100).unwrap();
    assert_eq!(s.fd_filestat_get(f).unwrap().size, 100);
    s.fd_sync(f).unwrap();
    s.fd_datasync(f).unwrap();
    s.fd_advise(f, 0, 0, crate::abi::Advice::Sequential)
        .unwrap();
    assert_eq!(s.fd_filestat_set_size(f, u64::MAX), Err(Errno::Fbig));
}

#[test]
fn times() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    let ns = 1_000_000_000u64 * 1_600_000_000 + 123;
    s.path_filestat_set_times(
        0,
        FOLLOW,
        "file",
        ns,
        ns + 1,
        Fstflags::ATIM | Fstflags::MTIM,
    )
    .unwrap();
    let st = s.path_filestat_get(0, FOLLOW, "file").unwrap();
    assert_eq!((st.atim, st.mtim), (ns, ns + 1));
    assert_eq!(st.filetype, Filetype::RegularFile);
    assert_eq!(st.size, 11);
    assert_eq!(st.nlink, 1);
    // Only mtim named: atim unchanged.
    s.path_filestat_set_times(0, FOLLOW, "file", 0, ns + 5, Fstflags::MTIM)
        .unwrap();
    let st = s.path_filestat_get(0, FOLLOW, "file").unwrap();
    assert_eq!((st.atim, st.mtim), (ns, ns + 5));
    // Now.
    s.path_filestat_set_times(0, FOLLOW, "file", 0, 0, Fstflags::MTIM_NOW)
        .unwrap();
    let st = s.path_filestat_get(0, FOLLOW, "file").unwrap();
    assert!(st.mtim > ns + 5 && st.atim == ns);
    let bad = Fstflags::ATIM | Fstflags::ATIM_NOW;
    assert_eq!(
        s.path_filestat_set_times(0, FOLLOW, "file", 0, 0, bad),
        Err(Errno::Inval)
    );
    // fd variant.
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    s.fd_filestat_set_times(f, 7_000_000_001, 0, Fstflags::ATIM)
        .unwrap();
    let st = s.fd_filestat_get(f).unwrap();
    assert_eq!(st.atim, 7_000_000_001);
    assert_eq!(
        s.fd_filestat_set_times(f, 0, 0, Fstflags::MTIM | Fstflags::MTIM_NOW),
        Err(Errno::Inval)
    );
    // Symlink times without following leave the target alone.
    s.path_filestat_set_times(
        0,
        NOFOLLOW,
        "ok_link",
        ns,
        ns,
        Fstflags::ATIM | Fstflags::MTIM,
    )
    .unwrap();
    assert_eq!(
        s.path_filestat_get(0, NOFOLLOW, "ok_link").unwrap().mtim,
        ns
    );
    assert_ne!(s.path_filestat_get(0, FOLLOW, "ok_link").unwrap().mtim, ns);
}

#[test]
fn unlink_rmdir_mkdir_rules() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    assert_eq!(s.path_unlink_file(0, "sub"), Err(Errno::Isdir));
    assert_eq!(s.path_unlink_file(0, "sub/"), Err(Errno::Isdir));
    assert_eq!(s.path_unlink_file(0, "file/"), Err(Errno::Notdir));
    assert_eq!(s.path_remove_directory(0, "file"), Err(Errno::Notdir));
    assert_eq!(s.path_remove_directory(0, "sub"), Err(Errno::Notempty));
    assert_eq!(s.path_remove_directory(0, "."), Err(Errno::Inval));
    assert_eq!(s.path_remove_directory(0, "sub/."), Err(Errno::Inval));
    // Linux's rmdir: a final ".." is ENOTEMPTY (its LAST_DOTDOT case), once the path is
    // known not to lead out; one that does is the escape error.
    assert_eq!(s.path_remove_directory(0, "sub/.."), Err(Errno::Notempty));
    assert_eq!(
        s.path_remove_directory(0, "sub/../sub/.."),
        Err(Errno::Notempty)
    );
    assert_eq!(
        s.path_remove_directory(0, "sub/inner/.."),
        Err(Errno::Notdir)
    );
    assert_eq!(s.path_remove_directory(0, ".."), Err(Errno::Perm));
    assert_eq!(s.path_remove_directory(0, "sub/../.."), Err(Errno::Perm));
    assert_eq!(s.path_remove_directory(0, "missing/.."), Err(Errno::Noent));
    assert_eq!(s.path_remove_directory(0, "file/.."), Err(Errno::Notdir));
    assert_eq!(s.path_create_directory(0, "sub"), Err(Errno::Exist));
    s.path_create_directory(0, "d").unwrap();
    s.path_remove_directory(0, "d/").unwrap();
    // Unlinking a symlink removes the link, not its target.
    s.path_unlink_file(0, "ok_link").unwrap();
    s.path_unlink_file(0, "rel_out").unwrap();
    assert!(fx.tmp.path().join("outside/secret").exists());
    assert!(fx.root().join("file").exists());
    let s = &mut fx.sys;
    s.path_unlink_file(0, "sub/inner").unwrap();
    s.path_remove_directory(0, "sub").unwrap();
    assert_eq!(s.path_unlink_file(0, "sub/inner"), Err(Errno::Noent));
}

#[test]
fn rename_link_symlink_readlink() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    s.path_rename(0, "file", 0, "sub/moved").unwrap();
    s.path_link(0, NOFOLLOW, "sub/moved", 0, "hard").unwrap();
    assert_eq!(s.path_filestat_get(0, NOFOLLOW, "hard").unwrap().nlink, 2);
    assert_eq!(s.path_link(0, FOLLOW, "ok_link", 0, "x"), Err(Errno::Inval));
    assert_eq!(
        s.path_link(0, NOFOLLOW, "hard", 0, "sub/moved"),
        Err(Errno::Exist)
    );
    s.path_symlink("sub/moved", 0, "s").unwrap();
    let mut buf = [0u8; 64];
    let n = s.path_readlink(0, "s", &mut buf).unwrap();
    assert_eq!(&buf[..n], b"sub/moved");
    // Truncated to the buffer.
    let mut small = [0u8; 3];
    assert_eq!(s.path_readlink(0, "s", &mut small), Ok(3));
    assert_eq!(&small, b"sub");
    assert_eq!(s.path_readlink(0, "hard", &mut buf), Err(Errno::Inval));
    assert_eq!(s.path_symlink("x", 0, "s"), Err(Errno::Exist));
    let fd = fx.open("s", Oflags::empty(), RD).unwrap();
    assert_eq!(fx.read_all(fd), b"hello world");
    assert_eq!(
        std::fs::read(fx.root().join("hard")).unwrap(),
        b"hello world"
    );
}

/// `path_filestat_get` of a single plain name takes the `fstatat` fast path; "./name" goes
/// through cap-std. Both must give the same answer for every kind of entry, following or not
/// — above all for symlinks that lead out, which only the resolver may follow.
#[test]
fn filestat_single_name_fast_path_matches_the_resolver() {
    let mut fx = Fixture::new(false);
    symlink("sub", fx.root().join("dir_link")).unwrap();
    symlink("nowhere", fx.root().join("dangling")).unwrap();
    symlink("sub/inner", fx.root().join("deep_link")).unwrap();
    symlink("..", fx.root().join("up")).unwrap();
    symlink("ok_link", fx.root().join("chain")).unwrap();
    let s = &mut fx.sys;
    let names = [
        "file",
        "sub",
        "ok_link",
        "dir_link",
        "deep_link",
        "chain",
        "rel_out",
        "abs_out",
        "dir_out",
        "up",
        "dangling",
        "loop_a",
        "missing",
        "...",
        "file.",
    ];
    for name in names {
        for flags in [FOLLOW, NOFOLLOW] {
            let fast = s.path_filestat_get(0, flags, name);
            let slow = s.path_filestat_get(0, flags, &format!("./{name}"));
            assert_eq!(fast, slow, "{name} {flags:?}");
        }
    }
    // The answers themselves: links are stat'ed as links unless followed, and following one
    // that leaves the preopen is the escape error, never the outside file.
    let ty = |s: &mut UnixSystem, f, n| s.path_filestat_get(0, f, n).map(|st| st.filetype);
    assert_eq!(ty(s, NOFOLLOW, "rel_out"), Ok(Filetype::SymbolicLink));
    assert_eq!(ty(s, FOLLOW, "rel_out"), Err(Errno::Perm));
    assert_eq!(ty(s, FOLLOW, "abs_out"), Err(Errno::Perm));
    assert_eq!(ty(s, FOLLOW, "dir_out"), Err(Errno::Perm));
    assert_eq!(ty(s, FOLLOW, "up"), Err(Errno::Perm));
    assert_eq!(ty(s, FOLLOW, "dir_link"), Ok(Filetype::Directory));
    assert_eq!(ty(s, FOLLOW, "chain"), Ok(Filetype::RegularFile));
    assert_eq!(ty(s, FOLLOW, "loop_a"), Err(Errno::Loop));
    assert_eq!(ty(s, FOLLOW, "dangling"), Err(Errno::Noent));
    assert_eq!(ty(s, NOFOLLOW, "missing"), Err(Errno::Noent));
    // "." and ".." are not plain names: the directory itself, and an escape.
    assert_eq!(ty(s, NOFOLLOW, "."), Ok(Filetype::Directory));
    assert_eq!(ty(s, NOFOLLOW, ".."), Err(Errno::Perm));
    // The same file through the fast path and through an fd.
    let st = s.path_filestat_get(0, NOFOLLOW, "file").unwrap();
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_eq!(s.fd_filestat_get(f).unwrap(), st);
    // From a subdirectory fd the name is looked up there, not in the preopen.
    let d = s
        .path_open(
            0,
            FOLLOW,
            "sub",
            Oflags::DIRECTORY,
            Rights::all(),
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_eq!(ty(s, NOFOLLOW, "inner"), Err(Errno::Noent));
    assert_eq!(
        s.path_filestat_get(d, NOFOLLOW, "inner").map(|st| st.size),
        Ok(5)
    );
    // Without the right, no lookup happens at all.
    s.fd_fdstat_set_rights(d, Rights::FD_READDIR, Rights::empty())
        .unwrap();
    assert_eq!(
        s.path_filestat_get(d, NOFOLLOW, "inner"),
        Err(Errno::Notcapable)
    );
}

/// Reads every entry one per call (a sink that stops after each), resuming from the cookie.
fn list_one_at_a_time(s: &mut UnixSystem, fd: Fd) -> Vec<(Vec<u8>, Filetype, u64)> {
    let mut out = Vec::new();
    let mut cookie = 0;
    for _ in 0..1000 {
        let mut got = None;
        s.fd_readdir(fd, cookie, &mut |d, name| {
            got = Some((name.to_vec(), d.d_type, d.d_next, d.d_namlen));
            ReaddirControl::Stop
        })
        .unwrap();
        let Some((name, t, next, namlen)) = got else {
            break;
        };
        assert_eq!(namlen as usize, name.len());
        out.push((name, t, cookie));
        cookie = next;
    }
    out
}

#[test]
fn readdir_cookies_resume() {
    let mut fx = Fixture::new(false);
    for i in 0..50 {
        std::fs::write(fx.root().join(format!("f{i:02}")), b"").unwrap();
    }
    let d = fx.open("", Oflags::DIRECTORY, Rights::all());
    assert_eq!(d, Err(Errno::Noent));
    let d = fx.open(".", Oflags::DIRECTORY, Rights::all()).unwrap();
    let s = &mut fx.sys;
    let mut all = Vec::new();
    s.fd_readdir(d, 0, &mut |_, name| {
        all.push(name.to_vec());
        ReaddirControl::Continue
    })
    .unwrap();
    let one = list_one_at_a_time(s, d);
    let names: Vec<_> = one.iter().map(|(n, _, _)| n.clone()).collect();
    assert_eq!(names, all);
    assert_eq!(all.len(), 50 + 8 + 2);
    let find = |n: &[u8]| one.iter().find(|(x, _, _)| x == n).unwrap().1;
    assert_eq!(find(b"."), Filetype::Directory);
    assert_eq!(find(b".."), Filetype::Directory);
    assert_eq!(find(b"sub"), Filetype::Directory);
    assert_eq!(find(b"file"), Filetype::RegularFile);
    assert_eq!(find(b"ok_link"), Filetype::SymbolicLink);
    // Cookies are stable: resuming from an entry's cookie again yields that entry.
    let (name, _, cookie) = one[30].clone();
    let mut again = None;
    s.fd_readdir(d, cookie, &mut |_, n| {
        again = Some(n.to_vec());
        ReaddirControl::Stop
    })
    .unwrap();
    assert_eq!(again, Some(name));
    // The preopen itself can be listed too, and readdir needs the right.
    assert!(!list_one_at_a_time(s, 0).is_empty());
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RD,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_eq!(
        s.fd_readdir(f, 0, &mut |_, _| ReaddirControl::Continue),
        Err(Errno::Notdir)
    );
    // A directory without FD_READDIR.
    s.fd_fdstat_set_rights(d, Rights::PATH_OPEN, Rights::empty())
        .unwrap();
    assert_eq!(
        s.fd_readdir(d, 0, &mut |_, _| ReaddirControl::Continue),
        Err(Errno::Notcapable)
    );
}

/// Lists from `cookie` to the end in one call; returns (name, cookie the entry starts at).
fn list_from(s: &mut UnixSystem, fd: Fd, cookie: u64) -> Vec<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    let mut at = cookie;
    s.fd_readdir(fd, cookie, &mut |d, name| {
        out.push((name.to_vec(), at));
        at = d.d_next;
        ReaddirControl::Continue
    })
    .unwrap();
    out
}

/// A directory of `n` files with 40-byte names: 64-byte records, so 600 of them take more
/// than two 16 KiB getdents buffers.
fn big_dir(fx: &Fixture, n: usize) -> Fd {
    let dir = fx.root().join("big");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..n {
        std::fs::write(dir.join(format!("{i:040}")), b"").unwrap();
    }
    0
}

#[test]
fn readdir_resume_continues_from_the_buffer() {
    let mut fx = Fixture::new(false);
    for i in 0..30 {
        std::fs::write(fx.root().join(format!("f{i:02}")), b"").unwrap();
    }
    let d = fx.open(".", Oflags::DIRECTORY, Rights::all()).unwrap();
    let s = &mut fx.sys;
    let all = list_from(s, d, 0);
    assert_eq!(all.len(), 30 + 8 + 2);
    // One entry from 0 (rereads the directory), then the rest from that entry's d_next.
    let mut first = None;
    s.fd_readdir(d, 0, &mut |dirent, name| {
        first = Some((name.to_vec(), dirent.d_next));
        ReaddirControl::Stop
    })
    .unwrap();
    let (name, next) = first.unwrap();
    assert_eq!(name, all[0].0);
    // An entry the guest has not reached yet disappears from the host: a resume at the cookie
    // where the last call stopped continues from the entries already read, as a libc
    // `readdir` does from its buffer (POSIX leaves changes after `opendir` unspecified).
    let gone = &all[20].0;
    std::fs::remove_file(fx.root().join(std::str::from_utf8(gone).unwrap())).unwrap();
    let s = &mut fx.sys;
    // A cookie further on in the buffer (a guest's seekdir) lands there, also from the buffer.
    let mut got = None;
    s.fd_readdir(d, all[5].1, &mut |_, n| {
        got = Some(n.to_vec());
        ReaddirControl::Stop
    })
    .unwrap();
    assert_eq!(got.as_ref(), Some(&all[5].0));
    // The entry where a call stopped is delivered again from the cookie it starts at (it may
    // not have fitted the guest's buffer whole).
    let mut again = None;
    s.fd_readdir(d, all[5].1, &mut |_, n| {
        again = Some(n.to_vec());
        ReaddirControl::Stop
    })
    .unwrap();
    assert_eq!(again, got);
    let rest = list_from(s, d, next);
    assert_eq!(rest, all[1..].to_vec());
    // A rewind (cookie 0) rereads: the removed name is gone, everything else is there.
    let again: Vec<_> = list_from(s, d, 0).into_iter().map(|(n, _)| n).collect();
    let want: Vec<_> = all
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n != gone)
        .collect();
    assert_eq!(again, want);
}

#[test]
fn readdir_cookies_from_earlier_buffers_reseek() {
    let mut fx = Fixture::new(false);
    big_dir(&fx, 600);
    let d = fx.open("big", Oflags::DIRECTORY, Rights::all()).unwrap();
    let s = &mut fx.sys;
    let all = list_from(s, d, 0);
    assert_eq!(all.len(), 602);
    // One at a time gives the same listing and the same cookies (each call resumes where the
    // previous stopped, across buffer refills).
    let one = list_one_at_a_time(s, d);
    assert_eq!(one.len(), all.len());
    for ((n1, _, c1), (n2, c2)) in one.iter().zip(&all) {
        assert_eq!((n1, c1), (n2, c2));
    }
    // Cookies out of order: each lands on its entry whether or not the buffer holds it (the
    // buffer now holds the end of the listing; early cookies need a seek and a refill).
    for k in [1, 590, 3, 300, 301, 299, 601, 0, 150] {
        let mut got = None;
        s.fd_readdir(d, all[k].1, &mut |_, n| {
            got = Some(n.to_vec());
            ReaddirControl::Stop
        })
        .unwrap();
        assert_eq!(got.as_ref(), Some(&all[k].0), "cookie of entry {k}");
        assert_eq!(
            list_from(s, d, all[k].1),
            all[k..].to_vec(),
            "from entry {k}"
        );
    }
    // The end cookie lists nothing, also twice in a row.
    let mut end = 0;
    s.fd_readdir(d, all[601].1, &mut |dirent, _| {
        end = dirent.d_next;
        ReaddirControl::Continue
    })
    .unwrap();
    assert!(list_from(s, d, end).is_empty());
    assert!(list_from(s, d, end).is_empty());
    // A cookie the kernel never made reseeks; ext4 and tmpfs accept any offset, so only check
    // that it answers without inventing names.
    if let Ok(()) = s.fd_readdir(d, 12345, &mut |_, _| ReaddirControl::Continue) {
        for (n, _) in list_from(s, d, 12345) {
            assert!(all.iter().any(|(a, _)| *a == n));
        }
    }
    assert_eq!(
        s.fd_readdir(d, u64::MAX, &mut |_, _| ReaddirControl::Continue),
        Err(Errno::Inval)
    );
    // After an error the stream still lists from 0.
    assert_eq!(list_from(s, d, 0), all);
}

#[test]
fn readdir_streams_are_limited_and_freed() {
    let mut fx = Fixture::with_limits(
        false,
        Limits {
            max_open_files: 16,
            max_open_dirs: 2,
        },
    );
    let s = &mut fx.sys;
    let a = s
        .path_open(
            0,
            FOLLOW,
            "sub",
            Oflags::DIRECTORY,
            Rights::all(),
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    let b = s
        .path_open(
            0,
            FOLLOW,
            ".",
            Oflags::DIRECTORY,
            Rights::all(),
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    let go = |s: &mut UnixSystem, fd| s.fd_readdir(fd, 0, &mut |_, _| ReaddirControl::Continue);
    go(s, 0).unwrap();
    go(s, a).unwrap();
    assert_eq!(go(s, b), Err(Errno::Nfile));
    assert_eq!(s.streams.in_use(), 2);
    // Listing the same fd again reuses its stream.
    go(s, a).unwrap();
    s.fd_close(a).unwrap();
    assert_eq!(s.streams.in_use(), 1);
    go(s, b).unwrap();
    // Renumbering onto a listed fd frees the overwritten stream.
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RD,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    s.fd_renumber(f, b).unwrap();
    assert_eq!(s.streams.in_use(), 1);
    s.close_all();
    assert_eq!(s.streams.in_use(), 0);
}

#[test]
fn too_many_files() {
    let mut fx = Fixture::with_limits(
        false,
        Limits {
            max_open_files: 3,
            max_open_dirs: 2,
        },
    );
    fx.open("file", Oflags::empty(), RD).unwrap();
    fx.open("file", Oflags::empty(), RD).unwrap();
    assert_eq!(fx.open("file", Oflags::empty(), RD), Err(Errno::Nfile));
}

#[test]
fn renumber() {
    let mut fx = Fixture::new(false);
    let a = fx.open("file", Oflags::empty(), RD).unwrap();
    let b = fx.open("sub/inner", Oflags::empty(), RD).unwrap();
    let s = &mut fx.sys;
    s.fd_renumber(a, a).unwrap();
    assert_eq!(s.fd_renumber(a, 1000), Err(Errno::Badf));
    s.fd_renumber(a, b).unwrap();
    assert_eq!(
        s.fd_read(a, &mut [IoSliceMut::new(&mut [0; 4])]),
        Err(Errno::Badf)
    );
    assert_eq!(fx.read_all(b), b"hello world");
    // Renumbering a preopen moves its name.
    fx.sys.fd_renumber(0, b).unwrap();
    assert_eq!(fx.sys.fd_prestat_dir_name(b), Ok("/sandbox"));
}

fn clock_sub(userdata: u64, id: Clockid, timeout: u64, flags: Subclockflags) -> Subscription {
    Subscription {
        userdata,
        kind: SubscriptionKind::Clock(SubscriptionClock {
            id,
            timeout,
            precision: 0,
            flags,
        }),
    }
}

fn blank() -> Event {
    Event::for_subscription(&clock_sub(0, Clockid::Monotonic, 0, Subclockflags::empty()))
}

#[test]
fn poll_clocks() {
    let mut sys = UnixSystem::new(Limits::default());
    let mut ev = [blank(); 3];
    let t0 = std::time::Instant::now();
    let subs = [
        clock_sub(1, Clockid::Monotonic, 20_000_000, Subclockflags::empty()),
        clock_sub(2, Clockid::Monotonic, 5_000_000_000, Subclockflags::empty()),
    ];
    assert_eq!(sys.poll_oneoff(&subs, &mut ev), Ok(1));
    assert!(t0.elapsed() >= std::time::Duration::from_millis(20));
    assert!(t0.elapsed() < std::time::Duration::from_secs(4));
    assert_eq!(
        (ev[0].userdata, ev[0].error, ev[0].kind),
        (1, Errno::Success, Eventtype::Clock)
    );
    // Absolute deadlines in the past fire at once (never a negative wait).
    let subs = [
        clock_sub(
            3,
            Clockid::Realtime,
            1,
            Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        ),
        clock_sub(
            4,
            Clockid::Monotonic,
            1,
            Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        ),
    ];
    assert_eq!(sys.poll_oneoff(&subs, &mut ev), Ok(2));
    assert_eq!((ev[0].userdata, ev[1].userdata), (3, 4));
    // An unsupported clock is an error event, the call succeeds.
    let subs = [clock_sub(
        5,
        Clockid::ProcessCputimeId,
        1,
        Subclockflags::empty(),
    )];
    assert_eq!(sys.poll_oneoff(&subs, &mut ev), Ok(1));
    assert_eq!(ev[0].error, Errno::Notsup);
    assert_eq!(sys.poll_oneoff(&[], &mut ev), Err(Errno::Inval));
}

#[test]
fn poll_pipe_and_files() {
    let mut fx = Fixture::new(false);
    let f = fx
        .open("file", Oflags::empty(), RD | Rights::POLL_FD_READWRITE)
        .unwrap();
    let no_poll = fx.open("file", Oflags::empty(), RD).unwrap();
    let s = &mut fx.sys;
    let (r, w) = rustix::pipe::pipe().unwrap();
    let rfd = s.push_fd(r).unwrap();
    let wfd = s.push_fd(w).unwrap();
    let read = |u, fd| Subscription {
        userdata: u,
        kind: SubscriptionKind::FdRead(fd),
    };
    let mut ev = [blank(); 4];
    // Nothing to read yet: the clock fires.
    let subs = [
        read(1, rfd),
        clock_sub(2, Clockid::Monotonic, 10_000_000, Subclockflags::empty()),
    ];
    assert_eq!(s.poll_oneoff(&subs, &mut ev), Ok(1));
    assert_eq!(ev[0].userdata, 2);
    s.fd_write(wfd, &[IoSlice::new(b"abc")]).unwrap();
    let subs = [
        read(1, rfd),
        clock_sub(2, Clockid::Monotonic, 5_000_000_000, Subclockflags::empty()),
    ];
    assert_eq!(s.poll_oneoff(&subs, &mut ev), Ok(1));
    assert_eq!(
        (ev[0].userdata, ev[0].kind, ev[0].nbytes),
        (1, Eventtype::FdRead, 3)
    );
    assert!(!ev[0].flags.contains(Eventrwflags::FD_READWRITE_HANGUP));
    // Writer gone: hangup.
    s.fd_close(wfd).unwrap();
    assert_eq!(s.poll_oneoff(&[read(1, rfd)], &mut ev), Ok(1));
    assert!(ev[0].flags.contains(Eventrwflags::FD_READWRITE_HANGUP));
    // Regular files are always ready, nbytes = what is left; bad fds and missing rights
    // are error events.
    s.fd_seek(f, 5, Whence::Set).unwrap();
    let subs = [read(1, f), read(2, 999), read(3, no_poll)];
    assert_eq!(s.poll_oneoff(&subs, &mut ev), Ok(3));
    assert_eq!(
        (ev[0].userdata, ev[0].error, ev[0].nbytes),
        (1, Errno::Success, 6)
    );
    assert_eq!((ev[1].userdata, ev[1].error), (2, Errno::Badf));
    assert_eq!((ev[2].userdata, ev[2].error), (3, Errno::Notcapable));
}

#[test]
fn clocks_random_misc() {
    let mut sys = UnixSystem::new(Limits::default());
    assert!(sys.clock_res_get(Clockid::Monotonic).unwrap() >= 1);
    let a = sys.clock_time_get(Clockid::Monotonic, 0).unwrap();
    let b = sys.clock_time_get(Clockid::Monotonic, 0).unwrap();
    assert!(b >= a);
    assert!(sys.clock_time_get(Clockid::Realtime, 0).unwrap() > 1_600_000_000_000_000_000);
    sys.clock_time_get(Clockid::ThreadCputimeId, 0).unwrap();
    let mut buf = [0u8; 4096];
    sys.random_get(&mut buf).unwrap();
    assert!(buf.iter().any(|&b| b != 0));
    sys.sched_yield().unwrap();
    assert_eq!(sys.proc_raise(crate::abi::Signal::Kill), Err(Errno::Nosys));
    sys.inherit_stdio().unwrap();
    assert_eq!(sys.table.len(), 3);
    sys.proc_exit(0);
    assert_eq!(sys.table.len(), 0);
}

#[test]
fn more_resolution_cases() {
    let mut fx = Fixture::new(false);
    symlink("../file", fx.root().join("sub/up")).unwrap();
    let fd = fx.open("sub/up", Oflags::empty(), RD).unwrap();
    assert_eq!(fx.read_all(fd), b"hello world");
    let s = &mut fx.sys;
    // Loops in the middle of a path, and escapes with a trailing slash.
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "loop_a/x").err(),
        Some(Errno::Loop)
    );
    // POSIX: a trailing slash makes even lstat follow the link, so it leads out too.
    for p in ["dir_out/", "abs_out/", "rel_out/"] {
        assert_eq!(
            s.path_filestat_get(0, NOFOLLOW, p).err(),
            Some(Errno::Perm),
            "{p}"
        );
        assert_eq!(s.path_unlink_file(0, p), Err(Errno::Perm), "{p}");
        assert_eq!(s.path_remove_directory(0, p), Err(Errno::Perm), "{p}");
        let o = s.path_open(
            0,
            NOFOLLOW,
            p,
            Oflags::DIRECTORY,
            RD,
            Rights::empty(),
            Fdflags::empty(),
        );
        assert_eq!(o, Err(Errno::Perm), "{p}");
    }
    // Inside, a slashed symlink to a directory resolves to the directory.
    symlink("sub", fx.root().join("sub_link")).unwrap();
    let s = &mut fx.sys;
    let st = s.path_filestat_get(0, NOFOLLOW, "sub_link/").unwrap();
    assert_eq!(st.filetype, Filetype::Directory);
    assert_eq!(s.path_unlink_file(0, "sub_link/"), Err(Errno::Isdir));
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "dir_out/").err(),
        Some(Errno::Perm)
    );
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "file/").err(),
        Some(Errno::Notdir)
    );
    // ".." that climbs out and back in still left the sandbox on the way: refused.
    assert_eq!(
        s.path_filestat_get(0, FOLLOW, "../root/file").err(),
        Some(Errno::Perm)
    );
    // Escape through a symlink to a directory, then `..`.
    assert_eq!(s.path_create_directory(0, "dir_out/new"), Err(Errno::Perm));
    assert!(!fx.tmp.path().join("outside/new").exists());
}

/// DESIGN.md §2.2: another process swapping a directory for a symlink to the outside while
/// the guest resolves paths through it must never let the guest open the outside file.
#[test]
fn swap_race_never_escapes() {
    let mut fx = Fixture::new(false);
    std::fs::write(fx.tmp.path().join("outside/inner"), b"SECRET").unwrap();
    let root = fx.root();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let root = root.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::rename(root.join("sub"), root.join("sub.real"));
                let _ = symlink("../outside", root.join("sub"));
                let _ = std::fs::remove_file(root.join("sub"));
                let _ = std::fs::rename(root.join("sub.real"), root.join("sub"));
                // Leave the real directory in place for a moment so legitimate opens happen.
                std::thread::sleep(std::time::Duration::from_micros(20));
            }
        })
    };
    let mut inside = 0;
    for _ in 0..3000 {
        if let Ok(fd) = fx.open("sub/inner", Oflags::empty(), RD) {
            let got = fx.read_all(fd);
            assert_ne!(got, b"SECRET", "escaped through a swapped symlink");
            inside += 1;
            fx.sys.fd_close(fd).unwrap();
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    assert!(inside > 0, "the race never let a legitimate open through");
}

#[test]
fn trailing_slashes_on_rename_and_link() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    s.path_rename(0, "sub/", 0, "sub2/").unwrap();
    s.path_rename(0, "sub2", 0, "sub").unwrap();
    assert_eq!(s.path_rename(0, "file/", 0, "f2"), Err(Errno::Notdir));
    assert_eq!(s.path_rename(0, "file", 0, "f2/"), Err(Errno::Notdir));
    assert_eq!(s.path_rename(0, "dir_out/", 0, "x"), Err(Errno::Perm));
    assert_eq!(s.path_rename(0, "file", 0, "../"), Err(Errno::Perm));
    assert_eq!(s.path_rename(0, "file", 0, "dir_out/x/"), Err(Errno::Perm));
    assert_eq!(
        s.path_link(0, NOFOLLOW, "file/", 0, "x"),
        Err(Errno::Notdir)
    );
    assert_eq!(s.path_link(0, NOFOLLOW, "sub/", 0, "x"), Err(Errno::Perm));
    assert_eq!(
        s.path_link(0, NOFOLLOW, "dir_out/", 0, "x"),
        Err(Errno::Perm)
    );
    assert_eq!(
        s.path_open(
            0,
            FOLLOW,
            "nf/",
            Oflags::CREAT,
            RW,
            Rights::empty(),
            Fdflags::empty()
        ),
        Err(Errno::Isdir)
    );
    let creat_excl = Oflags::CREAT | Oflags::EXCL;
    let o = s.path_open(
        0,
        NOFOLLOW,
        "rel_out/",
        creat_excl,
        RD,
        Rights::empty(),
        Fdflags::empty(),
    );
    assert_eq!(o, Err(Errno::Perm));
    let o = s.path_open(
        0,
        NOFOLLOW,
        "sub/",
        Oflags::CREAT,
        RD,
        Rights::empty(),
        Fdflags::empty(),
    );
    assert_eq!(o, Err(Errno::Isdir));
    assert!(fx.root().join("file").exists());
    assert!(!fx.root().join("f2").exists() && !fx.root().join("x").exists());
}

#[test]
fn sockets() {
    use crate::abi::{Riflags, Roflags, Sdflags, Siflags};
    let tmp = tempfile::tempdir().unwrap();
    let listener = std::os::unix::net::UnixListener::bind(tmp.path().join("s")).unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    let l = sys.push_fd(listener.into()).unwrap();
    assert_eq!(
        sys.fd_fdstat_get(l).unwrap().filetype,
        Filetype::SocketStream
    );
    let mut client = std::os::unix::net::UnixStream::connect(tmp.path().join("s")).unwrap();
    assert_eq!(sys.sock_accept(l, Fdflags::APPEND), Err(Errno::Inval));
    let c = sys.sock_accept(l, Fdflags::empty()).unwrap();
    let st = sys.fd_fdstat_get(c).unwrap();
    assert_eq!(st.filetype, Filetype::SocketStream);
    assert!(!st.rights_base.contains(Rights::SOCK_ACCEPT));
    assert_eq!(sys.sock_accept(c, Fdflags::empty()), Err(Errno::Notcapable));
    // NONBLOCK applies to the new connection; the listener's own mode decides whether
    // accept waits. Make the listener nonblocking: nobody waiting is EAGAIN.
    sys.fd_fdstat_set_flags(l, Fdflags::NONBLOCK).unwrap();
    assert_eq!(sys.sock_accept(l, Fdflags::NONBLOCK), Err(Errno::Again));

    std::io::Write::write_all(&mut client, b"ping").unwrap();
    let mut buf = [0u8; 8];
    let (n, fl) = sys
        .sock_recv(c, &mut [IoSliceMut::new(&mut buf)], Riflags::RECV_PEEK)
        .unwrap();
    assert_eq!((&buf[..n], fl), (&b"ping"[..], Roflags::empty()));
    let (n, _) = sys
        .sock_recv(c, &mut [IoSliceMut::new(&mut buf)], Riflags::empty())
        .unwrap();
    assert_eq!(&buf[..n], b"ping");
    assert_eq!(
        sys.sock_send(c, &[IoSlice::new(b"pong")], Siflags::empty()),
        Ok(4)
    );
    let mut got = [0u8; 4];
    std::io::Read::read_exact(&mut client, &mut got).unwrap();
    assert_eq!(&got, b"pong");
    sys.sock_shutdown(c, Sdflags::WR).unwrap();
    assert_eq!(sys.sock_shutdown(c, Sdflags::empty()), Err(Errno::Inval));
    assert_eq!(std::io::Read::read(&mut client, &mut got).unwrap(), 0);
    // Peer gone: EPIPE, not SIGPIPE.
    drop(client);
    let mut r = Ok(0);
    for _ in 0..3 {
        r = sys.sock_send(c, &[IoSlice::new(b"x")], Siflags::empty());
    }
    assert_eq!(r, Err(Errno::Pipe));
    // Socket calls on a file.
    let f = sys.push_fd(tempfile::tempfile().unwrap().into()).unwrap();
    assert_eq!(
        sys.sock_recv(f, &mut [IoSliceMut::new(&mut buf)], Riflags::empty()),
        Err(Errno::Notsock)
    );
    assert_eq!(
        sys.sock_send(f, &[IoSlice::new(b"x")], Siflags::empty()),
        Err(Errno::Notsock)
    );
    assert_eq!(sys.sock_accept(f, Fdflags::empty()), Err(Errno::Notsock));
}

#[test]
fn unix_system_is_send() {
    // wasmtime stores need `Send` data; a non-Send field would break the linker shell.
    fn assert_send<T: Send>() {}
    assert_send::<UnixSystem>();
}

#[test]
fn only_fd_write_opens_for_writing() {
    // Go's O_RDONLY mask: every file right but FD_DATASYNC, FD_WRITE, FD_ALLOCATE and
    // PATH_FILESTAT_SET_SIZE, so FD_FILESTAT_SET_SIZE is still in it.
    let go_rdonly = Rights::all()
        - (Rights::FD_DATASYNC
            | Rights::FD_WRITE
            | Rights::FD_ALLOCATE
            | Rights::PATH_FILESTAT_SET_SIZE);
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    let f = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            go_rdonly,
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    let fl = rustix::fs::fcntl_getfl(s.table.entry(f).unwrap().handle.as_fd()).unwrap();
    assert_eq!(fl & rustix::fs::OFlags::RWMODE, rustix::fs::OFlags::RDONLY);
    // The same mask on a directory opens it (no EISDIR, Go need not retry).
    let d = s
        .path_open(
            0,
            FOLLOW,
            "sub",
            Oflags::empty(),
            go_rdonly,
            Rights::all(),
            Fdflags::empty(),
        )
        .unwrap();
    assert_eq!(s.fd_fdstat_get(d).unwrap().filetype, Filetype::Directory);
    // With FD_WRITE it is a writable open.
    let w = s
        .path_open(
            0,
            FOLLOW,
            "file",
            Oflags::empty(),
            RW,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    let fl = rustix::fs::fcntl_getfl(s.table.entry(w).unwrap().handle.as_fd()).unwrap();
    assert_eq!(fl & rustix::fs::OFlags::RWMODE, rustix::fs::OFlags::RDWR);
}

#[test]
fn final_dot_needs_a_directory() {
    let mut fx = Fixture::new(false);
    let s = &mut fx.sys;
    let e = Fdflags::empty();
    for p in ["file/.", "file/./", "ok_link/."] {
        assert_eq!(
            s.path_filestat_get(0, NOFOLLOW, p).err(),
            Some(Errno::Notdir),
            "{p}"
        );
        assert_eq!(
            s.path_filestat_get(0, FOLLOW, p).err(),
            Some(Errno::Notdir),
            "{p}"
        );
        let o = s.path_open(0, NOFOLLOW, p, Oflags::empty(), RD, Rights::empty(), e);
        assert_eq!(o, Err(Errno::Notdir), "{p}");
        assert_eq!(s.path_unlink_file(0, p), Err(Errno::Notdir), "{p}");
        assert_eq!(s.path_remove_directory(0, p), Err(Errno::Notdir), "{p}");
        assert_eq!(s.path_rename(0, p, 0, "moved"), Err(Errno::Notdir), "{p}");
        assert_eq!(
            s.path_link(0, NOFOLLOW, p, 0, "hard"),
            Err(Errno::Notdir),
            "{p}"
        );
        assert_eq!(
            s.path_readlink(0, p, &mut [0; 8]),
            Err(Errno::Notdir),
            "{p}"
        );
        let t = s.path_filestat_set_times(0, NOFOLLOW, p, 0, 0, Fstflags::MTIM_NOW);
        assert_eq!(t, Err(Errno::Notdir), "{p}");
    }
    assert_eq!(
        s.path_filestat_get(0, NOFOLLOW, "sub/.").unwrap().filetype,
        Filetype::Directory
    );
    assert_eq!(
        s.path_filestat_get(0, NOFOLLOW, "dir_out/.").err(),
        Some(Errno::Perm)
    );
    assert_eq!(s.path_unlink_file(0, "sub/."), Err(Errno::Isdir));
    assert_eq!(s.path_remove_directory(0, "sub/."), Err(Errno::Inval));
    assert!(fx.root().join("file").exists() && fx.root().join("ok_link").exists());
}

#[test]
fn open_with_directory_flag_is_typed_by_the_kernel_answer() {
    let mut fx = Fixture::new(false);
    symlink("sub", fx.root().join("sub_link")).unwrap();
    // O_DIRECTORY: a directory (through a link inside too) or nothing; no fstat needed.
    for p in ["sub", "sub/", "sub_link", ".", "sub/.."] {
        let fd = fx.open(p, Oflags::DIRECTORY, Rights::all()).unwrap();
        let st = fx.sys.fd_fdstat_get(fd).unwrap();
        assert_eq!(st.filetype, Filetype::Directory, "{p}");
        assert_eq!(st.rights_base, Rights::DIRECTORY, "{p}");
        // And it works as one: path calls resolve through it.
        let inner = if p.starts_with("sub") && p != "sub/.." {
            "inner"
        } else {
            "sub/inner"
        };
        assert!(fx.sys.path_filestat_get(fd, NOFOLLOW, inner).is_ok(), "{p}");
        fx.sys.fd_close(fd).unwrap();
    }
    for p in ["file", "ok_link", "sub/inner"] {
        assert_eq!(
            fx.open(p, Oflags::DIRECTORY, Rights::all()).err(),
            Some(Errno::Notdir),
            "{p}"
        );
    }
    // Without the flag a directory is still found out (by fstat) and typed as one.
    let fd = fx.open("sub", Oflags::empty(), RD).unwrap();
    assert_eq!(
        fx.sys.fd_fdstat_get(fd).unwrap().filetype,
        Filetype::Directory
    );
}
