//! `wasi:clocks/wall-clock` and `wasi:clocks/monotonic-clock`: the system's preview 1
//! `clock_time_get`/`clock_res_get` on `REALTIME` and `MONOTONIC`, and deadline pollables that
//! `wasi:io/poll` waits for with one `poll_oneoff` clock subscription.
//!
//! Both interfaces promise values, not errors. The Unix host's clocks cannot fail, but a
//! [`System`] is any backend; if one does fail, the call traps with the errno rather than
//! invent a time.

use wasmtime::component::Resource;

use crate::abi::{Clockid, Errno};
use crate::p2::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use crate::p2::ctx::WasiP2;
use crate::p2::io::Pollable;
use crate::system::System;

/// Nanoseconds in a second.
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A preview 1 timestamp (nanoseconds since the Unix epoch) as a `datetime`.
fn datetime(nanos: u64) -> wall_clock::Datetime {
    wall_clock::Datetime {
        seconds: nanos / NANOS_PER_SEC,
        // ok: the remainder of a division by 10^9 fits in 32 bits.
        nanoseconds: (nanos % NANOS_PER_SEC) as u32,
    }
}

/// The trap for a clock the system could not read.
fn clock_failed(call: &str, errno: Errno) -> wasmtime::Error {
    wasmtime::format_err!("{call}: the host clock failed: {}", errno.name())
}

impl<S: System> WasiP2<S> {
    /// The monotonic clock now, in nanoseconds.
    fn monotonic_now(&mut self, call: &str) -> wasmtime::Result<u64> {
        self.sys
            .clock_time_get(Clockid::Monotonic, 0)
            .map_err(|e| clock_failed(call, e))
    }
}

impl<S: System> wall_clock::Host for WasiP2<S> {
    /// `now`: wall-clock time since 1970-01-01T00:00:00Z (`REALTIME`; may jump).
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let nanos = self
            .sys
            .clock_time_get(Clockid::Realtime, 0)
            .map_err(|e| clock_failed("wall-clock.now", e))?;
        Ok(datetime(nanos))
    }

    /// `resolution`: the wall clock's tick.
    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let nanos = self
            .sys
            .clock_res_get(Clockid::Realtime)
            .map_err(|e| clock_failed("wall-clock.resolution", e))?;
        Ok(datetime(nanos))
    }
}

impl<S: System> monotonic_clock::Host for WasiP2<S> {
    /// `now`: nanoseconds on a clock that never goes back (`MONOTONIC`).
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        self.monotonic_now("monotonic-clock.now")
    }

    /// `resolution`: the monotonic clock's tick, in nanoseconds.
    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        self.sys
            .clock_res_get(Clockid::Monotonic)
            .map_err(|e| clock_failed("monotonic-clock.resolution", e))
    }

    /// `subscribe-instant`: ready once the clock reaches `when` (at once if it already has).
    fn subscribe_instant(
        &mut self,
        when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<Pollable>> {
        self.push_pollable(Pollable::MonotonicDeadline(when))
    }

    /// `subscribe-duration`: ready `when` nanoseconds from now. A duration that overflows the
    /// clock saturates: the pollable is never ready, as for an instant that far ahead.
    fn subscribe_duration(
        &mut self,
        when: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<Pollable>> {
        let now = self.monotonic_now("monotonic-clock.subscribe-duration")?;
        self.push_pollable(Pollable::MonotonicDeadline(now.saturating_add(when)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::UnixSystem;
    use crate::p2::bindings::wasi::clocks::monotonic_clock::Host as Monotonic;
    use crate::p2::bindings::wasi::clocks::wall_clock::Host as Wall;
    use crate::p2::bindings::wasi::io::poll::{Host as _, HostPollable as _};
    use crate::table::Limits;

    fn ctx() -> WasiP2<UnixSystem> {
        WasiP2::new(UnixSystem::new(Limits::default()))
    }

    #[test]
    fn datetime_splits_nanoseconds() {
        let d = datetime(3 * NANOS_PER_SEC + 999_999_999);
        assert_eq!((d.seconds, d.nanoseconds), (3, 999_999_999));
        let d = datetime(u64::MAX);
        assert_eq!(d.seconds, u64::MAX / NANOS_PER_SEC);
        assert!(d.nanoseconds < 1_000_000_000);
    }

    #[test]
    fn wall_clock_is_the_host_realtime_clock() {
        let mut c = ctx();
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let now = Wall::now(&mut c).unwrap();
        let after = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let got = std::time::Duration::new(now.seconds, now.nanoseconds);
        assert!(
            before <= got && got <= after,
            "{before:?} {got:?} {after:?}"
        );
        let res = Wall::resolution(&mut c).unwrap();
        assert!(res.seconds > 0 || res.nanoseconds > 0, "zero resolution");
    }

    #[test]
    fn monotonic_clock_never_goes_back() {
        let mut c = ctx();
        let a = Monotonic::now(&mut c).unwrap();
        let b = Monotonic::now(&mut c).unwrap();
        assert!(b >= a);
        assert!(Monotonic::resolution(&mut c).unwrap() > 0);
    }

    #[test]
    fn deadlines_in_the_past_are_ready_and_far_ones_are_not() {
        let mut c = ctx();
        let now = Monotonic::now(&mut c).unwrap();
        let past = c.subscribe_instant(now.saturating_sub(1)).unwrap();
        assert!(c.ready(Resource::new_borrow(past.rep())).unwrap());
        let zero = c.subscribe_duration(0).unwrap();
        assert!(c.ready(Resource::new_borrow(zero.rep())).unwrap());
        // An hour ahead, and the overflowing duration (saturates to "never").
        let far = c.subscribe_duration(3600 * NANOS_PER_SEC).unwrap();
        assert!(!c.ready(Resource::new_borrow(far.rep())).unwrap());
        let never = c.subscribe_duration(u64::MAX).unwrap();
        assert!(!c.ready(Resource::new_borrow(never.rep())).unwrap());
        // `poll` on the list waits for the ready one only.
        let ready = c
            .poll(vec![
                Resource::new_borrow(far.rep()),
                Resource::new_borrow(zero.rep()),
            ])
            .unwrap();
        assert_eq!(ready, [1]);
    }

    #[test]
    fn a_short_duration_becomes_ready_when_blocked_on() {
        let mut c = ctx();
        let start = Monotonic::now(&mut c).unwrap();
        let p = c.subscribe_duration(2_000_000).unwrap();
        c.block(Resource::new_borrow(p.rep())).unwrap();
        // Not a timing assertion: block must not return before the deadline it waits for.
        assert!(Monotonic::now(&mut c).unwrap() >= start + 2_000_000);
    }
}
