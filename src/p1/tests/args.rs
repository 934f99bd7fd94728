//! args/environ layouts, clocks, random, proc and sched.

use super::fake::Fake;
use super::{MEM, Mem, err};
use crate::abi::Errno;
use crate::p1::calls::*;

#[test]
fn args_sizes_and_layout() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    args_sizes_get(&mut sys, &mut m.0, 0, 4).unwrap();
    // "prog\0" "-x\0" "\0"
    assert_eq!((m.u32(0), m.u32(4)), (3, 9));

    m.0[100..112].fill(0xee);
    m.0[200..210].fill(0xee);
    args_get(&mut sys, &mut m.0, 100, 200).unwrap();
    assert_eq!((m.u32(100), m.u32(104), m.u32(108)), (200, 205, 208));
    assert_eq!(m.get(200, 10), b"prog\0-x\0\0\xee");
    assert_eq!(m.get(112, 4), &[0; 4]);
}

#[test]
fn environ_sizes_and_layout() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    environ_sizes_get(&mut sys, &mut m.0, 8, 12).unwrap();
    assert_eq!((m.u32(8), m.u32(12)), (2, 11));
    environ_get(&mut sys, &mut m.0, 64, 301).unwrap();
    assert_eq!((m.u32(64), m.u32(68)), (301, 305));
    assert_eq!(m.get(301, 11), b"A=1\0HOME=/\0");
}

#[test]
fn args_hostile_pointers() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    let top = MEM as u32;
    // Pointer array of 3 needs 12 bytes; the string buffer 9.
    assert_eq!(err(args_get(&mut sys, &mut m.0, top - 8, 0)), Errno::Fault);
    assert_eq!(err(args_get(&mut sys, &mut m.0, 0, top - 8)), Errno::Fault);
    assert_eq!(
        err(args_get(&mut sys, &mut m.0, u32::MAX - 3, 0)),
        Errno::Fault
    );
    assert_eq!(err(args_get(&mut sys, &mut m.0, 0, u32::MAX)), Errno::Fault);
    assert_eq!(err(args_get(&mut sys, &mut m.0, 2, 100)), Errno::Inval);
    assert_eq!(
        err(environ_get(&mut sys, &mut m.0, 0, top - 10)),
        Errno::Fault
    );
    // A fault writes nothing at all, not even the pointer array.
    assert!(m.0.iter().all(|&b| b == 0));
    assert_eq!(
        err(args_sizes_get(&mut sys, &mut m.0, top, 0)),
        Errno::Fault
    );
    assert_eq!(err(args_sizes_get(&mut sys, &mut m.0, 0, 6)), Errno::Inval);
    assert_eq!(
        err(environ_sizes_get(&mut sys, &mut m.0, 0, u32::MAX)),
        Errno::Fault
    );
    assert!(m.0.iter().all(|&b| b == 0));
    // Unaligned strings are fine: they are bytes.
    args_get(&mut sys, &mut m.0, 0, top - 9).unwrap();
    assert_eq!(m.get(top - 9, 9), b"prog\0-x\0\0");
}

#[test]
fn no_arguments_at_all() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    sys.args.clear();
    // Nothing to write: even pointers at the very end of memory are fine.
    args_get(&mut sys, &mut m.0, MEM as u32, MEM as u32).unwrap();
    args_sizes_get(&mut sys, &mut m.0, 0, 4).unwrap();
    assert_eq!((m.u32(0), m.u32(4)), (0, 0));
}

#[test]
fn clocks() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    clock_time_get(&mut sys, &mut m.0, 1, 5, 16).unwrap();
    assert_eq!(sys.last(), "clock_time_get(Monotonic,5)");
    assert_eq!(m.u64(16), 0x0123_4567_89ab_cdef);
    clock_res_get(&mut sys, &mut m.0, 0, 24).unwrap();
    assert_eq!(m.u64(24), 1000);

    let calls = sys.log.len();
    for id in [4, 0x100, u32::MAX] {
        assert_eq!(
            err(clock_time_get(&mut sys, &mut m.0, id, 0, 16)),
            Errno::Inval
        );
        assert_eq!(err(clock_res_get(&mut sys, &mut m.0, id, 16)), Errno::Inval);
    }
    assert_eq!(
        err(clock_time_get(&mut sys, &mut m.0, 0, 0, MEM as u32 - 4)),
        Errno::Fault
    );
    assert_eq!(
        err(clock_time_get(&mut sys, &mut m.0, 0, 0, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(
        err(clock_time_get(&mut sys, &mut m.0, 0, 0, 20)),
        Errno::Inval
    );
    assert_eq!(err(clock_res_get(&mut sys, &mut m.0, 0, 4)), Errno::Inval);
    assert_eq!(
        sys.log.len(),
        calls,
        "the host is not asked for a result it cannot deliver"
    );
}

#[test]
fn random_and_proc() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    random_get(&mut sys, &mut m.0, 7, 5).unwrap();
    assert_eq!(m.get(6, 7), &[0, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0]);
    random_get(&mut sys, &mut m.0, MEM as u32, 0).unwrap();
    assert_eq!(
        err(random_get(&mut sys, &mut m.0, MEM as u32 - 4, 5)),
        Errno::Fault
    );
    assert_eq!(
        err(random_get(&mut sys, &mut m.0, 16, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(
        err(random_get(&mut sys, &mut m.0, u32::MAX, 2)),
        Errno::Fault
    );

    sched_yield(&mut sys, &mut m.0).unwrap();
    assert_eq!(sys.last(), "sched_yield");
    assert_eq!(err(proc_raise(&mut sys, &mut m.0, 15)), Errno::Notsup);
    assert_eq!(sys.last(), "proc_raise(Term)");
    assert_eq!(err(proc_raise(&mut sys, &mut m.0, 31)), Errno::Inval);
    assert_eq!(err(proc_raise(&mut sys, &mut m.0, 0x10f)), Errno::Inval);
    assert_eq!(proc_exit(&mut sys, &mut m.0, 300), 300);
    assert_eq!(sys.exit_code, Some(300));
}
