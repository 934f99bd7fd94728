//! `wasi:io/poll`: what a pollable waits for, and `poll` over a list of them.
//!
//! Every kind of readiness maps onto one preview 1 `poll_oneoff` subscription, so a list of
//! pollables is answered by a single `poll_oneoff` (one `poll(2)` on the Unix host): fds wait
//! for reading or writing, deadlines are absolute monotonic-clock subscriptions, and a zero
//! relative clock turns the call into a non-blocking check.

use std::collections::HashMap;

use wasmtime::component::Resource;

use crate::abi::{
    Clockid, Errno, Event, Fd, Subclockflags, Subscription, SubscriptionClock, SubscriptionKind,
};
use crate::p2::bindings::wasi::io::poll::{Host, HostPollable};
use crate::p2::ctx::WasiP2;
use crate::system::System;

/// What a `pollable` waits for.
///
/// Constructed by the streams (`subscribe`) and by the monotonic clock
/// (`subscribe-instant`/`subscribe-duration` give a [`Pollable::MonotonicDeadline`]); put one
/// in the table with [`WasiP2::push_pollable`], which keeps a referenced fd open.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Pollable {
    /// Always ready: regular files and directories (their I/O never waits), and streams that
    /// are closed or failed (the next call reports that at once).
    Ready,
    /// Ready when `fd` has data to read, is at its end, or has an error.
    FdReadable(Fd),
    /// Ready when `fd` can take data without blocking, or has an error.
    FdWritable(Fd),
    /// Ready once the monotonic clock (preview 1's `Clockid::Monotonic`, in nanoseconds)
    /// reaches this instant.
    MonotonicDeadline(u64),
}

impl Pollable {
    /// The fd this pollable watches, if any (it must stay open while the pollable lives).
    pub fn fd(&self) -> Option<Fd> {
        match *self {
            Pollable::FdReadable(fd) | Pollable::FdWritable(fd) => Some(fd),
            Pollable::Ready | Pollable::MonotonicDeadline(_) => None,
        }
    }

    fn subscription(&self, userdata: u64) -> Option<Subscription> {
        let kind = match *self {
            Pollable::Ready => return None,
            Pollable::FdReadable(fd) => SubscriptionKind::FdRead(fd),
            Pollable::FdWritable(fd) => SubscriptionKind::FdWrite(fd),
            Pollable::MonotonicDeadline(at) => SubscriptionKind::Clock(SubscriptionClock {
                id: Clockid::Monotonic,
                timeout: at,
                precision: 0,
                flags: Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
            }),
        };
        Some(Subscription { userdata, kind })
    }
}

/// `userdata` of the zero timeout that makes a check non-blocking; indices of the list are
/// `u32`, so this one can never collide with them.
const NOW: u64 = u64::MAX;

/// The positions in `list` of the pollables that are ready. With `block`, waits until at
/// least one is; without, only looks.
///
/// One `poll_oneoff` per round: an fd error (a closed fd, a missing right) counts as ready,
/// since the stream operation that follows reports it. The scratch vectors are as long as
/// `list`, which wasmtime lifted from the guest's memory, so they are bounded by it.
pub(crate) fn ready_indices<S: System>(
    sys: &mut S,
    list: &[Pollable],
    block: bool,
) -> Result<Vec<u32>, Errno> {
    let mut ready: Vec<u32> = Vec::new();
    let mut subs: Vec<Subscription> = Vec::with_capacity(list.len() + 1);
    for (i, p) in list.iter().enumerate() {
        let i = u32::try_from(i).map_err(|_| Errno::Inval)?;
        match p.subscription(u64::from(i)) {
            Some(s) => subs.push(s),
            None => ready.push(i),
        }
    }
    if subs.is_empty() {
        return Ok(ready);
    }
    if !block || !ready.is_empty() {
        subs.push(Subscription {
            userdata: NOW,
            kind: SubscriptionKind::Clock(SubscriptionClock {
                id: Clockid::Monotonic,
                timeout: 0,
                precision: 0,
                flags: Subclockflags::empty(),
            }),
        });
    }
    let mut events: Vec<Event> = subs.iter().map(Event::for_subscription).collect();
    loop {
        let n = sys.poll_oneoff(&subs, &mut events)?;
        for ev in events.iter().take(n) {
            if ev.userdata != NOW
                && let Ok(i) = u32::try_from(ev.userdata)
            {
                ready.push(i);
            }
        }
        // A blocking wait ends with at least one ready; `poll_oneoff` may come back early
        // (a deadline rounded down), so go round again rather than report none.
        if !block || !ready.is_empty() {
            break;
        }
    }
    ready.sort_unstable();
    ready.dedup();
    Ok(ready)
}

/// Whether `fd` is ready for reading (`read`) or writing; with `block`, waits until it is.
/// An error (closed fd, missing right) counts as ready: the I/O call reports it.
pub(crate) fn fd_ready<S: System>(sys: &mut S, fd: Fd, read: bool, block: bool) -> bool {
    let p = if read {
        Pollable::FdReadable(fd)
    } else {
        Pollable::FdWritable(fd)
    };
    match ready_indices(sys, &[p], block) {
        Ok(r) => !r.is_empty(),
        Err(_) => true,
    }
}

impl<S: System> Host for WasiP2<S> {
    /// `poll`: the spec makes an empty list a trap (it would wait forever), and a list longer
    /// than `u32` can index one too.
    ///
    /// A list may name one pollable many times; each distinct pollable becomes one
    /// subscription, so the host's scratch space is bounded by the resource table
    /// ([`MAX_RESOURCES`](crate::p2::MAX_RESOURCES)) whatever the list's length, plus one
    /// `u32` per element (what the guest's memory already holds).
    fn poll(&mut self, list: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
        if list.is_empty() {
            wasmtime::bail!("wasi:io/poll.poll: the list of pollables is empty");
        }
        if u32::try_from(list.len()).is_err() {
            wasmtime::bail!("wasi:io/poll.poll: more pollables than a u32 can index");
        }
        let mut distinct: Vec<Pollable> = Vec::new();
        let mut slot_of_rep: HashMap<u32, u32> = HashMap::new();
        let mut slots: Vec<u32> = Vec::with_capacity(list.len());
        for r in &list {
            let slot = match slot_of_rep.get(&r.rep()) {
                Some(&slot) => slot,
                None => {
                    let p = *self.table.get(r)?;
                    // Bounded by the table's capacity, so it fits a u32.
                    let slot = distinct.len() as u32;
                    distinct.push(p);
                    slot_of_rep.insert(r.rep(), slot);
                    slot
                }
            };
            slots.push(slot);
        }
        let ready = ready_indices(&mut self.sys, &distinct, true)
            .map_err(|e| wasmtime::format_err!("wasi:io/poll.poll: poll_oneoff: {}", e.name()))?;
        // `ready` is sorted: a binary search per element.
        Ok(slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| ready.binary_search(slot).is_ok())
            .map(|(i, _)| i as u32)
            .collect())
    }
}

impl<S: System> HostPollable for WasiP2<S> {
    fn ready(&mut self, p: Resource<Pollable>) -> wasmtime::Result<bool> {
        let p = *self.table.get(&p)?;
        Ok(match ready_indices(&mut self.sys, &[p], false) {
            Ok(r) => !r.is_empty(),
            Err(_) => true,
        })
    }

    fn block(&mut self, p: Resource<Pollable>) -> wasmtime::Result<()> {
        let p = *self.table.get(&p)?;
        ready_indices(&mut self.sys, &[p], true)
            .map(|_| ())
            .map_err(|e| wasmtime::format_err!("wasi:io/poll.block: poll_oneoff: {}", e.name()))
    }

    fn drop(&mut self, p: Resource<Pollable>) -> wasmtime::Result<()> {
        let p = self.table.delete(p)?;
        if let Some(fd) = p.fd() {
            self.release(fd);
        }
        Ok(())
    }
}
