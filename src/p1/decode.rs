//! Scalar arguments as wasm passes them (an `i32` reinterpreted as `u32`) → WASI types.
//!
//! Every enum and flag set narrower than 32 bits must fit its witx width and name only known
//! values/bits; anything else is `EINVAL`. (Wiggle answers `EOVERFLOW` when the `i32` does not
//! fit the narrower type and `EINVAL` for unknown bits or values; both are a guest passing
//! garbage, and one errno is simpler for guests to handle, so we answer `EINVAL` for both.)
//! Rights are the exception: wasi-libc passes all-ones masks, so unknown bits are dropped.

use crate::abi::{
    Advice, Clockid, Errno, Fdflags, Fstflags, Lookupflags, Oflags, Riflags, Rights, Sdflags,
    Siflags, Signal, Whence,
};

type Result<T> = std::result::Result<T, Errno>;

fn u8_of(raw: u32) -> Result<u8> {
    u8::try_from(raw).map_err(|_| Errno::Inval)
}

fn u16_of(raw: u32) -> Result<u16> {
    u16::try_from(raw).map_err(|_| Errno::Inval)
}

/// `fdflags`: must fit a `u16` and name only known bits, else `EINVAL`.
pub fn fdflags(raw: u32) -> Result<Fdflags> {
    Fdflags::from_bits(u16_of(raw)?).ok_or(Errno::Inval)
}

/// `oflags`: must fit a `u16` and name only known bits, else `EINVAL`.
pub fn oflags(raw: u32) -> Result<Oflags> {
    Oflags::from_bits(u16_of(raw)?).ok_or(Errno::Inval)
}

/// `lookupflags` (a `u32`): unknown bits are `EINVAL`.
pub fn lookupflags(raw: u32) -> Result<Lookupflags> {
    Lookupflags::from_bits(raw).ok_or(Errno::Inval)
}

/// `fstflags`: must fit a `u16` and name only known bits, else `EINVAL`.
pub fn fstflags(raw: u32) -> Result<Fstflags> {
    Fstflags::from_bits(u16_of(raw)?).ok_or(Errno::Inval)
}

/// `riflags`: must fit a `u16` and name only known bits, else `EINVAL`.
pub fn riflags(raw: u32) -> Result<Riflags> {
    Riflags::from_bits(u16_of(raw)?).ok_or(Errno::Inval)
}

/// `siflags`: must fit a `u16` with no bits defined and name only known bits, else `EINVAL`.
pub fn siflags(raw: u32) -> Result<Siflags> {
    Siflags::from_bits(u16_of(raw)?).ok_or(Errno::Inval)
}

/// `sdflags`: must fit a `u8` and name only known bits, else `EINVAL`.
pub fn sdflags(raw: u32) -> Result<Sdflags> {
    Sdflags::from_bits(u8_of(raw)?).ok_or(Errno::Inval)
}

/// `rights` (a `u64`): never fails; unknown bits are dropped.
pub fn rights(raw: u64) -> Rights {
    Rights::from_bits_truncate(raw)
}

/// `whence`: must fit a `u8` and be a known value, else `EINVAL`.
pub fn whence(raw: u32) -> Result<Whence> {
    Whence::from_raw(u8_of(raw)?)
}

/// `advice`: must fit a `u8` and be a known value, else `EINVAL`.
pub fn advice(raw: u32) -> Result<Advice> {
    Advice::from_raw(u8_of(raw)?)
}

/// `signal`: must fit a `u8` and be a known value, else `EINVAL`.
pub fn signal(raw: u32) -> Result<Signal> {
    Signal::from_raw(u8_of(raw)?)
}

/// `clockid` (a `u32`): unknown clocks are `EINVAL`.
pub fn clockid(raw: u32) -> Result<Clockid> {
    Clockid::from_raw(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_unknown_bits() {
        assert_eq!(fdflags(0x1f), Ok(Fdflags::all()));
        assert_eq!(fdflags(0x20), Err(Errno::Inval));
        assert_eq!(fdflags(0x1_0000), Err(Errno::Inval));
        assert_eq!(oflags(0xf), Ok(Oflags::all()));
        assert_eq!(oflags(0x10), Err(Errno::Inval));
        assert_eq!(lookupflags(1), Ok(Lookupflags::SYMLINK_FOLLOW));
        assert_eq!(lookupflags(0x8000_0000), Err(Errno::Inval));
        assert_eq!(fstflags(0x10), Err(Errno::Inval));
        assert_eq!(riflags(3), Ok(Riflags::all()));
        assert_eq!(riflags(4), Err(Errno::Inval));
        assert_eq!(siflags(0), Ok(Siflags::empty()));
        assert_eq!(siflags(1), Err(Errno::Inval));
        assert_eq!(sdflags(3), Ok(Sdflags::all()));
        assert_eq!(sdflags(4), Err(Errno::Inval));
        assert_eq!(sdflags(0x100), Err(Errno::Inval));
        assert_eq!(rights(u64::MAX), Rights::all());
    }

    #[test]
    fn enums() {
        assert_eq!(whence(2), Ok(Whence::End));
        assert_eq!(whence(3), Err(Errno::Inval));
        assert_eq!(whence(0x100), Err(Errno::Inval));
        assert_eq!(advice(5), Ok(Advice::Noreuse));
        assert_eq!(advice(6), Err(Errno::Inval));
        assert_eq!(signal(30), Ok(Signal::Sys));
        assert_eq!(signal(31), Err(Errno::Inval));
        assert_eq!(signal(0x101), Err(Errno::Inval));
        assert_eq!(clockid(3), Ok(Clockid::ThreadCputimeId));
        assert_eq!(clockid(4), Err(Errno::Inval));
    }
}
