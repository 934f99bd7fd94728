//! Line formats of every call, registration, truncation, escaping, filtering, and the single
//! write per line, against a real `UnixSystem` over a temporary directory.

use std::cell::RefCell;
use std::io::{IoSlice, IoSliceMut, Read};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;

use super::*;
use crate::abi::{Clockid, Errno, Subclockflags, SubscriptionClock};
use crate::host::UnixSystem;
use crate::system::ReaddirControl;
use crate::table::Limits;

/// A sink that keeps every `write` call separately, to prove one call per line.
#[derive(Clone, Default)]
struct Rec(Rc<RefCell<Vec<Vec<u8>>>>);

impl Write for Rec {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Rec {
    /// Every write, checked to be exactly one complete line, with the duration replaced by
    /// `(T)` so lines can be compared exactly.
    fn lines(&self) -> Vec<String> {
        self.0
            .borrow()
            .iter()
            .map(|w| {
                let s = String::from_utf8(w.clone()).unwrap();
                assert!(s.ends_with('\n'), "write is not a whole line: {s:?}");
                assert_eq!(s.matches('\n').count(), 1, "write is not one line: {s:?}");
                let s = s.trim_end_matches('\n');
                match s.rfind(" (") {
                    Some(i) if s.ends_with("µs)") => {
                        let digits = &s[i + 2..s.len() - "µs)".len()];
                        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{s}");
                        format!("{} (T)", &s[..i])
                    }
                    _ => s.to_owned(),
                }
            })
            .collect()
    }

    fn take(&self) -> Vec<String> {
        let l = self.lines();
        self.0.borrow_mut().clear();
        l
    }
}

/// `*` matches any run of characters.
fn glob(pat: &str, s: &str) -> bool {
    let parts: Vec<&str> = pat.split('*').collect();
    let mut rest = s;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(j) => rest = &rest[j + p.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

/// The call just made wrote exactly one line, matching `pat`.
#[track_caller]
fn step(rec: &Rec, pat: &str) {
    let got = rec.take();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_glob(pat, &got[0]);
}

#[track_caller]
fn assert_glob(pat: &str, line: &str) {
    assert!(glob(pat, line), "\n  line: {line}\n  want: {pat}");
}

struct Fixture {
    _dir: tempfile::TempDir,
    /// The other end of the socket installed as fd 3.
    peer: UnixStream,
}

/// stdio = three temp files, fd 3 = a socket, fd 4 = a read-write preopen "/data" holding
/// `in.txt` = "hello world\n".
fn traced(options: TraceOptions) -> (Trace<UnixSystem, Rec>, Rec, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.txt"), "hello world\n").unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    sys.set_args(vec![b"prog".to_vec(), b"a\tb".to_vec()])
        .unwrap();
    sys.set_env(vec![b"K=V".to_vec()]).unwrap();
    for _ in 0..3 {
        sys.push_fd(OwnedFd::from(tempfile::tempfile().unwrap()))
            .unwrap();
    }
    let (ours, peer) = UnixStream::pair().unwrap();
    assert_eq!(sys.push_fd(OwnedFd::from(ours)).unwrap(), 3);
    assert_eq!(sys.preopen_dir(dir.path(), "/data", false).unwrap(), 4);
    let rec = Rec::default();
    let t = Trace::new(sys, rec.clone(), options);
    (t, rec, Fixture { _dir: dir, peer })
}

#[test]
fn registration_lines() {
    let (_t, rec, _fx) = traced(TraceOptions::default());
    let lines = rec.lines();
    let file = flags(Rights::REGULAR_FILE);
    assert_eq!(
        lines[0],
        format!("stdio fd=0 REGULAR_FILE rights={file} inheriting=")
    );
    assert_eq!(
        lines[2],
        format!("stdio fd=2 REGULAR_FILE rights={file} inheriting=")
    );
    assert_glob(
        "fd fd=3 SOCKET_STREAM rights=*SOCK_SHUTDOWN* inheriting=",
        &lines[3],
    );
    assert_eq!(
        lines[4],
        format!(
            "preopen fd=4 \"/data\" rights={} inheriting={}",
            flags(Rights::DIRECTORY),
            flags(Rights::DIRECTORY | Rights::REGULAR_FILE)
        )
    );
    assert_eq!(lines.len(), 5, "{lines:#?}");
}

#[test]
fn every_call_has_its_line() {
    let (mut t, rec, mut fx) = traced(TraceOptions::default());
    rec.take();

    t.args_sizes_get().unwrap();
    step(&rec, "args_sizes_get() => 2 9 (T)");
    t.args_get().unwrap();
    step(&rec, r#"args_get() => ["prog", "a\tb"] (T)"#);
    t.environ_sizes_get().unwrap();
    step(&rec, "environ_sizes_get() => 1 4 (T)");
    t.environ_get().unwrap();
    step(&rec, r#"environ_get() => ["K=V"] (T)"#);
    t.clock_res_get(Clockid::Monotonic).unwrap();
    step(&rec, "clock_res_get(id=MONOTONIC) => * (T)");
    t.clock_time_get(Clockid::Realtime, 1000).unwrap();
    step(&rec, "clock_time_get(id=REALTIME, precision=1000) => * (T)");
    t.random_get(&mut [0u8; 16]).unwrap();
    step(&rec, "random_get(buf_len=16) => ok (T)");
    t.sched_yield().unwrap();
    step(&rec, "sched_yield() => ok (T)");
    let subs = [Subscription {
        userdata: 7,
        kind: SubscriptionKind::Clock(SubscriptionClock {
            id: Clockid::Monotonic,
            timeout: 0,
            precision: 0,
            flags: Subclockflags::empty(),
        }),
    }];
    let mut events = [Event::for_subscription(&subs[0])];
    t.poll_oneoff(&subs, &mut events).unwrap();
    step(
        &rec,
        "poll_oneoff(in=[clock(userdata=7, id=MONOTONIC, timeout=0, precision=0, flags=)]) => 1 [CLOCK(userdata=7, error=SUCCESS, nbytes=0, flags=)] (T)",
    );
    assert_eq!(t.proc_raise(Signal::Term), Err(Errno::Nosys));
    step(&rec, "proc_raise(sig=TERM) => ENOSYS (T)");

    let fd = t
        .path_open(
            4,
            Lookupflags::SYMLINK_FOLLOW,
            "a.txt",
            Oflags::CREAT,
            Rights::FD_READ | Rights::FD_WRITE | Rights::FD_SEEK | Rights::FD_TELL,
            Rights::empty(),
            Fdflags::APPEND,
        )
        .unwrap();
    assert_eq!(fd, 5);
    step(
        &rec,
        r#"path_open(fd=4, dirflags=SYMLINK_FOLLOW, path="a.txt", oflags=CREAT, fs_rights_base=FD_READ|FD_SEEK|FD_TELL|FD_WRITE, fs_rights_inheriting=, fdflags=APPEND) => fd 5 (T)"#,
    );
    t.fd_write(5, &[IoSlice::new(b"hello "), IoSlice::new(b"world\n")])
        .unwrap();
    step(
        &rec,
        r#"fd_write(fd=5, iovs=[6, 6] "hello world\n") => 12 (T)"#,
    );
    t.fd_seek(5, 0, Whence::Set).unwrap();
    step(&rec, "fd_seek(fd=5, offset=0, whence=SET) => 0 (T)");
    let mut buf = [0u8; 4096];
    t.fd_read(5, &mut [IoSliceMut::new(&mut buf)]).unwrap();
    step(
        &rec,
        r#"fd_read(fd=5, iovs=[4096]) => 12 "hello world\n" (T)"#,
    );
    t.fd_tell(5).unwrap();
    step(&rec, "fd_tell(fd=5) => 12 (T)");
    let (mut a, mut b) = ([0u8; 3], [0u8; 8]);
    t.fd_pread(
        5,
        &mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)],
        6,
    )
    .unwrap();
    step(
        &rec,
        r#"fd_pread(fd=5, iovs=[3, 8], offset=6) => 6 "world\n" (T)"#,
    );
    // An fd opened with APPEND: pwrite is refused by the host or appends; either way the
    // line shows the data in the arguments.
    let _ = t.fd_pwrite(5, &[IoSlice::new(b"X")], 0);
    step(&rec, r#"fd_pwrite(fd=5, iovs=[1] "X", offset=0) => * (T)"#);
    t.fd_fdstat_get(5).unwrap();
    step(
        &rec,
        "fd_fdstat_get(fd=5) => {filetype=REGULAR_FILE, flags=APPEND, rights_base=FD_READ|FD_SEEK|FD_TELL|FD_WRITE, rights_inheriting=} (T)",
    );
    let _ = t.fd_fdstat_set_flags(5, Fdflags::empty());
    step(&rec, "fd_fdstat_set_flags(fd=5, flags=) => ENOTCAPABLE (T)");
    t.fd_fdstat_set_rights(5, Rights::FD_READ | Rights::FD_WRITE, Rights::empty())
        .unwrap();
    step(
        &rec,
        "fd_fdstat_set_rights(fd=5, fs_rights_base=FD_READ|FD_WRITE, fs_rights_inheriting=) => ok (T)",
    );
    let _ = t.fd_advise(5, 0, 10, Advice::Sequential);
    step(
        &rec,
        "fd_advise(fd=5, offset=0, len=10, advice=SEQUENTIAL) => ENOTCAPABLE (T)",
    );
    let _ = t.fd_allocate(5, 0, 10);
    step(
        &rec,
        "fd_allocate(fd=5, offset=0, len=10) => ENOTCAPABLE (T)",
    );
    let _ = t.fd_datasync(5);
    step(&rec, "fd_datasync(fd=5) => ENOTCAPABLE (T)");
    let _ = t.fd_sync(5);
    step(&rec, "fd_sync(fd=5) => ENOTCAPABLE (T)");
    let _ = t.fd_filestat_get(5);
    step(&rec, "fd_filestat_get(fd=5) => ENOTCAPABLE (T)");
    let _ = t.fd_filestat_set_size(5, 1);
    step(
        &rec,
        "fd_filestat_set_size(fd=5, size=1) => ENOTCAPABLE (T)",
    );
    let _ = t.fd_filestat_set_times(5, 1, 2, Fstflags::ATIM | Fstflags::MTIM_NOW);
    step(
        &rec,
        "fd_filestat_set_times(fd=5, atim=1, mtim=2, fst_flags=ATIM|MTIM_NOW) => ENOTCAPABLE (T)",
    );
    let _ = t.fd_renumber(5, 0);
    step(&rec, "fd_renumber(fd=5, to=0) => ok (T)");
    t.fd_close(0).unwrap();
    step(&rec, "fd_close(fd=0) => ok (T)");
    t.fd_prestat_get(4).unwrap();
    step(&rec, "fd_prestat_get(fd=4) => DIR pr_name_len=5 (T)");
    t.fd_prestat_dir_name(4).unwrap();
    step(&rec, r#"fd_prestat_dir_name(fd=4) => "/data" (T)"#);
    assert_eq!(t.fd_prestat_get(1), Err(Errno::Badf));
    step(&rec, "fd_prestat_get(fd=1) => EBADF (T)");

    t.path_create_directory(4, "d").unwrap();
    step(&rec, r#"path_create_directory(fd=4, path="d") => ok (T)"#);
    t.path_filestat_get(4, Lookupflags::SYMLINK_FOLLOW, "in.txt")
        .unwrap();
    step(
        &rec,
        r#"path_filestat_get(fd=4, flags=SYMLINK_FOLLOW, path="in.txt") => {dev=*, ino=*, filetype=REGULAR_FILE, nlink=1, size=12, atim=*, mtim=*, ctim=*} (T)"#,
    );
    let _ = t.path_filestat_get(4, Lookupflags::empty(), "missing");
    step(
        &rec,
        r#"path_filestat_get(fd=4, flags=, path="missing") => ENOENT (T)"#,
    );
    t.path_filestat_set_times(4, Lookupflags::empty(), "in.txt", 5, 6, Fstflags::ATIM)
        .unwrap();
    step(
        &rec,
        r#"path_filestat_set_times(fd=4, flags=, path="in.txt", atim=5, mtim=6, fst_flags=ATIM) => ok (T)"#,
    );
    t.path_link(4, Lookupflags::empty(), "in.txt", 4, "hard")
        .unwrap();
    step(
        &rec,
        r#"path_link(old_fd=4, old_flags=, old_path="in.txt", new_fd=4, new_path="hard") => ok (T)"#,
    );
    t.path_symlink("in.txt", 4, "sym").unwrap();
    step(
        &rec,
        r#"path_symlink(old_path="in.txt", fd=4, new_path="sym") => ok (T)"#,
    );
    let mut lbuf = [0u8; 64];
    t.path_readlink(4, "sym", &mut lbuf).unwrap();
    step(
        &rec,
        r#"path_readlink(fd=4, path="sym", buf_len=64) => 6 "in.txt" (T)"#,
    );
    t.path_rename(4, "hard", 4, "hard2").unwrap();
    step(
        &rec,
        r#"path_rename(fd=4, old_path="hard", new_fd=4, new_path="hard2") => ok (T)"#,
    );
    t.path_unlink_file(4, "hard2").unwrap();
    step(&rec, r#"path_unlink_file(fd=4, path="hard2") => ok (T)"#);
    t.path_remove_directory(4, "d").unwrap();
    step(&rec, r#"path_remove_directory(fd=4, path="d") => ok (T)"#);
    let dfd = t
        .path_open(
            4,
            Lookupflags::empty(),
            ".",
            Oflags::DIRECTORY,
            Rights::FD_READDIR,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    step(
        &rec,
        r#"path_open(fd=4, dirflags=, path=".", oflags=DIRECTORY, * => fd * (T)"#,
    );
    let mut names = Vec::new();
    t.fd_readdir(dfd, 0, &mut |_, n| {
        names.push(n.to_vec());
        ReaddirControl::Continue
    })
    .unwrap();
    let got = rec.take();
    assert_eq!(got.len(), 1);
    assert_glob(
        &format!(
            "fd_readdir(fd={dfd}, cookie=0) => {} [*\"in.txt\"*] next=* (T)",
            names.len()
        ),
        &got[0],
    );

    // Sockets: the defaults of the trait are overridden by UnixSystem; the calls must reach
    // it (the peer sees the bytes) and be traced under their own names.
    t.sock_send(3, &[IoSlice::new(b"ping")], Siflags::empty())
        .unwrap();
    let mut got4 = [0u8; 4];
    fx.peer.read_exact(&mut got4).unwrap();
    assert_eq!(&got4, b"ping");
    step(
        &rec,
        r#"sock_send(fd=3, si_data=[4] "ping", si_flags=) => 4 (T)"#,
    );
    std::io::Write::write_all(&mut fx.peer, b"pong").unwrap();
    let mut rbuf = [0u8; 16];
    t.sock_recv(3, &mut [IoSliceMut::new(&mut rbuf)], Riflags::empty())
        .unwrap();
    step(
        &rec,
        r#"sock_recv(fd=3, ri_data=[16], ri_flags=) => 4 "pong" ro_flags= (T)"#,
    );
    let _ = t.sock_accept(3, Fdflags::empty());
    step(&rec, "sock_accept(fd=3, flags=) => E* (T)");
    t.sock_shutdown(3, Sdflags::RD | Sdflags::WR).unwrap();
    step(&rec, "sock_shutdown(fd=3, how=RD|WR) => ok (T)");
    t.proc_exit(3);
    step(&rec, "proc_exit(rval=3) => exit (T)");
}

#[test]
fn quote_escapes_and_truncates() {
    assert_eq!(quote(b"hello world\n", 32), r#""hello world\n""#);
    assert_eq!(quote(b"tab\t\"q\" it's \\", 32), r#""tab\t\"q\" it's \\""#);
    assert_eq!(quote(b"\x00\x7f\xff\xfe", 32), r#""\0\u{7f}\xff\xfe""#);
    assert_eq!(quote("é€".as_bytes(), 32), "\"é€\"");
    assert_eq!(quote(b"abcdef", 3), r#""abc"..."#);
    assert_eq!(quote(b"abc", 3), r#""abc""#);
    // A cut in the middle of a UTF-8 sequence shows the loose bytes, never panics.
    assert_eq!(quote("aé".as_bytes(), 2), r#""a\xc3"..."#);
    assert_eq!(quote(b"", 0), r#""""#);
    assert_eq!(quote(b"x", 0), r#"""..."#);
}

#[test]
fn flag_names_join_with_bars() {
    assert_eq!(flags(Oflags::CREAT | Oflags::TRUNC), "CREAT|TRUNC");
    assert_eq!(flags(Oflags::empty()), "");
    assert_eq!(
        flags(Rights::FD_READ | Rights::PATH_OPEN),
        "FD_READ|PATH_OPEN"
    );
    assert_eq!(
        flags(Rights::from_bits_retain(1 | (1 << 40))),
        "FD_DATASYNC|0x10000000000"
    );
}

#[test]
fn buffers_are_cut_to_string_size() {
    let (mut t, rec, _fx) = traced(TraceOptions {
        string_size: 4,
        families: Families::all(),
    });
    rec.take();
    let fd = t
        .path_open(
            4,
            Lookupflags::empty(),
            "in.txt",
            Oflags::empty(),
            Rights::FD_READ | Rights::FD_SEEK,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    step(
        &rec,
        r#"path_open(fd=4, dirflags=, path="in.t"..., oflags=, fs_rights_base=FD_READ|FD_SEEK, fs_rights_inheriting=, fdflags=) => fd 5 (T)"#,
    );
    let (mut a, mut b) = ([0u8; 2], [0u8; 64]);
    t.fd_read(fd, &mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
        .unwrap();
    step(&rec, r#"fd_read(fd=5, iovs=[2, 64]) => 12 "hell"... (T)"#);
    let mut c = [0u8; 4];
    t.fd_pread(fd, &mut [IoSliceMut::new(&mut c)], 0).unwrap();
    step(
        &rec,
        r#"fd_pread(fd=5, iovs=[4], offset=0) => 4 "hell" (T)"#,
    );
    t.fd_write(1, &[IoSlice::new(b"ab"), IoSlice::new(b"cdef")])
        .unwrap();
    step(&rec, r#"fd_write(fd=1, iovs=[2, 4] "abcd"...) => 6 (T)"#);
}

#[test]
fn families_filter_lines_not_calls() {
    let (mut t, rec, mut fx) = traced(TraceOptions {
        string_size: 32,
        families: Families::NET | Families::CLOCK,
    });
    rec.take();
    t.path_create_directory(4, "made").unwrap();
    assert!(
        fx._dir.path().join("made").is_dir(),
        "filtered call not forwarded"
    );
    t.fd_write(1, &[IoSlice::new(b"x")]).unwrap();
    t.args_sizes_get().unwrap();
    t.random_get(&mut [0; 4]).unwrap();
    t.sched_yield().unwrap();
    assert_eq!(rec.take(), Vec::<String>::new());
    t.clock_time_get(Clockid::Monotonic, 0).unwrap();
    step(&rec, "clock_time_get(id=MONOTONIC, precision=0) => * (T)");
    // fd 3 was registered as a socket: its fd_* calls are NET.
    t.fd_write(3, &[IoSlice::new(b"s")]).unwrap();
    step(&rec, r#"fd_write(fd=3, iovs=[1] "s") => 1 (T)"#);
    let mut one = [0u8; 1];
    fx.peer.read_exact(&mut one).unwrap();
    // Renumbered onto a file fd, the socket stays NET; the fd it left is FS again.
    t.fd_renumber(3, 1).unwrap();
    step(&rec, "fd_renumber(fd=3, to=1) => ok (T)");
    t.fd_write(1, &[IoSlice::new(b"t")]).unwrap();
    step(&rec, r#"fd_write(fd=1, iovs=[1] "t") => 1 (T)"#);
    t.fd_close(1).unwrap();
    step(&rec, "fd_close(fd=1) => ok (T)");
    let _ = t.fd_write(1, &[IoSlice::new(b"u")]);
    assert_eq!(rec.take(), Vec::<String>::new());

    let (mut t, rec, _fx) = traced(TraceOptions {
        string_size: 32,
        families: Families::FS,
    });
    rec.take();
    t.fd_write(3, &[IoSlice::new(b"s")]).unwrap();
    t.clock_time_get(Clockid::Monotonic, 0).unwrap();
    assert_eq!(rec.take(), Vec::<String>::new());
    t.fd_write(1, &[IoSlice::new(b"f")]).unwrap();
    step(&rec, r#"fd_write(fd=1, iovs=[1] "f") => 1 (T)"#);
}

#[test]
fn families_parse() {
    assert_eq!(
        "fs,NET , poll".parse::<Families>(),
        Ok(Families::FS | Families::NET | Families::POLL)
    );
    assert_eq!("all".parse::<Families>(), Ok(Families::all()));
    assert_eq!(
        "Clock,proc,random".parse::<Families>(),
        Ok(Families::CLOCK | Families::PROC | Families::RANDOM)
    );
    let err = "fs,bogus".parse::<Families>().unwrap_err();
    assert!(err.contains("\"bogus\""), "{err}");
    assert!("".parse::<Families>().is_err());
    assert_eq!(TraceOptions::default().string_size, 32);
    assert_eq!(TraceOptions::default().families, Families::all());
}

#[test]
fn trace_is_send_when_its_parts_are() {
    fn send<T: Send>() {}
    send::<Trace<UnixSystem, Vec<u8>>>();
    send::<Trace<UnixSystem, std::fs::File>>();
}
