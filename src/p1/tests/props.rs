//! Property: no import (preview 1 or the WasmEdge socket extension) panics, whatever its
//! arguments and whatever guest memory holds.

use proptest::prelude::*;

use super::fake::Fake;
use super::{MEM, Mem};
use crate::p1::dispatch::{CALL_COUNT, call};

/// Raw argument values biased towards the interesting: small numbers (valid fds, flags,
/// enum values), addresses inside and just around the 64 KiB memory, and extremes.
fn arg() -> impl Strategy<Value = u64> {
    prop_oneof![
        0u64..16,
        0u64..(MEM as u64 + 64),
        (MEM as u64 - 64)..(MEM as u64 + 8),
        Just(0x7fff_ffff),
        Just(0xffff_ffff),
        Just(1 << 28),
        any::<u32>().prop_map(u64::from),
        any::<u64>(),
    ]
}

/// Guest memory: mostly small words, so iovec arrays, subscription tags and flags are often
/// valid and the calls get past decoding.
fn memory() -> impl Strategy<Value = Vec<(u16, u32)>> {
    prop::collection::vec(
        (
            any::<u16>(),
            prop_oneof![0u32..64, 0u32..(MEM as u32), any::<u32>()],
        ),
        0..64,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn no_import_panics(which in 0..CALL_COUNT, args in prop::array::uniform9(arg()), words in memory()) {
        let mut m = Mem::new();
        for (at, v) in words {
            let at = u32::from(at) & !3;
            m.put_u32(at.min(MEM as u32 - 4), v);
        }
        // Also put the arguments themselves at low addresses, where small pointer arguments
        // land: iovecs and out-pointers then often name each other.
        for (k, a) in args.iter().enumerate() {
            m.put_u32(64 + 4 * k as u32, *a as u32);
        }
        let mut sys = Fake::default();
        let _ = call(&mut sys, &mut m.0, which, &args);
    }
}

#[test]
fn every_import_with_every_extreme() {
    let extremes = [
        0u64,
        1,
        3,
        8,
        0xffff,
        MEM as u64,
        0x7fff_ffff,
        0xffff_ffff,
        u64::MAX,
    ];
    for which in 0..CALL_COUNT {
        for &x in &extremes {
            for &y in &extremes {
                let mut m = Mem::new();
                let args = [x, y, x, y, x, y, x, y, x];
                let _ = call(&mut Fake::default(), &mut m.0, which, &args);
                let args = [3, x, y, 64, x, y, 0, x, 16];
                m.put_iovs(64, &[(1000, 10), (2000, 10)]);
                let _ = call(&mut Fake::default(), &mut m.0, which, &args);
            }
        }
    }
}
