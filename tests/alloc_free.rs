//! The hot paths allocate nothing: after one warm-up call each, many `fd_read`, `fd_write`,
//! `fd_pread`, `fd_pwrite`, `fd_seek`, `fd_tell`, `clock_time_get` and `poll_oneoff` (one
//! subscription) calls made by a wasm guest through the real linker perform zero heap
//! allocations — counted as calls to the allocator, not bytes, so an allocation freed within
//! the same call (a temporary `Vec`, a boxed error) is still caught.
//!
//! The warm-up exists because wasmtime fills some lazily-initialised state (the first call
//! through an imported function, the first export lookup) on first use; what matters for a
//! host call's cost is the steady state.

#[path = "model/counting_alloc.rs"]
mod counting_alloc;

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::os::fd::OwnedFd;

use capwasi::host::UnixSystem;
use capwasi::p1::{add_to_linker, add_to_linker_for_module};
use capwasi::table::Limits;
use wasmtime::{Engine, Instance, Linker, Module, Store};

/// Counts allocator calls (alloc, and realloc through its default `alloc`) per thread, then
/// defers to the shared byte-counting allocator. Per thread because the test harness runs
/// tests in parallel; a host call runs entirely on the thread that called into the guest.
struct CountCalls;

thread_local! {
    // `const` and without a destructor: reading it never allocates or registers anything,
    // which an allocator must not do.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn allocs_here() -> u64 {
    ALLOCS.with(Cell::get)
}

unsafe impl GlobalAlloc for CountCalls {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
        unsafe { counting_alloc::Counting.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { counting_alloc::Counting.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: CountCalls = CountCalls;

/// Guest memory layout (all offsets 8-aligned where the record needs it):
/// 0: iovec {buf 1024, len 16}; 16: size result; 24: timestamp / filesize result;
/// 64: one `subscription` (fd_read on fd 4, 48 bytes); 128: its `event` (32 bytes);
/// 160: nevents; 1024: the data buffer.
///
/// Each export runs its call `n` times and returns the bitwise OR of the errnos, so one
/// failing call shows up as non-zero.
const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec {buf = 1024, buf_len = 16}
  (data (i32.const 0) "\00\04\00\00\10\00\00\00")
  ;; subscription: userdata 7, tag 1 (fd_read), fd 4
  (data (i32.const 64) "\07\00\00\00\00\00\00\00\01")
  (data (i32.const 80) "\04\00\00\00")
  (data (i32.const 1024) "0123456789abcdef")

  (func (export "fd_read") (param $n i32) (result i32) (local $e i32)
    (loop $l
      ;; rewind so every read transfers bytes instead of hitting end of file
      (local.set $e (i32.or (local.get $e) (call $fd_seek (i32.const 4) (i64.const 0) (i32.const 0) (i32.const 24))))
      (local.set $e (i32.or (local.get $e) (call $fd_read (i32.const 4) (i32.const 0) (i32.const 1) (i32.const 16))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "fd_write") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "fd_pread") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_pread (i32.const 4) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 16))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "fd_pwrite") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_pwrite (i32.const 4) (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 16))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "fd_seek") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_seek (i32.const 4) (i64.const 3) (i32.const 0) (i32.const 24))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "fd_tell") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $fd_tell (i32.const 4) (i32.const 24))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "clock_time_get") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 24))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
  (func (export "poll_oneoff") (param $n i32) (result i32) (local $e i32)
    (loop $l
      (local.set $e (i32.or (local.get $e) (call $poll_oneoff (i32.const 64) (i32.const 128) (i32.const 1) (i32.const 160))))
      ;; the regular file is always readable: exactly one event must come back
      (if (i32.ne (i32.load (i32.const 160)) (i32.const 1)) (then (local.set $e (i32.const 999))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $e))
)
"#;

const CALLS: [&str; 8] = [
    "fd_read",
    "fd_write",
    "fd_pread",
    "fd_pwrite",
    "fd_seek",
    "fd_tell",
    "clock_time_get",
    "poll_oneoff",
];

/// Many calls per export: a per-call allocation cannot hide as a one-off.
const ITERATIONS: i32 = 1000;

fn setup(per_module: bool) -> (Store<UnixSystem>, Instance, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let data_path = dir.path().join("data");
    std::fs::write(&data_path, b"the quick brown fox jumps").unwrap();
    let data = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&data_path)
        .unwrap();

    let mut sys = UnixSystem::new(Limits::default());
    // fds 0, 1, 2: stdio as files, so writes land somewhere inspectable and nothing blocks.
    let stdout = tempfile::tempfile().unwrap();
    for f in [
        tempfile::tempfile().unwrap(),
        stdout.try_clone().unwrap(),
        tempfile::tempfile().unwrap(),
    ] {
        sys.push_fd(OwnedFd::from(f)).unwrap();
    }
    assert_eq!(sys.preopen_dir(dir.path(), "/sandbox", false).unwrap(), 3);
    assert_eq!(sys.push_fd(OwnedFd::from(data)).unwrap(), 4);

    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let mut linker: Linker<UnixSystem> = Linker::new(&engine);
    if per_module {
        add_to_linker_for_module(&mut linker, &module, |s: &mut UnixSystem| s).unwrap();
    } else {
        add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();
    }
    let mut store = Store::new(&engine, sys);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance, dir)
}

/// Runs each named export once (warm-up, must succeed), then `ITERATIONS` times under the
/// counter; returns the exports that allocated, with their allocation counts.
fn allocations(
    store: &mut Store<UnixSystem>,
    instance: &Instance,
    calls: &[&'static str],
) -> Vec<(&'static str, u64)> {
    let funcs: Vec<_> = calls
        .iter()
        .map(|name| {
            let f = instance
                .get_typed_func::<i32, i32>(&mut *store, name)
                .unwrap();
            (*name, f)
        })
        .collect();

    // Warm-up: one call of each, outside the measurement, and each must succeed.
    for (name, f) in &funcs {
        assert_eq!(f.call(&mut *store, 1).unwrap(), 0, "{name} failed");
    }

    let mut report = Vec::with_capacity(funcs.len());
    for (name, f) in &funcs {
        let before = allocs_here();
        let errno = f.call(&mut *store, ITERATIONS);
        let allocs = allocs_here() - before;
        assert_eq!(errno.unwrap(), 0, "{name} failed");
        report.push((*name, allocs));
    }
    report.retain(|(_, n)| *n > 0);
    report
}

#[test]
fn hot_paths_do_not_allocate() {
    // Both ways of finding the guest's memory: by name, and by the module's export index.
    for per_module in [false, true] {
        hot_paths_do_not_allocate_with(per_module);
    }
}

fn hot_paths_do_not_allocate_with(per_module: bool) {
    let (mut store, instance, _dir) = setup(per_module);
    let allocating = allocations(&mut store, &instance, &CALLS);
    assert!(
        allocating.is_empty(),
        "allocations during {ITERATIONS} calls (per-module linker: {per_module}): {allocating:?}"
    );

    // The calls did their work: 1 + ITERATIONS 16-byte writes went to stdout.
    let out = store.data_mut().fd_filestat_get_size(1);
    assert_eq!(out, 16 * (1 + ITERATIONS as u64));
}

/// Size of a guest fd's file, through the `System` interface the guest used.
trait FileSize {
    fn fd_filestat_get_size(&mut self, fd: u32) -> u64;
}

impl FileSize for UnixSystem {
    fn fd_filestat_get_size(&mut self, fd: u32) -> u64 {
        use capwasi::system::System;
        self.fd_filestat_get(fd).unwrap().size
    }
}
