//! `poll_oneoff`: clocks and fd readiness with one `poll(2)`.

use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;
use smallvec::SmallVec;

use super::{UnixSystem, clock};
use crate::abi::{
    Clockid, Errno, Event, Eventrwflags, Filetype, Rights, Subclockflags, Subscription,
    SubscriptionKind, Timestamp,
};
use crate::system::Result;

/// Per-call scratch space that stays on the stack for up to four subscriptions (the common
/// case is one), so a typical `poll_oneoff` makes no heap allocation; more spill to the heap,
/// bounded by the guest's memory that holds the subscriptions.
type Small<T> = SmallVec<[T; 4]>;

/// When a clock subscription fires, as a monotonic-clock instant in ns.
fn clock_deadline(
    id: Clockid,
    timeout: Timestamp,
    flags: Subclockflags,
    mono_now: u64,
) -> Result<u64> {
    let remaining = if flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
        match id {
            // Absolute times are on the subscription's own clock: convert to "time left",
            // saturating at 0 for deadlines already past.
            Clockid::Realtime | Clockid::Monotonic => timeout.saturating_sub(clock::now(id)),
            _ => return Err(Errno::Notsup),
        }
    } else {
        match id {
            Clockid::Realtime | Clockid::Monotonic => timeout,
            // CPU-time clocks do not advance while we sleep; there is nothing to wait on.
            // wasmtime refuses them too.
            _ => return Err(Errno::Notsup),
        }
    };
    Ok(mono_now.saturating_add(remaining))
}

/// What to do with one fd subscription.
enum FdWait {
    /// Answered without polling (regular file, or an error event).
    Done(Event),
    /// Index into the pollfd array.
    Poll(usize),
}

impl UnixSystem {
    pub(super) fn do_poll_oneoff(
        &mut self,
        subs: &[Subscription],
        events: &mut [Event],
    ) -> Result<usize> {
        if subs.is_empty() {
            // Spec: nsubscriptions 0 would wait forever; wasmtime answers EINVAL.
            return Err(Errno::Inval);
        }
        // Read the monotonic clock only for clock subscriptions: a poll of fds alone (the
        // common case) costs no clock reads.
        let mut mono_start: Option<u64> = None;
        let mut earliest: Option<u64> = None;
        let mut clocks: Small<(usize, Result<u64>)> = Small::new();
        let mut pollfds: Small<PollFd<'_>> = Small::new();
        let mut polled: Small<std::os::fd::BorrowedFd<'_>> = Small::new();
        let mut waits: Small<(usize, FdWait)> = Small::new();

        for (i, sub) in subs.iter().enumerate() {
            match sub.kind {
                SubscriptionKind::Clock(c) => {
                    let now = *mono_start.get_or_insert_with(|| clock::now(Clockid::Monotonic));
                    let d = clock_deadline(c.id, c.timeout, c.flags, now);
                    if let Ok(d) = d {
                        earliest = Some(earliest.map_or(d, |e| e.min(d)));
                    }
                    clocks.push((i, d));
                }
                SubscriptionKind::FdRead(fd) | SubscriptionKind::FdWrite(fd) => {
                    let read = matches!(sub.kind, SubscriptionKind::FdRead(_));
                    let mut ev = Event::for_subscription(sub);
                    let e = match self.table.get(fd, Rights::POLL_FD_READWRITE) {
                        Ok(e) => e,
                        Err(err) => {
                            ev.error = err;
                            waits.push((i, FdWait::Done(ev)));
                            continue;
                        }
                    };
                    if e.filetype == Filetype::RegularFile {
                        // Regular files never block: always ready. For reading, nbytes is
                        // what is left from the current position (0 if unknown).
                        if read {
                            let f = e.handle.as_fd();
                            let size = rustix::fs::fstat(f).map(|s| s.st_size as u64).unwrap_or(0);
                            let pos = rustix::fs::tell(f).unwrap_or(0);
                            ev.nbytes = size.saturating_sub(pos);
                        }
                        waits.push((i, FdWait::Done(ev)));
                        continue;
                    }
                    // RDHUP: a TCP peer that closed its side shows up as readable only;
                    // asking for RDHUP lets us report HANGUP for it, as for a closed pipe.
                    let want = if read {
                        PollFlags::IN | PollFlags::RDHUP
                    } else {
                        PollFlags::OUT
                    };
                    pollfds.push(PollFd::from_borrowed_fd(e.handle.as_fd(), want));
                    polled.push(e.handle.as_fd());
                    waits.push((i, FdWait::Poll(pollfds.len() - 1)));
                }
            }
        }

        let immediate = waits.iter().any(|(_, w)| matches!(w, FdWait::Done(_)))
            || clocks.iter().any(|(_, d)| d.is_err());
        // Wait until the earliest clock, or forever if there is none, or not at all if
        // something is already answered. Loop on EINTR with the time that is left.
        loop {
            let timeout_ns = if immediate {
                Some(0)
            } else {
                earliest.map(|d| d.saturating_sub(clock::now(Clockid::Monotonic)))
            };
            let ts = timeout_ns.map(|n| Timespec {
                tv_sec: (n / 1_000_000_000).min(i64::MAX as u64) as i64,
                tv_nsec: (n % 1_000_000_000) as _,
            });
            if pollfds.is_empty() && matches!(timeout_ns, None | Some(0)) {
                // Nothing to wait for or on (every subscription already answered), so no
                // syscall. (No timeout with no fds cannot happen — no subscriptions was refused
                // above — but never wait forever.)
                break;
            }
            match rustix::event::poll(&mut pollfds[..], ts.as_ref()) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }

        let mono_end = if clocks.is_empty() {
            0
        } else {
            clock::now(Clockid::Monotonic)
        };
        let mut out: Small<(usize, Event)> = Small::new();
        for (i, w) in waits {
            let sub = &subs[i];
            match w {
                FdWait::Done(ev) => out.push((i, ev)),
                FdWait::Poll(p) => {
                    let Some(pfd) = pollfds.get(p) else { continue };
                    let r = pfd.revents();
                    if r.is_empty() {
                        continue;
                    }
                    let mut ev = Event::for_subscription(sub);
                    if r.contains(PollFlags::NVAL) {
                        ev.error = Errno::Badf;
                    } else {
                        if r.intersects(PollFlags::HUP | PollFlags::RDHUP) {
                            ev.flags |= Eventrwflags::FD_READWRITE_HANGUP;
                        }
                        if matches!(sub.kind, SubscriptionKind::FdRead(_)) {
                            // Bytes ready to read where the kernel can say (pipes, sockets,
                            // ttys); 0 otherwise.
                            ev.nbytes = polled
                                .get(p)
                                .and_then(|f| rustix::io::ioctl_fionread(f).ok())
                                .unwrap_or(0);
                        }
                    }
                    out.push((i, ev));
                }
            }
        }
        for (i, d) in clocks {
            let mut ev = Event::for_subscription(&subs[i]);
            match d {
                Err(e) => ev.error = e,
                Ok(d) if d <= mono_end => {}
                Ok(_) => continue,
            }
            out.push((i, ev));
        }
        // Report in subscription order, at most one event per subscription slot. (Indices
        // are unique, so an unstable sort is exact, and it never allocates.)
        out.sort_unstable_by_key(|(i, _)| *i);
        let n = out.len().min(events.len());
        for (slot, (_, ev)) in events.iter_mut().zip(out) {
            *slot = ev;
        }
        Ok(n)
    }
}
