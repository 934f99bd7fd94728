//! Preview 1 host calls, three ways in one run: capwasi, wasmtime-wasi's preview 1 (same
//! wasmtime, same `Engine`, same compiled module) and native Rust making the same syscalls
//! through rustix.
//!
//! Reproduce: `cargo bench --bench p1` (a few minutes on 2 cores). Criterion prints each
//! measurement; at the end this prints a Markdown table of medians and ratios, read back from
//! criterion's `estimates.json`, which is what BENCHMARKS.md holds. `cargo bench --bench p1 --
//! ROW` runs the rows whose name contains ROW.
//!
//! Every guest export is a loop in wasm taking an iteration count, so criterion's
//! `iter_custom` times `n` host calls made from inside wasm, not `n` host→wasm entries. The
//! guest checks each call's errno and returns it (OR-ed) or a result the bench validates, so a
//! host that fails fast cannot look fast.
//!
//! The bulk read is of a 64 MiB file, not the issue's 256 MiB, to keep a run short; per byte
//! it is the same work (64 KiB `read`s from the page cache).

use std::fs;
use std::hint::black_box;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use capwasi::host::UnixSystem;
use capwasi::table::Limits;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use rustix::event::{PollFd, PollFlags};
use rustix::fs::{AtFlags, Mode, OFlags, RawDir, SeekFrom};
use rustix::time::{ClockId, Timespec};
use wasmtime::{Engine, Instance, InstancePre, Linker, Module, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

mod common;
use common::{fmt_ns, median_ns};

/// Guest memory layout:
/// - 0: ciovec {4096, 1} (the 1-byte write); 8: iovec {65536, 65536} (a 64 KiB read)
/// - 16: size result; 24: u64 result (timestamp, offset)
/// - 256: the path names, 3 bytes each at 256 + 4·id: "out", "sml", "big", "dir"
/// - 320: filestat (64 bytes)
/// - 512: one subscription (fd_read on the fd `poll` is given); 576: its event; 608: nevents
/// - 1024: argv pointers; 1088: environ pointers; 2048: argv bytes; 3072: environ bytes
/// - 4096: the byte to write; 8192: 4 KiB readdir buffer (wasi-libc's default size)
/// - 65536..131072: the read buffer
///
/// Exports take `(fd, n)`, run their call `n ≥ 1` times and return the OR of the errnos
/// (`read_all`: bytes of the last pass; `readdir`: entries of the last listing; negative
/// errno on failure).
const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 3)
  (data (i32.const 0) "\00\10\00\00\01\00\00\00\00\00\01\00\00\00\01\00")
  (data (i32.const 256) "out\00sml\00big\00dir\00")
  ;; subscription: userdata 7, tag 1 = fd_read (the fd is stored by $poll)
  (data (i32.const 512) "\07\00\00\00\00\00\00\00\01")
  (data (i32.const 4096) "x")

  ;; path_open(3, symlink_follow, name id, oflags, rights) -> fd, or -errno
  (func (export "open") (param $id i32) (param $oflags i32) (param $rights i64) (result i32)
    (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 1)
      (i32.add (i32.const 256) (i32.mul (local.get $id) (i32.const 4))) (i32.const 3)
      (local.get $oflags) (local.get $rights) (local.get $rights) (i32.const 0) (i32.const 16)))
    (if (result i32) (local.get $e)
      (then (i32.sub (i32.const 0) (local.get $e)))
      (else (i32.load (i32.const 16)))))

  (func (export "nop") (param i32 i32) (result i32) (i32.const 0))

  (func (export "write1") (param $fd i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  (func (export "clock") (param $fd i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 24))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  ;; open "sml" read-write (as the native row does) and close it
  (func (export "open_close") (param $dir i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $path_open (local.get $dir) (i32.const 1)
        (i32.const 260) (i32.const 3) (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff)
        (i32.const 0) (i32.const 16))))
      (local.set $e (i32.or (local.get $e) (call $fd_close (i32.load (i32.const 16)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  (func (export "stat") (param $dir i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $path_filestat_get (local.get $dir) (i32.const 1)
        (i32.const 260) (i32.const 3) (i32.const 320))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  (func (export "seek") (param $fd i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 24))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  ;; rewind, then read 64 KiB at a time to end of file
  (func (export "read_all") (param $fd i32) (param $n i32) (result i32) (local $e i32) (local $total i32)
    (loop $pass
      (local.set $e (call $fd_seek (local.get $fd) (i64.const 0) (i32.const 0) (i32.const 24)))
      (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
      (local.set $total (i32.const 0))
      (block $eof
        (loop $chunk
          (local.set $e (call $fd_read (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))
          (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
          (br_if $eof (i32.eqz (i32.load (i32.const 16))))
          (local.set $total (i32.add (local.get $total) (i32.load (i32.const 16))))
          (br $chunk)))
      (br_if $pass (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $total))

  ;; list the directory from cookie 0, 4 KiB at a time, resuming at the d_next of the last
  ;; whole entry, until a call fills less than the buffer
  (func (export "readdir") (param $fd i32) (param $n i32) (result i32)
    (local $e i32) (local $cookie i64) (local $used i32) (local $pos i32) (local $len i32) (local $count i32)
    (loop $pass
      (local.set $cookie (i64.const 0))
      (local.set $count (i32.const 0))
      (loop $call
        (local.set $e (call $fd_readdir (local.get $fd) (i32.const 8192) (i32.const 4096) (local.get $cookie) (i32.const 16)))
        (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
        (local.set $used (i32.load (i32.const 16)))
        (local.set $pos (i32.const 0))
        (block $parsed
          (loop $entry
            (br_if $parsed (i32.gt_u (i32.add (local.get $pos) (i32.const 24)) (local.get $used)))
            (local.set $len (i32.add (i32.const 24) (i32.load (i32.add (i32.const 8208) (local.get $pos)))))
            (br_if $parsed (i32.gt_u (i32.add (local.get $pos) (local.get $len)) (local.get $used)))
            (local.set $cookie (i64.load (i32.add (i32.const 8192) (local.get $pos))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $pos (i32.add (local.get $pos) (local.get $len)))
            (br $entry)))
        (br_if $call (i32.eq (local.get $used) (i32.const 4096))))
      (br_if $pass (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $count))

  ;; one fd_read subscription on a ready fd: exactly one event, without error
  (func (export "poll") (param $fd i32) (param $n i32) (result i32) (local $e i32)
    (i32.store (i32.const 528) (local.get $fd))
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $poll_oneoff (i32.const 512) (i32.const 576) (i32.const 1) (i32.const 608))))
      (if (i32.or (i32.ne (i32.load (i32.const 608)) (i32.const 1)) (i32.load16_u (i32.const 584)))
        (then (local.set $e (i32.const 999))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))

  (func (export "args") (param $fd i32) (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $args_get (i32.const 1024) (i32.const 2048))))
      (local.set $e (i32.or (local.get $e) (call $environ_get (i32.const 1088) (i32.const 3072))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
)
"#;

/// Path name ids in the guest's table.
const OUT: i32 = 0;
const SML: i32 = 1;
const BIG: i32 = 2;
const DIR: i32 = 3;
/// `oflags`.
const CREAT_TRUNC: i32 = 1 | 8;
const DIRECTORY: i32 = 2;
/// Every right; directories without `fd_write` (wasmtime-wasi would open them for writing).
const ALL_RIGHTS: i64 = 0x1fff_ffff;
const DIR_RIGHTS: i64 = ALL_RIGHTS & !0x40;

const BIG_LEN: usize = 64 << 20;
const DIR_ENTRIES: usize = 2000;
const ARGS: [&str; 4] = ["bench", "--input", "data/file.txt", "-v"];
const ENV: [&str; 4] = [
    "HOME=/home/bench",
    "PATH=/usr/bin:/bin",
    "LANG=C.UTF-8",
    "TERM=xterm",
];

/// The files every row works on, in one temporary directory preopened as fd 3 by both hosts.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("sml"), [7u8; 100]).unwrap();
        // Real bytes, not a sparse file: reads must come from page-cache pages.
        let chunk: Vec<u8> = (0..1 << 20).map(|i| i as u8).collect();
        let mut big = Vec::with_capacity(BIG_LEN);
        while big.len() < BIG_LEN {
            big.extend_from_slice(&chunk);
        }
        fs::write(dir.path().join("big"), &big).unwrap();
        fs::create_dir(dir.path().join("dir")).unwrap();
        for i in 0..DIR_ENTRIES {
            fs::write(dir.path().join(format!("dir/e{i:04}")), b"").unwrap();
        }
        Fixture { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// One instantiated guest with its store, whatever the host.
struct Guest<T: 'static> {
    store: Store<T>,
    instance: Instance,
}

/// What a row needs from a host, object-safe so rows can loop over hosts.
trait Host {
    /// Opens a fixture path through the guest's `path_open`; the fd or a negative errno.
    fn open(&mut self, id: i32, oflags: i32, rights: i64) -> i32;
    /// Runs `export(fd, n)`, timing only the call.
    fn timed(&mut self, export: &str, fd: i32, n: i32) -> (i32, Duration);
}

impl<T: 'static> Host for Guest<T> {
    fn open(&mut self, id: i32, oflags: i32, rights: i64) -> i32 {
        let f = self
            .instance
            .get_typed_func::<(i32, i32, i64), i32>(&mut self.store, "open")
            .unwrap();
        f.call(&mut self.store, (id, oflags, rights)).unwrap()
    }

    fn timed(&mut self, export: &str, fd: i32, n: i32) -> (i32, Duration) {
        let f = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, export)
            .unwrap();
        let start = Instant::now();
        let r = f.call(&mut self.store, (fd, n)).unwrap();
        (r, start.elapsed())
    }
}

fn capwasi_system(fx: &Fixture) -> UnixSystem {
    let mut sys = UnixSystem::new(Limits::default());
    sys.set_args(ARGS.iter().map(|a| a.as_bytes().to_vec()).collect())
        .unwrap();
    sys.set_env(ENV.iter().map(|a| a.as_bytes().to_vec()).collect())
        .unwrap();
    sys.inherit_stdio().unwrap();
    sys.preopen_dir(fx.path(), "/", false).unwrap();
    sys
}

fn wasi_ctx(fx: &Fixture) -> WasiP1Ctx {
    let env: Vec<(&str, &str)> = ENV.iter().map(|kv| kv.split_once('=').unwrap()).collect();
    WasiCtxBuilder::new()
        .args(&ARGS)
        .envs(&env)
        .inherit_stdio()
        .preopened_dir(fx.path(), "/", FsPerms::ReadWrite)
        .unwrap()
        .build_p1()
}

/// Both hosts' pre-linked module: instantiation skips import resolution, as a server would.
struct Pres {
    capwasi: InstancePre<UnixSystem>,
    /// capwasi linked with `add_to_linker`: every call looks the memory up by name. Only the
    /// `clock_time_get` row runs it, to show what the lookup by index saves.
    capwasi_by_name: InstancePre<UnixSystem>,
    wasi: InstancePre<WasiP1Ctx>,
}

impl Pres {
    fn new(engine: &Engine, module: &Module) -> Pres {
        let mut cl: Linker<UnixSystem> = Linker::new(engine);
        // Per module, as `Runner` links: calls find the memory by export index, not by name.
        capwasi::p1::add_to_linker_for_module(&mut cl, module, |s: &mut UnixSystem| s).unwrap();
        let mut by_name: Linker<UnixSystem> = Linker::new(engine);
        capwasi::p1::add_to_linker(&mut by_name, |s: &mut UnixSystem| s).unwrap();
        let mut wl: Linker<WasiP1Ctx> = Linker::new(engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut wl, |c: &mut WasiP1Ctx| c).unwrap();
        Pres {
            capwasi: cl.instantiate_pre(module).unwrap(),
            capwasi_by_name: by_name.instantiate_pre(module).unwrap(),
            wasi: wl.instantiate_pre(module).unwrap(),
        }
    }

    fn capwasi(&self, fx: &Fixture) -> Guest<UnixSystem> {
        Self::capwasi_with(&self.capwasi, fx)
    }

    fn capwasi_by_name(&self, fx: &Fixture) -> Guest<UnixSystem> {
        Self::capwasi_with(&self.capwasi_by_name, fx)
    }

    fn capwasi_with(pre: &InstancePre<UnixSystem>, fx: &Fixture) -> Guest<UnixSystem> {
        let mut store = Store::new(pre.module().engine(), capwasi_system(fx));
        let instance = pre.instantiate(&mut store).unwrap();
        Guest { store, instance }
    }

    fn wasi(&self, fx: &Fixture) -> Guest<WasiP1Ctx> {
        let mut store = Store::new(self.wasi.module().engine(), wasi_ctx(fx));
        let instance = self.wasi.instantiate(&mut store).unwrap();
        Guest { store, instance }
    }
}

/// Which fd a row's export is given.
#[derive(Clone, Copy)]
enum FdArg {
    /// This fd as is (0 where the export ignores it; 3 is the preopened fixture root).
    Fixed(i32),
    /// The fd the guest's `path_open(3, name id, oflags, rights)` returns.
    Open(i32, i32, i64),
}

/// A row's guest side.
struct GuestWork {
    export: &'static str,
    fd: FdArg,
    /// Whether the export's return value means success.
    ok: fn(i32) -> bool,
}

fn errno_zero(r: i32) -> bool {
    r == 0
}

/// Criterion's iteration count as guest loop counts (the guest takes an `i32`).
fn chunks(iters: u64) -> impl Iterator<Item = i32> {
    let max = i32::MAX as u64;
    (0..iters.div_ceil(max)).map(move |i| (iters - i * max).min(max) as i32)
}

/// Rows whose one iteration takes milliseconds get fewer, longer samples.
fn configure(g: &mut BenchmarkGroup<'_, WallTime>, slow: bool) {
    if slow {
        g.sample_size(10).measurement_time(Duration::from_secs(3));
    }
}

fn row(
    c: &mut Criterion,
    hosts: &mut [(&str, &mut dyn Host)],
    name: &str,
    work: GuestWork,
    slow: bool,
    mut native: impl FnMut(u64),
) {
    row_with(c, hosts, name, work, slow, &mut [("native", &mut native)]);
}

/// [`row`] with more than one native variant (each its own criterion function).
fn row_with(
    c: &mut Criterion,
    hosts: &mut [(&str, &mut dyn Host)],
    name: &str,
    work: GuestWork,
    slow: bool,
    natives: &mut [(&str, &mut dyn FnMut(u64))],
) {
    let mut g = c.benchmark_group(name);
    configure(&mut g, slow);
    for (label, host) in hosts.iter_mut() {
        let fd = match work.fd {
            FdArg::Fixed(fd) => fd,
            FdArg::Open(id, oflags, rights) => {
                let fd = host.open(id, oflags, rights);
                assert!(fd >= 0, "{name}/{label}: path_open failed: errno {}", -fd);
                fd
            }
        };
        // Check once, outside criterion, that the work succeeds on this host.
        let (r, _) = host.timed(work.export, fd, 1);
        assert!((work.ok)(r), "{name}/{label}: guest returned {r}");
        g.bench_function(*label, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for n in chunks(iters) {
                    let (r, t) = host.timed(work.export, fd, n);
                    assert!((work.ok)(r), "{name}/{label}: guest returned {r}");
                    total += t;
                }
                total
            })
        });
    }
    for (label, native) in natives.iter_mut() {
        g.bench_function(*label, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                native(iters);
                start.elapsed()
            })
        });
    }
    g.finish();
}

fn open_at(dir: &OwnedFd, name: &str, flags: OFlags) -> OwnedFd {
    rustix::fs::openat(
        dir,
        name,
        flags | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )
    .unwrap()
}

/// Native args_get/environ_get: what the call itself does with no syscall under it — lay the
/// NUL-terminated strings and their pointer array out in a buffer.
fn lay_out(strings: &[&str], ptrs: &mut [u32; 16], buf: &mut [u8; 1024]) {
    let mut at = 0;
    for (p, s) in ptrs.iter_mut().zip(strings) {
        *p = at as u32;
        buf[at..at + s.len()].copy_from_slice(s.as_bytes());
        buf[at + s.len()] = 0;
        at += s.len() + 1;
    }
}

const ROWS: [&str; 10] = [
    "fd_write_1_byte",
    "clock_time_get",
    "path_open_fd_close",
    "path_filestat_get",
    "fd_seek",
    "fd_read_64MiB_in_64KiB",
    "fd_readdir_2000",
    "poll_oneoff_1_ready_fd",
    "args_get_environ_get",
    "instantiate_to_first_call",
];

fn benches(c: &mut Criterion, fx: &Fixture, since: SystemTime) {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let pres = Pres::new(&engine, &module);
    let mut cap = pres.capwasi(fx);
    let mut wasi = pres.wasi(fx);
    let mut hosts: [(&str, &mut dyn Host); 2] =
        [("capwasi", &mut cap), ("wasmtime-wasi", &mut wasi)];
    let root =
        rustix::fs::open(fx.path(), OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap();

    let work = |export: &'static str, fd: FdArg| GuestWork {
        export,
        fd,
        ok: errno_zero,
    };

    // Each host appends to a file of its own that starts empty (the guests' "out" is
    // truncated by each guest's path_open): extending a file costs more than overwriting, so
    // native must not overwrite what the guests wrote.
    let out = open_at(
        &root,
        "nout",
        OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC,
    );
    let fd = FdArg::Open(OUT, CREAT_TRUNC, ALL_RIGHTS);
    row(c, &mut hosts, ROWS[0], work("write1", fd), false, |n| {
        for _ in 0..n {
            rustix::io::write(&out, b"x").unwrap();
        }
    });

    // This row alone also runs capwasi linked by name (`add_to_linker`).
    let mut by_name = pres.capwasi_by_name(fx);
    let [(l0, h0), (l1, h1)] = &mut hosts;
    let mut clock_hosts: [(&str, &mut dyn Host); 3] =
        [(*l0, &mut **h0), (BY_NAME, &mut by_name), (*l1, &mut **h1)];
    row(
        c,
        &mut clock_hosts,
        ROWS[1],
        work("clock", FdArg::Fixed(0)),
        false,
        |n| {
            for _ in 0..n {
                black_box(rustix::time::clock_gettime(ClockId::Monotonic));
            }
        },
    );

    // Guests open "sml" read-write (all rights), so natively too.
    row(
        c,
        &mut hosts,
        ROWS[2],
        work("open_close", FdArg::Fixed(3)),
        false,
        |n| {
            for _ in 0..n {
                drop(open_at(&root, "sml", OFlags::RDWR));
            }
        },
    );

    row(
        c,
        &mut hosts,
        ROWS[3],
        work("stat", FdArg::Fixed(3)),
        false,
        |n| {
            for _ in 0..n {
                black_box(rustix::fs::statat(&root, "sml", AtFlags::empty()).unwrap());
            }
        },
    );

    let sml = open_at(&root, "sml", OFlags::RDWR);
    let fd = FdArg::Open(SML, 0, ALL_RIGHTS);
    row(c, &mut hosts, ROWS[4], work("seek", fd), false, |n| {
        for _ in 0..n {
            black_box(rustix::fs::seek(&sml, SeekFrom::Start(0)).unwrap());
        }
    });

    let big = open_at(&root, "big", OFlags::RDWR);
    let whole_file = GuestWork {
        export: "read_all",
        fd: FdArg::Open(BIG, 0, ALL_RIGHTS),
        ok: |r| r == BIG_LEN as i32,
    };
    // Reads the whole file in 64 KiB `read(2)`s into `buf`.
    let read_whole = |buf: &mut [u8]| {
        rustix::fs::seek(&big, SeekFrom::Start(0)).unwrap();
        let mut total = 0;
        loop {
            let got = rustix::io::read(&big, &mut *buf).unwrap();
            if got == 0 {
                break;
            }
            total += got;
        }
        assert_eq!(total, BIG_LEN);
    };
    let mut buf = vec![0u8; 64 << 10];
    let mut into_vec = |n: u64| {
        for _ in 0..n {
            read_whole(&mut buf);
        }
    };
    // The same native loop reading into a wasm linear memory (the guest's buffer, at the same
    // offset, in a memory wasmtime allocated with the same engine), to tell the host's cost
    // from the destination's.
    let (mut mem_store, memory) = linear_memory(&engine);
    let mut into_linear = |n: u64| {
        let dst = &mut memory.data_mut(&mut mem_store)[65536..131072];
        for _ in 0..n {
            read_whole(dst);
        }
    };
    let natives: &mut [(&str, &mut dyn FnMut(u64))] =
        &mut [("native", &mut into_vec), (NATIVE_LINEAR, &mut into_linear)];
    row_with(c, &mut hosts, ROWS[5], whole_file, true, natives);

    let listing = GuestWork {
        export: "readdir",
        fd: FdArg::Open(DIR, DIRECTORY, DIR_RIGHTS),
        // 2000 files, with or without "." and ".."
        ok: |r| (DIR_ENTRIES as i32..=DIR_ENTRIES as i32 + 2).contains(&r),
    };
    let dir = open_at(&root, "dir", OFlags::RDONLY | OFlags::DIRECTORY);
    let mut dirbuf = [MaybeUninit::<u8>::uninit(); 4096];
    row(c, &mut hosts, ROWS[6], listing, true, |n| {
        for _ in 0..n {
            rustix::fs::seek(&dir, SeekFrom::Start(0)).unwrap();
            let mut raw = RawDir::new(&dir, &mut dirbuf);
            let mut count = 0;
            while let Some(entry) = raw.next() {
                black_box(entry.unwrap().file_name());
                count += 1;
            }
            assert_eq!(count, DIR_ENTRIES + 2);
        }
    });

    // A regular file is always ready, on every host.
    let fd = FdArg::Open(SML, 0, ALL_RIGHTS);
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    row(c, &mut hosts, ROWS[7], work("poll", fd), false, |n| {
        for _ in 0..n {
            let mut fds = [PollFd::new(&sml, PollFlags::IN)];
            assert_eq!(rustix::event::poll(&mut fds, Some(&zero)).unwrap(), 1);
        }
    });

    let (mut ptrs, mut bytes) = ([0u32; 16], [0u8; 1024]);
    row(
        c,
        &mut hosts,
        ROWS[8],
        work("args", FdArg::Fixed(0)),
        false,
        |n| {
            for _ in 0..n {
                lay_out(&ARGS, &mut ptrs, &mut bytes);
                lay_out(&ENV, &mut ptrs, &mut bytes);
                black_box((&ptrs, &bytes));
            }
        },
    );

    instantiation(c, &pres, fx);
    // Only when criterion ran the row (not filtered out).
    if median_ns(ROWS[9], "capwasi", since).is_some() {
        paired_instantiation(&pres, fx);
    }
}

/// The `clock_time_get` row's extra capwasi function: memory looked up by name.
const BY_NAME: &str = "capwasi-memory-by-name";

/// The bulk-read row's extra native function: `read(2)` into wasm linear memory.
const NATIVE_LINEAR: &str = "native-into-linear-memory";

/// A bare instance's linear memory, as large as the guest's.
fn linear_memory(engine: &Engine) -> (Store<()>, wasmtime::Memory) {
    let module = Module::new(engine, r#"(module (memory (export "memory") 3))"#).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Instance::new(&mut store, &module, &[]).unwrap();
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    (store, memory)
}

/// Time to first instruction: a fresh host context (args, env, stdio, one preopen), a store,
/// instantiation of the pre-linked module and a call of an empty export. Natively, the nearest
/// equivalent is starting a process: `/bin/true` spawned and waited for.
///
/// Each guest is dropped, untimed, before the next is made: one guest at a time, as a command
/// runner or a serial server has. (Criterion's `iter_with_large_drop` would keep a whole
/// sample's stores — about a thousand — alive until the sample ends, so the process's fd table
/// and mappings grow with the batch, which weighs on whichever host holds more fds per store.)
fn instantiation(c: &mut Criterion, pres: &Pres, fx: &Fixture) {
    let mut g = c.benchmark_group(ROWS[9]);
    g.bench_function("capwasi", |b| {
        b.iter_custom(|iters| one_at_a_time(iters, || pres.capwasi(fx)))
    });
    g.bench_function("wasmtime-wasi", |b| {
        b.iter_custom(|iters| one_at_a_time(iters, || pres.wasi(fx)))
    });
    g.bench_function("native", |b| {
        b.iter(|| {
            let status = std::process::Command::new("/bin/true").status().unwrap();
            assert!(status.success());
        })
    });
    g.finish();
}

/// Instantiation in paired rounds: criterion measures capwasi's function, then
/// wasmtime-wasi's, a few seconds apart, and at ~15 µs either one moves by 5–10 % between
/// runs of this machine, as much as the difference between them. Here each round times a
/// batch of each back to back (alternating which goes first), and the ratio of the two is
/// taken per round, so what the machine does meanwhile weighs on both alike.
fn paired_instantiation(pres: &Pres, fx: &Fixture) {
    const ROUNDS: usize = PAIRED_ROUNDS;
    const BATCH: u64 = PAIRED_BATCH;
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let capwasi = || one_at_a_time(BATCH, || pres.capwasi(fx));
        let wasi = || one_at_a_time(BATCH, || pres.wasi(fx));
        let (c, w) = if round % 2 == 0 {
            let c = capwasi();
            (c, wasi())
        } else {
            let w = wasi();
            (capwasi(), w)
        };
        ratios.push(c.as_secs_f64() / w.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let q = |f: f64| ratios[((ROUNDS - 1) as f64 * f).round() as usize];
    PAIRED_INSTANTIATION
        .set([q(0.25), q(0.5), q(0.75)])
        .expect("instantiation is measured once per run");
}

/// Rounds, and guests per host per round, of [`paired_instantiation`].
const PAIRED_ROUNDS: usize = 41;
const PAIRED_BATCH: u64 = 2000;

/// The quartiles and median of [`paired_instantiation`], printed under the table.
static PAIRED_INSTANTIATION: std::sync::OnceLock<[f64; 3]> = std::sync::OnceLock::new();

/// Times `iters` rounds of making a guest and calling its empty export; each guest is dropped
/// outside the timing, before the next round.
fn one_at_a_time<T: 'static>(iters: u64, mut make: impl FnMut() -> Guest<T>) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let mut guest = make();
        let (r, _) = guest.timed("nop", 0, 0);
        total += start.elapsed();
        assert_eq!(r, 0);
        drop(guest);
    }
    total
}

fn main() {
    let since = SystemTime::now();
    let fx = Fixture::new();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(30)
        .configure_from_args();
    benches(&mut c, &fx, since);
    c.final_summary();
    print_table(since);
}

fn print_table(since: SystemTime) {
    println!();
    println!(
        "| row | capwasi | wasmtime-wasi | native | capwasi ÷ wasmtime-wasi | capwasi ÷ native |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in ROWS {
        let [cap, wasi, native] =
            ["capwasi", "wasmtime-wasi", "native"].map(|f| median_ns(r, f, since));
        if cap.is_none() && wasi.is_none() && native.is_none() {
            continue; // filtered out of this run
        }
        let cell = |v: Option<f64>| v.map_or("–".to_string(), fmt_ns);
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "–".to_string(),
        };
        println!(
            "| {r} | {} | {} | {} | {} | {} |",
            cell(cap),
            cell(wasi),
            cell(native),
            ratio(cap, wasi),
            ratio(cap, native)
        );
    }
    if let (Some(by_name), Some(cap)) = (
        median_ns(ROWS[1], BY_NAME, since),
        median_ns(ROWS[1], "capwasi", since),
    ) {
        println!();
        println!(
            "{}: capwasi with the memory looked up by name (add_to_linker) {} (by index ÷ by \
             name: {:.2})",
            ROWS[1],
            fmt_ns(by_name),
            cap / by_name
        );
    }
    if let (Some(linear), Some(cap)) = (
        median_ns(ROWS[5], NATIVE_LINEAR, since),
        median_ns(ROWS[5], "capwasi", since),
    ) {
        println!();
        println!(
            "{}: native read(2) into wasm linear memory {} (capwasi ÷ that: {:.2})",
            ROWS[5],
            fmt_ns(linear),
            cap / linear
        );
    }
    if let Some([lo, median, hi]) = PAIRED_INSTANTIATION.get() {
        println!();
        println!(
            "{}: capwasi ÷ wasmtime-wasi in {PAIRED_ROUNDS} paired rounds of {PAIRED_BATCH}: \
             median {median:.2} (quartiles {lo:.2}–{hi:.2})",
            ROWS[9]
        );
    }
}
