//! Resource exhaustion (DESIGN.md §2.5): a guest that opens files in a loop, renumbers to huge
//! fds, asks readdir for huge buffers, polls 2^28 subscriptions and passes a megabyte path gets
//! errnos, stays usable, and the host's heap stays within a bound that does not depend on the
//! guest's numbers.
//!
//! The bound: no single call may grow the host heap by more than `CALL_HEAP_BOUND` (a little
//! more than the guest's 2 MiB memory, the most any guest-sized allocation may be), and all of
//! the attempts together leave nothing behind but the fd table's slots.

use std::os::fd::OwnedFd;

use capwasi::abi::Errno;
use capwasi::host::UnixSystem;
use capwasi::p1::add_to_linker;
use capwasi::table::Limits;
use wasmtime::{Engine, Linker, Module, Store};

#[path = "model/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

/// Most a single call may add to the host heap: the guest's whole memory (2 MiB) plus slack.
const CALL_HEAP_BOUND: usize = 4 << 20;

// One test function: the allocator counts every thread, so nothing may run beside it.
#[test]
fn exhaustion_attempts_get_errnos_within_a_heap_bound() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..50 {
        std::fs::write(tmp.path().join(format!("entry{i}")), b"x").unwrap();
    }
    let stdout = tempfile::tempfile().unwrap();

    let engine = Engine::default();
    let wat = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/guests/exhaust.wat");
    let module = Module::from_file(&engine, wat).unwrap();
    let mut linker: Linker<UnixSystem> = Linker::new(&engine);
    add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();

    let limits = Limits {
        max_open_files: 64,
        max_open_dirs: 4,
    };
    let mut sys = UnixSystem::new(limits);
    sys.set_args(vec![b"exhaust".to_vec(), b"arg".to_vec()])
        .unwrap();
    for _ in 0..3 {
        sys.push_fd(OwnedFd::from(stdout.try_clone().unwrap()))
            .unwrap();
    }
    sys.preopen_dir(tmp.path(), "/data", false).unwrap();
    let mut store = Store::new(&engine, sys);
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let mut call = |name: &str| -> (i32, usize) {
        let f = instance
            .get_typed_func::<(), i32>(&mut store, name)
            .unwrap();
        let before = counting_alloc::reset_peak();
        let errno = f
            .call(&mut store, ())
            .unwrap_or_else(|e| panic!("{name} trapped: {e:?}"));
        let grew = counting_alloc::peak().saturating_sub(before);
        assert!(
            grew <= CALL_HEAP_BOUND,
            "{name} grew the host heap by {grew} bytes"
        );
        (errno, grew)
    };

    let live_at_start = counting_alloc::live();
    let (errno, _) = call("open_loop");
    assert_eq!(
        errno,
        Errno::Nfile.raw() as i32,
        "open loop stops with ENFILE"
    );

    assert_eq!(call("renumber_huge").0, Errno::Badf.raw() as i32);
    assert_eq!(call("readdir_huge_oob").0, Errno::Fault.raw() as i32);
    assert_eq!(call("readdir_huge_ok").0, 0);
    assert_eq!(call("poll_huge").0, Errno::Fault.raw() as i32);
    // Garbage subscriptions: an unknown tag makes the call EINVAL.
    assert_eq!(call("poll_fits").0, Errno::Inval.raw() as i32);
    let (errno, _) = call("long_path");
    assert_eq!(errno, Errno::Nametoolong.raw() as i32, "1 MiB path");
    assert_eq!(call("args_oob").0, Errno::Fault.raw() as i32);
    assert_eq!(call("alive").0, 0);

    // 64 fds in all: 3 stdio + 1 preopen + 60 opened files.
    let opened = instance
        .get_global(&mut store, "opened")
        .unwrap()
        .get(&mut store);
    assert_eq!(opened.i32(), Some(60));

    // What the attempts left on the heap: fd table entries for the 60 files, a directory
    // stream buffer — kilobytes, not a function of the guest's numbers.
    let left = counting_alloc::live().saturating_sub(live_at_start);
    assert!(
        left < 1 << 20,
        "attempts left {left} bytes on the host heap"
    );
    drop(store);
}
