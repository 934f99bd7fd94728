//! `poll_oneoff`.

use super::fake::Fake;
use super::{MEM, Mem, err};
use crate::abi::{
    Clockid, Errno, Subclockflags, Subscription, SubscriptionClock, SubscriptionKind,
};
use crate::p1::calls::poll_oneoff;

const TOP: u32 = MEM as u32;

fn clock(userdata: u64) -> Subscription {
    Subscription {
        userdata,
        kind: SubscriptionKind::Clock(SubscriptionClock {
            id: Clockid::Monotonic,
            timeout: 1_000_000,
            precision: 0,
            flags: Subclockflags::empty(),
        }),
    }
}

fn put_subs(m: &mut Mem, at: u32, n: u32) {
    for i in 0..n {
        let sub = if i % 2 == 0 {
            clock(100 + i as u64)
        } else {
            Subscription {
                userdata: 100 + i as u64,
                kind: SubscriptionKind::FdRead(0),
            }
        };
        m.put(at + 48 * i, &sub.encode());
    }
}

#[test]
fn events_are_written_for_fired_subscriptions() {
    for n in [1u32, 2, 8, 9, 40] {
        let (mut sys, mut m) = (Fake::default(), Mem::new());
        put_subs(&mut m, 1024, n);
        m.0[8192..8192 + 32 * n as usize].fill(0xee);
        poll_oneoff(&mut sys, &mut m.0, 1024, 8192, n, 16).unwrap();
        assert_eq!(sys.last(), format!("poll_oneoff({n})"));
        assert_eq!(m.u32(16), n);
        for i in 0..n {
            let e = 8192 + 32 * i;
            assert_eq!(m.u64(e), 100 + i as u64, "userdata of event {i}");
            assert_eq!(m.u16(e + 8), 0, "error");
            assert_eq!(m.0[e as usize + 10], if i % 2 == 0 { 0 } else { 1 }, "type");
            assert_eq!(m.u64(e + 16), 7, "nbytes");
        }
    }
}

#[test]
fn only_fired_events_are_written() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    sys.fire = 1;
    put_subs(&mut m, 1024, 3);
    m.0[8192..8192 + 96].fill(0xee);
    poll_oneoff(&mut sys, &mut m.0, 1024, 8192, 3, 16).unwrap();
    assert_eq!(m.u32(16), 1);
    assert_eq!(m.u64(8192), 100);
    assert!(m.get(8192 + 32, 64).iter().all(|&b| b == 0xee));
}

#[test]
fn hostile() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    put_subs(&mut m, 1024, 2);
    let mem = &mut m.0;
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1024, 8192, 0, 16)),
        Errno::Inval
    );
    // 2^28 * 48 overflows u32; 0x7fffffff too; 1366 * 48 > 64 KiB.
    for n in [1 << 28, 0x7fff_ffff, u32::MAX, 1366] {
        assert_eq!(
            err(poll_oneoff(&mut sys, mem, 0, 0, n, 16)),
            Errno::Fault,
            "n = {n}"
        );
    }
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, TOP - 48, 8192, 2, 16)),
        Errno::Fault
    );
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1024, TOP - 32, 2, 16)),
        Errno::Fault
    );
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1024, 8192, 2, TOP)),
        Errno::Fault
    );
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1028, 8192, 2, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1024, 8196, 2, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(poll_oneoff(&mut sys, mem, 1024, 8192, 2, 18)),
        Errno::Inval
    );
    assert!(sys.log.is_empty());

    // Unknown event type, clock id, or clock flag in the second subscription.
    for (offset, value) in [(8, 3u8), (16, 4), (40, 2)] {
        let (mut sys, mut m) = (Fake::default(), Mem::new());
        put_subs(&mut m, 1024, 3);
        m.0[1024 + 96 + offset] = value;
        assert_eq!(
            err(poll_oneoff(&mut sys, &mut m.0, 1024, 8192, 3, 16)),
            Errno::Inval
        );
        assert!(sys.log.is_empty());
    }
}

#[test]
fn overlapping_in_and_out() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    put_subs(&mut m, 1024, 2);
    poll_oneoff(&mut sys, &mut m.0, 1024, 1024, 2, 16).unwrap();
    assert_eq!(m.u32(16), 2);
    assert_eq!((m.u64(1024), m.u64(1056)), (100, 101));
}
