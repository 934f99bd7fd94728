//! Clocks, `poll_oneoff` and `sched_yield`.

use super::CallResult;
use crate::abi::{Errno, Event, Subscription, SubscriptionKind};
use crate::p1::{decode, memory};
use crate::system::System;

/// `clock_res_get`: decodes the clock id, writes its resolution (a `u64`) to `out`.
pub fn clock_res_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    id: u32,
    out: u32,
) -> CallResult {
    let id = decode::clockid(id)?;
    memory::check(mem, out, 8, 8)?;
    let res = sys.clock_res_get(id)?;
    memory::write_u64(mem, out, res)
}

/// `clock_time_get`: decodes the clock id, writes its current time (a `u64`) to `out`.
pub fn clock_time_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    id: u32,
    precision: u64,
    out: u32,
) -> CallResult {
    let id = decode::clockid(id)?;
    memory::check(mem, out, 8, 8)?;
    let t = sys.clock_time_get(id, precision)?;
    memory::write_u64(mem, out, t)
}

/// `sched_yield`: passes straight to the host.
pub fn sched_yield<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8]) -> CallResult {
    sys.sched_yield()
}

/// Subscriptions handled without touching the heap; most programs poll one or two.
const ON_STACK: usize = 8;

const PLACEHOLDER: Subscription = Subscription {
    userdata: 0,
    kind: SubscriptionKind::FdRead(0),
};

/// `poll_oneoff(in, out, nsubscriptions, nevents)`.
///
/// Zero subscriptions would block forever, which preview 1 cannot express usefully: `EINVAL`,
/// as wasmtime answers. Both arrays are bounds-checked in full (sizes overflow-checked) before
/// anything is decoded, so the `Vec` used past 8 subscriptions is bounded by guest
/// memory. Subscriptions are decoded into host values before the host runs, so a guest whose
/// `in` and `out` arrays overlap sees well-defined results.
pub fn poll_oneoff<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    subs_ptr: u32,
    events_ptr: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> CallResult {
    if nsubscriptions == 0 {
        return Err(Errno::Inval);
    }
    let subs_size = nsubscriptions
        .checked_mul(Subscription::SIZE as u32)
        .ok_or(Errno::Fault)?;
    let events_size = nsubscriptions
        .checked_mul(Event::SIZE as u32)
        .ok_or(Errno::Fault)?;
    let subs_range = memory::check(mem, subs_ptr, subs_size, Subscription::ALIGN as u32)?;
    memory::check(mem, events_ptr, events_size, Event::ALIGN as u32)?;
    memory::check(mem, nevents, 4, 4)?;

    let n = nsubscriptions as usize;
    let raw = mem[subs_range].chunks_exact(Subscription::SIZE);
    let decode_one = |b: &[u8]| -> std::result::Result<Subscription, Errno> {
        Subscription::decode(b.try_into().map_err(|_| Errno::Fault)?)
    };
    let fired = if n <= ON_STACK {
        let mut subs = [PLACEHOLDER; ON_STACK];
        for (slot, b) in subs.iter_mut().zip(raw) {
            *slot = decode_one(b)?;
        }
        let mut events = [Event::for_subscription(&PLACEHOLDER); ON_STACK];
        let fired = sys.poll_oneoff(&subs[..n], &mut events[..n])?.min(n);
        write_events(mem, events_ptr, &events[..fired])?;
        fired
    } else {
        let subs = raw
            .map(decode_one)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut events = vec![Event::for_subscription(&PLACEHOLDER); n];
        let fired = sys.poll_oneoff(&subs, &mut events)?.min(n);
        write_events(mem, events_ptr, &events[..fired])?;
        fired
    };
    memory::write_u32(mem, nevents, fired as u32)
}

fn write_events(mem: &mut [u8], at: u32, events: &[Event]) -> CallResult {
    let mut ptr = at;
    for e in events {
        memory::write_array(mem, ptr, Event::ALIGN as u32, &e.encode())?;
        // Cannot wrap: the whole array was bounds-checked below 4 GiB.
        ptr = ptr.wrapping_add(Event::SIZE as u32);
    }
    Ok(())
}
