//! Arbitrary sequences of raw preview 1 imports with arbitrary integer arguments against a
//! small guest memory, through the real ABI layer and the real Unix host (no engine).
//!
//! Checks: no panic; nothing outside the preopen changes; the fd table stays consistent
//! (within its limit, rights never beyond what the type allows); no call allocates more than
//! a bound independent of the guest's numbers.
#![no_main]

#[path = "../../tests/model/snapshot.rs"]
mod snapshot;

use arbitrary::{Result, Unstructured};
use capwasi::abi::{Errno, Rights};
use capwasi::host::UnixSystem;
use capwasi::p1::dispatch::{CALL_COUNT, call, name};
use capwasi::system::System;
use capwasi::table::Limits;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/model/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

const MEM: usize = 64 * 1024;
/// A call may allocate this much beyond what was live before it, whatever its arguments
/// (a readdir buffer, decoded subscriptions bounded by the memory size, error strings).
const CALL_HEAP_BOUND: usize = 4 << 20;

/// Guest strings placed in memory at fixed slots, so path calls see interesting paths.
const SLOTS: &[&str] = &[
    "a",
    "sub",
    "sub/f",
    "new",
    "l",
    "l/secret",
    "../outside/secret",
    "/etc/passwd",
    "sub/../..",
    "..",
    ".",
    "",
    "sub/",
    "a/",
    "dangling",
    "loop",
    "abs",
    "x\0y",
];
const SLOT_BASE: usize = 0x1000;
const SLOT_STRIDE: usize = 32;

fn arg(u: &mut Unstructured) -> Result<u64> {
    Ok(match u.int_in_range(0..=7)? {
        0 => u.int_in_range(0..=16)?,
        1 => (SLOT_BASE + SLOT_STRIDE * u.choose_index(SLOTS.len())?) as u64,
        2 => SLOTS[u.choose_index(SLOTS.len())?].len() as u64,
        3 => u.int_in_range(0..=MEM as u64)?,
        4 => (MEM as u64).wrapping_sub(u.int_in_range(0..=64)?),
        5 => *u.choose(&[
            0xffff_ffff,
            0x7fff_ffff,
            0x8000_0000,
            1 << 28,
            u64::MAX,
            1 << 63,
        ])?,
        6 => u.int_in_range(0..=4096)? * 8,
        _ => u.arbitrary()?,
    })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(base.join("outside/secret"), b"outside").unwrap();
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("a"), b"hello").unwrap();
    std::fs::write(root.join("sub/f"), b"inside").unwrap();
    std::os::unix::fs::symlink("../outside", root.join("l")).unwrap();
    std::os::unix::fs::symlink(base.join("outside/secret"), root.join("abs")).unwrap();
    std::os::unix::fs::symlink("nothere", root.join("dangling")).unwrap();
    std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
    let ro = base.join("ro");
    std::fs::create_dir_all(&ro).unwrap();
    std::fs::write(ro.join("a"), b"read only").unwrap();

    let outside = snapshot::snapshot(&base.join("outside"));
    let ro_before = snapshot::snapshot(&ro);

    let limits = Limits {
        max_open_files: 16,
        max_open_dirs: 4,
    };
    let mut sys = UnixSystem::new(limits);
    sys.set_args(vec![b"guest".to_vec(), b"arg".to_vec()])
        .unwrap();
    sys.set_env(vec![b"K=V".to_vec()]).unwrap();
    sys.preopen_dir(&root, "/root", false).unwrap();
    sys.preopen_dir(&ro, "/ro", true).unwrap();

    let mut mem = vec![0u8; MEM];
    for (i, s) in SLOTS.iter().enumerate() {
        let at = SLOT_BASE + SLOT_STRIDE * i;
        mem[at..at + s.len()].copy_from_slice(s.as_bytes());
    }

    for _ in 0..u.int_in_range(1..=32)? {
        // Let the input poke memory (iovecs, subscriptions, dirent buffers…).
        if u.ratio(1, 3)? {
            let at = u.int_in_range(0..=MEM - 1)?;
            let len = u.int_in_range(0..=64)?;
            let bytes = u.bytes(len)?;
            let n = bytes.len().min(MEM - at);
            mem[at..at + n].copy_from_slice(&bytes[..n]);
        }
        // The 46 preview 1 imports, then the WasmEdge socket extension (denied by the empty
        // network policy, but its decoding runs).
        let which = u.choose_index(CALL_COUNT)?;
        let mut a = [0u64; 9];
        for v in a.iter_mut() {
            *v = arg(u)?;
        }
        match name(which).unwrap_or_default() {
            // Clock subscriptions would sleep for as long as the input says: make every clock
            // an already-expired absolute deadline so a case cannot hang.
            "poll_oneoff" => {
                let (subs, n) = (a[0] as u32 as usize, (a[2] as u32 as usize).min(64));
                for i in 0..n {
                    let s = subs + i * 48;
                    if s + 48 <= MEM && mem[s + 8] == 0 {
                        mem[s + 24..s + 32].fill(0);
                        mem[s + 40] |= 1;
                    }
                }
            }
            // Reserving gigabytes of disk is not a sandbox question.
            "fd_allocate" if a[2] > 1 << 20 => continue,
            _ => {}
        }
        let before = counting_alloc::reset_peak();
        let _: std::result::Result<(), Errno> = call(&mut sys, &mut mem, which, &a);
        let peak = counting_alloc::peak() - before;
        assert!(
            peak <= CALL_HEAP_BOUND,
            "{} allocated {peak} bytes: {a:?}",
            name(which).unwrap_or_default()
        );
    }

    // The table is consistent: within its limit, rights within what each type allows.
    let mut open = 0;
    for fd in 0..1024 {
        if let Ok(st) = sys.fd_fdstat_get(fd) {
            open += 1;
            assert!(Rights::all().contains(st.rights_base));
        }
    }
    assert!(open <= limits.max_open_files);
    drop(sys);

    assert_eq!(
        snapshot::snapshot(&base.join("outside")),
        outside,
        "outside changed"
    );
    assert_eq!(
        snapshot::snapshot(&ro),
        ro_before,
        "read-only preopen changed"
    );
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
