//! The tracer: a [`System`] decorator that writes one line per call to any [`Write`] sink.
//!
//! [`Trace`] forwards every call to the wrapped system unchanged and, *after* the call returns,
//! formats one complete line and hands it to the sink with a single `write_all`, so a line is
//! never interleaved with other output going to the same place (the guest's own stdout, say):
//!
//! ```text
//! path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="a.txt", oflags=CREAT|TRUNC, fs_rights_base=FD_READ|FD_WRITE, fs_rights_inheriting=, fdflags=APPEND) => fd 4 (12µs)
//! fd_read(fd=4, iovs=[4096]) => 12 "hello world\n" (3µs)
//! path_filestat_get(fd=3, flags=, path="missing") => ENOENT (5µs)
//! ```
//!
//! Format rules:
//! - the call's WASI name, then its decoded arguments with the witx parameter names;
//! - flags and rights by witx name joined with `|` (an empty set prints nothing), enum values
//!   by name;
//! - strings and buffers escaped as Rust's `str::escape_debug` does (bytes that are not UTF-8
//!   as `\xNN`) and cut to [`TraceOptions::string_size`] bytes, with `...` when cut;
//! - for reads the data comes with the result (`=> 12 "hello world\n"`), for writes with the
//!   arguments (`iovs=[6] "hello\n"`): the bytes that actually moved;
//! - the result is `=> ` and the value (`ok` for calls that return nothing) or the errno's
//!   name with its `E` (`=> ENOENT`), then the call's duration in microseconds.
//!
//! At [`Trace::new`] the fds the wrapped system already has are written as registration lines,
//! `preopen fd=3 "/data" rights=… inheriting=…` and `stdio fd=1 CHARACTER_DEVICE rights=…`
//! (`fd fd=N …` past 2), so the numbers in later lines can be read. Registration lines are
//! always written, whatever the family filter: they describe the state every call starts from.
//!
//! Families ([`Families`]) filter which calls are written; every call is forwarded whatever
//! the filter. `fd_*` calls on an fd the tracer knows to be a socket (one registered as a
//! socket at `new`, or returned by `sock_accept` or `sock_open`) count as
//! [`Families::NET`], not `FS`: someone tracing the network wants the `fd_read`/`fd_write`
//! on a connection. The tracer learns socket fds only from those sources and forgets them on
//! `fd_close` and `fd_renumber`; it never makes an extra call to find out.
//!
//! ```
//! use capwasi::abi::{Fdflags, Lookupflags, Oflags, Rights};
//! use capwasi::host::UnixSystem;
//! use capwasi::system::System;
//! use capwasi::table::Limits;
//! use capwasi::trace::{Trace, TraceOptions};
//!
//! let host = tempfile::tempdir()?;
//! let mut sys = UnixSystem::new(Limits::default());
//! sys.preopen_dir(host.path(), "/data", false)?;
//! let mut traced = Trace::new(sys, Vec::new(), TraceOptions::default());
//! let r = traced.path_open(0, Lookupflags::empty(), "nope", Oflags::empty(),
//!                          Rights::FD_READ, Rights::empty(), Fdflags::empty());
//! assert!(r.is_err());
//! let text = String::from_utf8(traced.sink().clone()).unwrap();
//! let lines: Vec<&str> = text.lines().collect();
//! assert!(lines[0].starts_with(r#"preopen fd=0 "/data" rights=FD_DATASYNC|"#));
//! assert!(lines[1].starts_with(r#"path_open(fd=0, dirflags=, path="nope", oflags=, fs_rights_base=FD_READ, fs_rights_inheriting=, fdflags=) => ENOENT ("#));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! No locking: the sink is the caller's, and each line is one `write_all`. Write errors of the
//! sink are ignored (tracing must not change what the guest sees).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{IoSlice, IoSliceMut, Write};
use std::time::{Duration, Instant};

use bitflags::{Bits, Flags};

use crate::abi::{
    Advice, Clockid, Dircookie, Dirent, Event, Fd, Fdflags, Fdstat, Filestat, Filetype, Fstflags,
    Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal, Subscription,
    SubscriptionKind, Timestamp, Whence,
};
use crate::net::{
    AddrInfo, AddrInfoHints, AddressFamily, SockOpt, SockOptValue, SocketAddr, SocketType,
};
use crate::system::{ReaddirSink, Result, System};

bitflags::bitflags! {
    /// Call families for filtering (see the module docs for which call is in which).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
    pub struct Families: u32 {
        /// `fd_*` (except on known sockets) and `path_*`.
        const FS = 1 << 0;
        /// `sock_*`, and `fd_*` on fds known to be sockets.
        const NET = 1 << 1;
        /// `poll_oneoff`.
        const POLL = 1 << 2;
        /// `clock_res_get`, `clock_time_get`.
        const CLOCK = 1 << 3;
        /// `args_*`, `environ_*`, `proc_exit`, `proc_raise`, `sched_yield`.
        const PROC = 1 << 4;
        /// `random_get`.
        const RANDOM = 1 << 5;
    }
}

impl std::str::FromStr for Families {
    type Err = String;

    /// Parses a comma-separated list such as `"fs,net,poll"`: family names case-insensitively,
    /// and `all` for every family. Blanks around items are ignored; an empty list or an
    /// unknown item is an error naming it.
    fn from_str(s: &str) -> std::result::Result<Families, String> {
        let mut out = Families::empty();
        for item in s.split(',') {
            let item = item.trim();
            let family = match item.to_ascii_lowercase().as_str() {
                "fs" => Families::FS,
                "net" => Families::NET,
                "poll" => Families::POLL,
                "clock" => Families::CLOCK,
                "proc" => Families::PROC,
                "random" => Families::RANDOM,
                "all" => Families::all(),
                _ => {
                    return Err(format!(
                        "unknown trace family {item:?} (expected fs, net, poll, clock, proc, random or all)"
                    ));
                }
            };
            out |= family;
        }
        Ok(out)
    }
}

/// How [`Trace`] formats and filters.
#[derive(Clone, Debug)]
pub struct TraceOptions {
    /// Strings and buffers are cut to this many bytes (then `...`). Default 32.
    pub string_size: usize,
    /// Which call families are written. Default: all.
    pub families: Families,
}

impl Default for TraceOptions {
    fn default() -> TraceOptions {
        TraceOptions {
            string_size: 32,
            families: Families::all(),
        }
    }
}

/// Most directory entry names listed in one `fd_readdir` line before `...`.
const MAX_LISTED_NAMES: usize = 16;

/// A [`System`] that forwards every call to `inner` and writes one line per call to `sink`.
///
/// It is `Send` when `S` and `W` are, so it can be the data of a wasmtime `Store`.
#[derive(Debug)]
pub struct Trace<S, W> {
    inner: S,
    sink: W,
    options: TraceOptions,
    /// fds known to be sockets (see the module docs).
    sockets: HashSet<Fd>,
}

/// How many consecutive closed fds end the registration probe at [`Trace::new`]: the fds a
/// host sets up are dense from 0, but an embedder may have closed one in between.
const PROBE_GAP: Fd = 16;

impl<S: System, W: Write> Trace<S, W> {
    /// Wraps `inner`; writes registration lines for the fds `inner` already has (stdio and
    /// preopens: probed with `fd_fdstat_get` / `fd_prestat_get` / `fd_prestat_dir_name`,
    /// which are not traced) at once. The probe stops after 16 consecutive closed fds.
    pub fn new(mut inner: S, mut sink: W, options: TraceOptions) -> Self {
        let mut sockets = HashSet::new();
        let mut misses = 0;
        let mut fd: Fd = 0;
        while misses < PROBE_GAP {
            match inner.fd_fdstat_get(fd) {
                Ok(stat) => {
                    misses = 0;
                    if matches!(
                        stat.filetype,
                        Filetype::SocketStream | Filetype::SocketDgram
                    ) {
                        sockets.insert(fd);
                    }
                    let line = registration_line(&mut inner, fd, &stat, options.string_size);
                    let _ = sink.write_all(line.as_bytes());
                }
                Err(_) => misses += 1,
            }
            fd = match fd.checked_add(1) {
                Some(next) => next,
                None => break,
            };
        }
        Trace {
            inner,
            sink,
            options,
            sockets,
        }
    }

    /// The wrapped system.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The wrapped system, mutably (calls made through it are not traced).
    pub fn inner_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the system, dropping the sink (which flushes it if it buffers).
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// The sink.
    pub fn sink(&self) -> &W {
        &self.sink
    }

    /// The sink, mutably (to flush it, for instance).
    pub fn sink_mut(&mut self) -> &mut W {
        &mut self.sink
    }

    /// Unwraps both halves.
    pub fn into_parts(self) -> (S, W) {
        (self.inner, self.sink)
    }

    /// The options in force.
    pub fn options(&self) -> &TraceOptions {
        &self.options
    }

    /// The family of an `fd_*` call on `fd`.
    fn fd_family(&self, fd: Fd) -> Families {
        if self.sockets.contains(&fd) {
            Families::NET
        } else {
            Families::FS
        }
    }
}

fn registration_line<S: System>(inner: &mut S, fd: Fd, stat: &Fdstat, max: usize) -> String {
    let rights = format!(
        "rights={} inheriting={}",
        flags(stat.rights_base),
        flags(stat.rights_inheriting)
    );
    if inner.fd_prestat_get(fd).is_ok()
        && let Ok(name) = inner.fd_prestat_dir_name(fd)
    {
        return format!("preopen fd={fd} {} {rights}\n", quote(name.as_bytes(), max));
    }
    let kind = if fd <= 2 { "stdio" } else { "fd" };
    format!("{kind} fd={fd} {} {rights}\n", stat.filetype.name())
}

/// Names of the set flags joined with `|`; nothing for the empty set. Bits without a name
/// (possible only for rights, which are decoded leniently) print as one hex value.
pub fn flags<F: Flags>(f: F) -> String
where
    F::Bits: std::fmt::LowerHex + PartialEq,
{
    let mut out = String::new();
    for (name, _) in f.iter_names() {
        if !out.is_empty() {
            out.push('|');
        }
        out.push_str(name);
    }
    let rest = f.bits() & !F::all().bits();
    if rest != F::Bits::EMPTY {
        if !out.is_empty() {
            out.push('|');
        }
        let _ = write!(out, "{rest:#x}");
    }
    out
}

/// `bytes` as a quoted, escaped string cut to `max` bytes (`"..."...` when cut).
pub fn quote(bytes: &[u8], max: usize) -> String {
    let cut = bytes.len() > max;
    let shown = &bytes[..bytes.len().min(max)];
    let mut out = String::with_capacity(shown.len() + 5);
    out.push('"');
    for chunk in shown.utf8_chunks() {
        for c in chunk.valid().chars() {
            // escape_debug leaves `'` alone inside a string only when asked per char; escape
            // it never, as Rust's `{:?}` of a `str` does not.
            if c == '\'' {
                out.push(c);
            } else {
                let _ = write!(out, "{}", c.escape_debug());
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    if cut {
        out.push_str("...");
    }
    out
}

fn lens_mut(iovs: &[IoSliceMut<'_>]) -> String {
    let v: Vec<String> = iovs.iter().map(|b| b.len().to_string()).collect();
    format!("[{}]", v.join(", "))
}

fn lens(iovs: &[IoSlice<'_>]) -> String {
    let v: Vec<String> = iovs.iter().map(|b| b.len().to_string()).collect();
    format!("[{}]", v.join(", "))
}

/// The first `n` bytes spread over `iovs` (those a read filled), at most `max` of them plus
/// one so [`quote`] can tell that it cut.
fn gathered<'a>(iovs: impl Iterator<Item = &'a [u8]>, n: usize, max: usize) -> Vec<u8> {
    let want = n.min(max.saturating_add(1));
    let mut out = Vec::with_capacity(want);
    for b in iovs {
        if out.len() >= want {
            break;
        }
        let take = (want - out.len()).min(b.len());
        out.extend_from_slice(&b[..take]);
    }
    out
}

fn quote_read(iovs: &[IoSliceMut<'_>], n: usize, max: usize) -> String {
    let data = gathered(iovs.iter().map(|b| &**b), n, max);
    quote_exact(&data, n, max)
}

fn quote_write(iovs: &[IoSlice<'_>], n: usize, max: usize) -> String {
    let data = gathered(iovs.iter().map(|b| &**b), n, max);
    quote_exact(&data, n, max)
}

/// Quotes `data`, the first bytes of `total`, marking the cut when `total` exceeds `max`.
fn quote_exact(data: &[u8], total: usize, max: usize) -> String {
    let mut s = quote(&data[..data.len().min(max)], max);
    if total > max && !s.ends_with("...") {
        s.push_str("...");
    }
    s
}

fn total_len(iovs: &[IoSlice<'_>]) -> usize {
    iovs.iter().fold(0usize, |a, b| a.saturating_add(b.len()))
}

fn filestat(s: &Filestat) -> String {
    format!(
        "{{dev={}, ino={}, filetype={}, nlink={}, size={}, atim={}, mtim={}, ctim={}}}",
        s.dev,
        s.ino,
        s.filetype.name(),
        s.nlink,
        s.size,
        s.atim,
        s.mtim,
        s.ctim
    )
}

fn fdstat(s: &Fdstat) -> String {
    format!(
        "{{filetype={}, flags={}, rights_base={}, rights_inheriting={}}}",
        s.filetype.name(),
        flags(s.flags),
        flags(s.rights_base),
        flags(s.rights_inheriting)
    )
}

fn subscription(s: &Subscription) -> String {
    match s.kind {
        SubscriptionKind::Clock(c) => format!(
            "clock(userdata={}, id={}, timeout={}, precision={}, flags={})",
            s.userdata,
            c.id.name(),
            c.timeout,
            c.precision,
            flags(c.flags)
        ),
        SubscriptionKind::FdRead(fd) => format!("fd_read(userdata={}, fd={fd})", s.userdata),
        SubscriptionKind::FdWrite(fd) => format!("fd_write(userdata={}, fd={fd})", s.userdata),
    }
}

fn event(e: &Event) -> String {
    format!(
        "{}(userdata={}, error={}, nbytes={}, flags={})",
        e.kind.name(),
        e.userdata,
        e.error.name(),
        e.nbytes,
        flags(e.flags)
    )
}

fn strings(items: &[Vec<u8>], max: usize) -> String {
    let v: Vec<String> = items.iter().map(|s| quote(s, max)).collect();
    format!("[{}]", v.join(", "))
}

/// Writes one line if `family` is traced: `call => result (Nµs)`, in one `write_all`.
/// Free function over the fields so callers can hold a borrow of `inner`'s result meanwhile.
fn emit<W: Write>(
    sink: &mut W,
    options: &TraceOptions,
    family: Families,
    call: impl FnOnce() -> String,
    result: impl FnOnce() -> String,
    elapsed: Duration,
) {
    if !options.families.intersects(family) {
        return;
    }
    let line = format!("{} => {} ({}µs)\n", call(), result(), elapsed.as_micros());
    // Ignored: a full disk under the trace file must not change what the guest sees.
    let _ = sink.write_all(line.as_bytes());
}

fn res<T>(r: &Result<T>, ok: impl FnOnce(&T) -> String) -> String {
    match r {
        Ok(v) => ok(v),
        Err(e) => e.to_string(),
    }
}

fn unit(r: &Result<()>) -> String {
    res(r, |_| "ok".to_owned())
}

/// Times `$call`, then emits the line. `$fam` is evaluated before the call (the family of an
/// `fd_*` call depends on what the fd was).
macro_rules! traced {
    ($self:ident, $fam:expr, $call:expr, |$r:ident| $result:expr, $inner:expr) => {{
        let family = $fam;
        let start = Instant::now();
        let $r = $inner;
        let elapsed = start.elapsed();
        emit(
            &mut $self.sink,
            &$self.options,
            family,
            || $call,
            || $result,
            elapsed,
        );
        $r
    }};
}

impl<S: System, W: Write> System for Trace<S, W> {
    fn args_sizes_get(&mut self) -> Result<(u32, u32)> {
        traced!(
            self,
            Families::PROC,
            "args_sizes_get()".to_owned(),
            |r| res(&r, |(n, b)| format!("{n} {b}")),
            self.inner.args_sizes_get()
        )
    }

    fn args_get(&mut self) -> Result<&[Vec<u8>]> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::PROC,
            "args_get()".to_owned(),
            |r| res(&r, |a| strings(a, max)),
            self.inner.args_get()
        )
    }

    fn environ_sizes_get(&mut self) -> Result<(u32, u32)> {
        traced!(
            self,
            Families::PROC,
            "environ_sizes_get()".to_owned(),
            |r| res(&r, |(n, b)| format!("{n} {b}")),
            self.inner.environ_sizes_get()
        )
    }

    fn environ_get(&mut self) -> Result<&[Vec<u8>]> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::PROC,
            "environ_get()".to_owned(),
            |r| res(&r, |a| strings(a, max)),
            self.inner.environ_get()
        )
    }

    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp> {
        traced!(
            self,
            Families::CLOCK,
            format!("clock_res_get(id={})", id.name()),
            |r| res(&r, |t| t.to_string()),
            self.inner.clock_res_get(id)
        )
    }

    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp> {
        traced!(
            self,
            Families::CLOCK,
            format!("clock_time_get(id={}, precision={precision})", id.name()),
            |r| res(&r, |t| t.to_string()),
            self.inner.clock_time_get(id, precision)
        )
    }

    fn random_get(&mut self, buf: &mut [u8]) -> Result<()> {
        // The bytes are not shown: a trace file should not leak key material.
        let len = buf.len();
        traced!(
            self,
            Families::RANDOM,
            format!("random_get(buf_len={len})"),
            |r| unit(&r),
            self.inner.random_get(buf)
        )
    }

    fn sched_yield(&mut self) -> Result<()> {
        traced!(
            self,
            Families::PROC,
            "sched_yield()".to_owned(),
            |r| unit(&r),
            self.inner.sched_yield()
        )
    }

    fn poll_oneoff(&mut self, subs: &[Subscription], events: &mut [Event]) -> Result<usize> {
        let start = Instant::now();
        let r = self.inner.poll_oneoff(subs, events);
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            Families::POLL,
            || {
                let v: Vec<String> = subs.iter().map(subscription).collect();
                format!("poll_oneoff(in=[{}])", v.join(", "))
            },
            || {
                res(&r, |n| {
                    let v: Vec<String> = events.iter().take(*n).map(event).collect();
                    format!("{n} [{}]", v.join(", "))
                })
            },
            elapsed,
        );
        r
    }

    fn proc_exit(&mut self, code: u32) {
        let start = Instant::now();
        self.inner.proc_exit(code);
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            Families::PROC,
            || format!("proc_exit(rval={code})"),
            || "exit".to_owned(),
            elapsed,
        );
    }

    fn proc_raise(&mut self, signal: Signal) -> Result<()> {
        traced!(
            self,
            Families::PROC,
            format!("proc_raise(sig={})", signal.name()),
            |r| unit(&r),
            self.inner.proc_raise(signal)
        )
    }

    fn fd_advise(&mut self, fd: Fd, offset: u64, len: u64, advice: Advice) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_advise(fd={fd}, offset={offset}, len={len}, advice={})",
                advice.name()
            ),
            |r| unit(&r),
            self.inner.fd_advise(fd, offset, len, advice)
        )
    }

    fn fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_allocate(fd={fd}, offset={offset}, len={len})"),
            |r| unit(&r),
            self.inner.fd_allocate(fd, offset, len)
        )
    }

    fn fd_close(&mut self, fd: Fd) -> Result<()> {
        let r = traced!(
            self,
            self.fd_family(fd),
            format!("fd_close(fd={fd})"),
            |r| unit(&r),
            self.inner.fd_close(fd)
        );
        if r.is_ok() {
            self.sockets.remove(&fd);
        }
        r
    }

    fn fd_datasync(&mut self, fd: Fd) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_datasync(fd={fd})"),
            |r| unit(&r),
            self.inner.fd_datasync(fd)
        )
    }

    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_fdstat_get(fd={fd})"),
            |r| res(&r, fdstat),
            self.inner.fd_fdstat_get(fd)
        )
    }

    fn fd_fdstat_set_flags(&mut self, fd: Fd, fl: Fdflags) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_fdstat_set_flags(fd={fd}, flags={})", flags(fl)),
            |r| unit(&r),
            self.inner.fd_fdstat_set_flags(fd, fl)
        )
    }

    fn fd_fdstat_set_rights(&mut self, fd: Fd, base: Rights, inheriting: Rights) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_fdstat_set_rights(fd={fd}, fs_rights_base={}, fs_rights_inheriting={})",
                flags(base),
                flags(inheriting)
            ),
            |r| unit(&r),
            self.inner.fd_fdstat_set_rights(fd, base, inheriting)
        )
    }

    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_filestat_get(fd={fd})"),
            |r| res(&r, filestat),
            self.inner.fd_filestat_get(fd)
        )
    }

    fn fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_filestat_set_size(fd={fd}, size={size})"),
            |r| unit(&r),
            self.inner.fd_filestat_set_size(fd, size)
        )
    }

    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        fl: Fstflags,
    ) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_filestat_set_times(fd={fd}, atim={atim}, mtim={mtim}, fst_flags={})",
                flags(fl)
            ),
            |r| unit(&r),
            self.inner.fd_filestat_set_times(fd, atim, mtim, fl)
        )
    }

    fn fd_pread(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        let family = self.fd_family(fd);
        let call = format!(
            "fd_pread(fd={fd}, iovs={}, offset={offset})",
            lens_mut(iovs)
        );
        let start = Instant::now();
        let r = self.inner.fd_pread(fd, iovs, offset);
        let elapsed = start.elapsed();
        let max = self.options.string_size;
        emit(
            &mut self.sink,
            &self.options,
            family,
            || call,
            || res(&r, |n| format!("{n} {}", quote_read(iovs, *n, max))),
            elapsed,
        );
        r
    }

    fn fd_pwrite(&mut self, fd: Fd, iovs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        let max = self.options.string_size;
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_pwrite(fd={fd}, iovs={} {}, offset={offset})",
                lens(iovs),
                quote_write(iovs, total_len(iovs), max)
            ),
            |r| res(&r, |n| n.to_string()),
            self.inner.fd_pwrite(fd, iovs, offset)
        )
    }

    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_prestat_get(fd={fd})"),
            |r| res(&r, |p| format!("DIR pr_name_len={}", p.dir_name_len)),
            self.inner.fd_prestat_get(fd)
        )
    }

    fn fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str> {
        let family = self.fd_family(fd);
        let max = self.options.string_size;
        traced!(
            self,
            family,
            format!("fd_prestat_dir_name(fd={fd})"),
            |r| res(&r, |s| quote(s.as_bytes(), max)),
            self.inner.fd_prestat_dir_name(fd)
        )
    }

    fn fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let family = self.fd_family(fd);
        let call = format!("fd_read(fd={fd}, iovs={})", lens_mut(iovs));
        let start = Instant::now();
        let r = self.inner.fd_read(fd, iovs);
        let elapsed = start.elapsed();
        let max = self.options.string_size;
        emit(
            &mut self.sink,
            &self.options,
            family,
            || call,
            || res(&r, |n| format!("{n} {}", quote_read(iovs, *n, max))),
            elapsed,
        );
        r
    }

    fn fd_readdir(&mut self, fd: Fd, cookie: Dircookie, sink: &mut ReaddirSink<'_>) -> Result<()> {
        let family = self.fd_family(fd);
        let max = self.options.string_size;
        let enabled = self.options.families.intersects(family);
        let mut count = 0usize;
        let mut names: Vec<String> = Vec::new();
        let mut last_next: Option<Dircookie> = None;
        let start = Instant::now();
        let r = {
            // Wraps the caller's sink to list the entries handed to it (including the one it
            // answered `Stop` to: whether that one was consumed is the caller's business).
            let mut spy = |d: &Dirent, name: &[u8]| {
                let c = sink(d, name);
                if enabled {
                    count += 1;
                    last_next = Some(d.d_next);
                    if names.len() < MAX_LISTED_NAMES {
                        names.push(quote(name, max));
                    }
                }
                c
            };
            self.inner.fd_readdir(fd, cookie, &mut spy)
        };
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            family,
            || format!("fd_readdir(fd={fd}, cookie={cookie})"),
            || {
                res(&r, |_| {
                    let more = if count > names.len() { ", ..." } else { "" };
                    let next = last_next.map_or(String::new(), |c| format!(" next={c}"));
                    format!("{count} [{}{more}]{next}", names.join(", "))
                })
            },
            elapsed,
        );
        r
    }

    fn fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()> {
        let r = traced!(
            self,
            self.fd_family(from),
            format!("fd_renumber(fd={from}, to={to})"),
            |r| unit(&r),
            self.inner.fd_renumber(from, to)
        );
        if r.is_ok() && from != to {
            let was_socket = self.sockets.remove(&from);
            self.sockets.remove(&to);
            if was_socket {
                self.sockets.insert(to);
            }
        }
        r
    }

    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64> {
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_seek(fd={fd}, offset={offset}, whence={})",
                whence.name()
            ),
            |r| res(&r, |p| p.to_string()),
            self.inner.fd_seek(fd, offset, whence)
        )
    }

    fn fd_sync(&mut self, fd: Fd) -> Result<()> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_sync(fd={fd})"),
            |r| unit(&r),
            self.inner.fd_sync(fd)
        )
    }

    fn fd_tell(&mut self, fd: Fd) -> Result<u64> {
        traced!(
            self,
            self.fd_family(fd),
            format!("fd_tell(fd={fd})"),
            |r| res(&r, |p| p.to_string()),
            self.inner.fd_tell(fd)
        )
    }

    fn fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize> {
        let max = self.options.string_size;
        traced!(
            self,
            self.fd_family(fd),
            format!(
                "fd_write(fd={fd}, iovs={} {})",
                lens(iovs),
                quote_write(iovs, total_len(iovs), max)
            ),
            |r| res(&r, |n| n.to_string()),
            self.inner.fd_write(fd, iovs)
        )
    }

    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_create_directory(fd={fd}, path={})",
                quote(path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner.path_create_directory(fd, path)
        )
    }

    fn path_filestat_get(&mut self, fd: Fd, fl: Lookupflags, path: &str) -> Result<Filestat> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_filestat_get(fd={fd}, flags={}, path={})",
                flags(fl),
                quote(path.as_bytes(), max)
            ),
            |r| res(&r, filestat),
            self.inner.path_filestat_get(fd, fl, path)
        )
    }

    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        fl: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_filestat_set_times(fd={fd}, flags={}, path={}, atim={atim}, mtim={mtim}, fst_flags={})",
                flags(fl),
                quote(path.as_bytes(), max),
                flags(fst_flags)
            ),
            |r| unit(&r),
            self.inner
                .path_filestat_set_times(fd, fl, path, atim, mtim, fst_flags)
        )
    }

    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_link(old_fd={old_fd}, old_flags={}, old_path={}, new_fd={new_fd}, new_path={})",
                flags(old_flags),
                quote(old_path.as_bytes(), max),
                quote(new_path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner
                .path_link(old_fd, old_flags, old_path, new_fd, new_path)
        )
    }

    fn path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_open(fd={fd}, dirflags={}, path={}, oflags={}, fs_rights_base={}, fs_rights_inheriting={}, fdflags={})",
                flags(dirflags),
                quote(path.as_bytes(), max),
                flags(oflags),
                flags(rights_base),
                flags(rights_inheriting),
                flags(fdflags)
            ),
            |r| res(&r, |fd| format!("fd {fd}")),
            self.inner.path_open(
                fd,
                dirflags,
                path,
                oflags,
                rights_base,
                rights_inheriting,
                fdflags
            )
        )
    }

    fn path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize> {
        let max = self.options.string_size;
        let call = format!(
            "path_readlink(fd={fd}, path={}, buf_len={})",
            quote(path.as_bytes(), max),
            buf.len()
        );
        let start = Instant::now();
        let r = self.inner.path_readlink(fd, path, buf);
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            Families::FS,
            || call,
            || {
                res(&r, |n| {
                    let shown = buf.get(..*n).unwrap_or(buf);
                    format!("{n} {}", quote(shown, max))
                })
            },
            elapsed,
        );
        r
    }

    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_remove_directory(fd={fd}, path={})",
                quote(path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner.path_remove_directory(fd, path)
        )
    }

    fn path_rename(&mut self, fd: Fd, old_path: &str, new_fd: Fd, new_path: &str) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_rename(fd={fd}, old_path={}, new_fd={new_fd}, new_path={})",
                quote(old_path.as_bytes(), max),
                quote(new_path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner.path_rename(fd, old_path, new_fd, new_path)
        )
    }

    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_symlink(old_path={}, fd={fd}, new_path={})",
                quote(old_path.as_bytes(), max),
                quote(new_path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner.path_symlink(old_path, fd, new_path)
        )
    }

    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::FS,
            format!(
                "path_unlink_file(fd={fd}, path={})",
                quote(path.as_bytes(), max)
            ),
            |r| unit(&r),
            self.inner.path_unlink_file(fd, path)
        )
    }

    fn sock_accept(&mut self, fd: Fd, fl: Fdflags) -> Result<Fd> {
        let r = traced!(
            self,
            Families::NET,
            format!("sock_accept(fd={fd}, flags={})", flags(fl)),
            |r| res(&r, |fd| format!("fd {fd}")),
            self.inner.sock_accept(fd, fl)
        );
        if let Ok(new) = r {
            self.sockets.insert(new);
        }
        r
    }

    fn sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        fl: Riflags,
    ) -> Result<(usize, Roflags)> {
        let max = self.options.string_size;
        let call = format!(
            "sock_recv(fd={fd}, ri_data={}, ri_flags={})",
            lens_mut(iovs),
            flags(fl)
        );
        let start = Instant::now();
        let r = self.inner.sock_recv(fd, iovs, fl);
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            Families::NET,
            || call,
            || {
                res(&r, |(n, ro)| {
                    format!("{n} {} ro_flags={}", quote_read(iovs, *n, max), flags(*ro))
                })
            },
            elapsed,
        );
        r
    }

    fn sock_send(&mut self, fd: Fd, iovs: &[IoSlice<'_>], fl: Siflags) -> Result<usize> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!(
                "sock_send(fd={fd}, si_data={} {}, si_flags={})",
                lens(iovs),
                quote_write(iovs, total_len(iovs), max),
                flags(fl)
            ),
            |r| res(&r, |n| n.to_string()),
            self.inner.sock_send(fd, iovs, fl)
        )
    }

    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        traced!(
            self,
            Families::NET,
            format!("sock_shutdown(fd={fd}, how={})", flags(how)),
            |r| unit(&r),
            self.inner.sock_shutdown(fd, how)
        )
    }

    fn sock_open(&mut self, family: AddressFamily, socktype: SocketType) -> Result<Fd> {
        let r = traced!(
            self,
            Families::NET,
            format!(
                "sock_open(af={}, socktype={})",
                family.name(),
                socktype.name()
            ),
            |r| res(&r, |fd| format!("fd {fd}")),
            self.inner.sock_open(family, socktype)
        );
        if let Ok(new) = r {
            self.sockets.insert(new);
        }
        r
    }

    fn sock_bind(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!("sock_bind(fd={fd}, addr={})", sockaddr(addr, max)),
            |r| unit(&r),
            self.inner.sock_bind(fd, addr)
        )
    }

    fn sock_connect(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!("sock_connect(fd={fd}, addr={})", sockaddr(addr, max)),
            |r| unit(&r),
            self.inner.sock_connect(fd, addr)
        )
    }

    fn sock_listen(&mut self, fd: Fd, backlog: u32) -> Result<()> {
        traced!(
            self,
            Families::NET,
            format!("sock_listen(fd={fd}, backlog={backlog})"),
            |r| unit(&r),
            self.inner.sock_listen(fd, backlog)
        )
    }

    fn sock_recv_from(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        fl: Riflags,
    ) -> Result<(usize, Option<SocketAddr>, Roflags)> {
        let max = self.options.string_size;
        let call = format!(
            "sock_recv_from(fd={fd}, ri_data={}, ri_flags={})",
            lens_mut(iovs),
            flags(fl)
        );
        let start = Instant::now();
        let r = self.inner.sock_recv_from(fd, iovs, fl);
        let elapsed = start.elapsed();
        emit(
            &mut self.sink,
            &self.options,
            Families::NET,
            || call,
            || {
                res(&r, |(n, from, ro)| {
                    format!(
                        "{n} {} from={} ro_flags={}",
                        quote_read(iovs, *n, max),
                        from.as_ref().map_or("-".to_owned(), |a| sockaddr(a, max)),
                        flags(*ro)
                    )
                })
            },
            elapsed,
        );
        r
    }

    fn sock_send_to(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        addr: &SocketAddr,
        fl: Siflags,
    ) -> Result<usize> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!(
                "sock_send_to(fd={fd}, si_data={} {}, addr={}, si_flags={})",
                lens(iovs),
                quote_write(iovs, total_len(iovs), max),
                sockaddr(addr, max),
                flags(fl)
            ),
            |r| res(&r, |n| n.to_string()),
            self.inner.sock_send_to(fd, iovs, addr, fl)
        )
    }

    fn sock_getsockopt(&mut self, fd: Fd, opt: SockOpt) -> Result<SockOptValue> {
        traced!(
            self,
            Families::NET,
            format!("sock_getsockopt(fd={fd}, opt={})", opt.name()),
            |r| res(&r, sockopt_value),
            self.inner.sock_getsockopt(fd, opt)
        )
    }

    fn sock_setsockopt(&mut self, fd: Fd, opt: SockOpt, value: SockOptValue) -> Result<()> {
        traced!(
            self,
            Families::NET,
            format!(
                "sock_setsockopt(fd={fd}, opt={}, value={})",
                opt.name(),
                sockopt_value(&value)
            ),
            |r| unit(&r),
            self.inner.sock_setsockopt(fd, opt, value)
        )
    }

    fn sock_getlocaladdr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!("sock_getlocaladdr(fd={fd})"),
            |r| res(&r, |a| sockaddr(a, max)),
            self.inner.sock_getlocaladdr(fd)
        )
    }

    fn sock_getpeeraddr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!("sock_getpeeraddr(fd={fd})"),
            |r| res(&r, |a| sockaddr(a, max)),
            self.inner.sock_getpeeraddr(fd)
        )
    }

    fn sock_getaddrinfo(
        &mut self,
        node: &str,
        service: &str,
        hints: &AddrInfoHints,
        max_results: usize,
    ) -> Result<Vec<AddrInfo>> {
        let max = self.options.string_size;
        traced!(
            self,
            Families::NET,
            format!(
                "sock_getaddrinfo(node={}, service={}, flags={}, af={}, socktype={}, protocol={}, max={max_results})",
                quote(node.as_bytes(), max),
                quote(service.as_bytes(), max),
                hints.flags,
                hints.family.map_or("ANY", |f| f.name()),
                hints.socktype.map_or("ANY", |t| t.name()),
                hints.protocol
            ),
            |r| res(&r, |v| {
                let items: Vec<String> = v
                    .iter()
                    .map(|a| format!("{} {}", a.addr, a.socktype.name()))
                    .collect();
                format!("{} [{}]", v.len(), items.join(", "))
            }),
            self.inner
                .sock_getaddrinfo(node, service, hints, max_results)
        )
    }
}

/// `127.0.0.1:80`, `[::1]:80`, or `unix:"path"` (quoted and cut like other strings).
fn sockaddr(a: &SocketAddr, max: usize) -> String {
    match a {
        SocketAddr::Inet(a) => a.to_string(),
        SocketAddr::Unix(p) => format!("unix:{}", quote(p.as_bytes(), max)),
    }
}

/// `5`, `linger=off`/`linger=3s`, `timeout=off`/`timeout=1.5s`.
fn sockopt_value(v: &SockOptValue) -> String {
    match v {
        SockOptValue::Int(i) => i.to_string(),
        SockOptValue::Linger(None) => "linger=off".to_owned(),
        SockOptValue::Linger(Some(d)) => format!("linger={d:?}"),
        SockOptValue::Time(None) => "timeout=off".to_owned(),
        SockOptValue::Time(Some(d)) => format!("timeout={d:?}"),
    }
}

#[cfg(test)]
mod tests;
