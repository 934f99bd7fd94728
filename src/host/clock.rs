//! Clocks, randomness, scheduling.

use rustix::time::{ClockId, Timespec};

use super::UnixSystem;
use crate::abi::{Clockid, Timestamp};
use crate::system::Result;

pub(crate) fn clock_id(id: Clockid) -> ClockId {
    match id {
        Clockid::Realtime => ClockId::Realtime,
        Clockid::Monotonic => ClockId::Monotonic,
        Clockid::ProcessCputimeId => ClockId::ProcessCPUTime,
        Clockid::ThreadCputimeId => ClockId::ThreadCPUTime,
    }
}

/// A `timespec` → nanoseconds, saturating (and 0 for anything before the epoch).
// `tv_nsec` is `i64` here but `c_long` on 32-bit hosts; the cast is identity or widening.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn ns(t: Timespec) -> Timestamp {
    super::stat::to_timestamp(t.tv_sec, t.tv_nsec as i64)
}

pub(crate) fn now(id: Clockid) -> Timestamp {
    ns(rustix::time::clock_gettime(clock_id(id)))
}

impl UnixSystem {
    pub(super) fn do_clock_res_get(&mut self, id: Clockid) -> Result<Timestamp> {
        // A resolution of 0 would make guests divide by zero; report at least 1ns.
        Ok(ns(rustix::time::clock_getres(clock_id(id))).max(1))
    }

    pub(super) fn do_clock_time_get(
        &mut self,
        id: Clockid,
        _precision: Timestamp,
    ) -> Result<Timestamp> {
        // The precision is a hint (spec: "maximum lag"); the host clock is always finer.
        Ok(now(id))
    }

    pub(super) fn do_random_get(&mut self, mut buf: &mut [u8]) -> Result<()> {
        // getrandom may fill less than asked (large requests, signals): loop until full.
        while !buf.is_empty() {
            match rustix::rand::getrandom(&mut *buf, rustix::rand::GetRandomFlags::empty()) {
                Ok(n) => buf = &mut buf[n..],
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
