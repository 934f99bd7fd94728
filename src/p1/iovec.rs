//! `iovec`/`ciovec` arrays in guest memory → `IoSliceMut`/`IoSlice` over that memory, with no
//! heap allocation.
//!
//! - `iovs_len` above [`IOV_MAX`] (1024, Linux's `UIO_MAXIOV`) is `EINVAL`, as `readv(2)` says.
//! - The array itself must be in bounds (`EFAULT`) and 4-aligned (`EINVAL`, see `memory`), and
//!   so must every buffer it names, used or not (`EFAULT`).
//! - Only the first [`MAX_IOVS`] non-empty buffers are used, and their total is capped at
//!   `u32::MAX` so the byte count fits the `size` result. Transferring less than asked is a
//!   legal short read/write (POSIX), and wasmtime-wasi itself uses only the first non-empty
//!   buffer.
//! - Read buffers become `&mut` slices, which must not alias. When the guest's buffers are
//!   pairwise disjoint we split memory into them; when any two overlap we use only the first
//!   non-empty buffer (wasmtime's behaviour for every read).

use std::io::{IoSlice, IoSliceMut};

use super::memory::{self, Result};
use crate::abi::{Errno, Iovec};

/// Most entries an iovec array may have.
pub const IOV_MAX: u32 = 1024;
/// Most buffers handed to one host call. Small on purpose: the decoded arrays live on the
/// stack of every read and write, and at 64 their initialisation and moves were a fifth of a
/// 1-byte `fd_write` (perf); wasi-libc's stdio passes two, and fewer than asked is a legal
/// short transfer.
pub const MAX_IOVS: usize = 16;

/// The validated buffers to use: `(ptr, len)`, non-empty, in guest order.
struct Decoded {
    bufs: [(u32, u32); MAX_IOVS],
    n: usize,
}

#[inline]
fn decode(mem: &[u8], iovs: u32, iovs_len: u32) -> Result<Decoded> {
    if iovs_len > IOV_MAX {
        return Err(Errno::Inval);
    }
    // iovs_len <= 1024, so the byte size cannot overflow.
    let array_size = iovs_len * Iovec::SIZE as u32;
    let r = memory::check(mem, iovs, array_size, Iovec::ALIGN as u32)?;
    let mut out = Decoded {
        bufs: [(0, 0); MAX_IOVS],
        n: 0,
    };
    let mut budget = u32::MAX;
    for raw in mem[r].chunks_exact(Iovec::SIZE) {
        let raw: &[u8; Iovec::SIZE] = raw.try_into().map_err(|_| Errno::Fault)?;
        let iov = Iovec::decode(raw);
        memory::range(mem.len(), iov.buf, iov.buf_len)?;
        if iov.buf_len == 0 || out.n == MAX_IOVS || budget == 0 {
            continue;
        }
        let len = iov.buf_len.min(budget);
        budget -= len;
        out.bufs[out.n] = (iov.buf, len);
        out.n += 1;
    }
    Ok(out)
}

/// Write buffers (`ciovec_array`), borrowed from guest memory.
pub struct Ciovecs<'a> {
    bufs: [IoSlice<'a>; MAX_IOVS],
    n: usize,
}

impl<'a> Ciovecs<'a> {
    /// The buffers, for a vectored write.
    pub fn as_slice(&self) -> &[IoSlice<'a>] {
        &self.bufs[..self.n]
    }
}

/// Decodes a `ciovec_array` at `iovs` with `iovs_len` entries.
#[inline]
pub fn ciovecs(mem: &[u8], iovs: u32, iovs_len: u32) -> Result<Ciovecs<'_>> {
    let d = decode(mem, iovs, iovs_len)?;
    let mut out = Ciovecs {
        bufs: [IoSlice::new(&[]); MAX_IOVS],
        n: d.n,
    };
    for (slot, &(ptr, len)) in out.bufs.iter_mut().zip(&d.bufs[..d.n]) {
        *slot = IoSlice::new(memory::slice(mem, ptr, len)?);
    }
    Ok(out)
}

/// Read buffers (`iovec_array`), borrowed mutably and disjointly from guest memory.
pub struct Iovecs<'a> {
    bufs: [IoSliceMut<'a>; MAX_IOVS],
    n: usize,
}

impl<'a> Iovecs<'a> {
    /// The buffers, for a vectored read.
    pub fn as_mut_slice(&mut self) -> &mut [IoSliceMut<'a>] {
        &mut self.bufs[..self.n]
    }

    /// Total bytes the buffers can hold.
    pub fn capacity(&self) -> usize {
        self.bufs[..self.n].iter().map(|b| b.len()).sum()
    }
}

/// Decodes an `iovec_array` at `iovs` with `iovs_len` entries.
#[inline]
pub fn iovecs(mem: &mut [u8], iovs: u32, iovs_len: u32) -> Result<Iovecs<'_>> {
    let d = decode(mem, iovs, iovs_len)?;
    let mut out = Iovecs {
        bufs: std::array::from_fn(|_| IoSliceMut::new(&mut [])),
        n: 0,
    };
    if d.n == 0 {
        return Ok(out);
    }

    // Visit the buffers in address order to find overlaps and to split memory front to back.
    let mut order = [0u8; MAX_IOVS];
    for (i, o) in order.iter_mut().enumerate().take(d.n) {
        *o = i as u8;
    }
    let order = &mut order[..d.n];
    order.sort_unstable_by_key(|&i| d.bufs[i as usize].0);
    let end = |i: u8| {
        let (p, l) = d.bufs[i as usize];
        p as usize + l as usize
    };
    let overlap = order
        .windows(2)
        .any(|w| end(w[0]) > d.bufs[w[1] as usize].0 as usize);
    if overlap {
        let (ptr, len) = d.bufs[0];
        out.bufs[0] = IoSliceMut::new(memory::slice_mut(mem, ptr, len)?);
        out.n = 1;
        return Ok(out);
    }

    let mut rest: &mut [u8] = mem;
    let mut base = 0usize;
    for &i in order.iter() {
        let (ptr, len) = d.bufs[i as usize];
        // Cannot fail for bounds-checked, sorted, disjoint ranges; checked anyway so that a bug
        // here is an errno, not a host panic.
        let skip = (ptr as usize).checked_sub(base).ok_or(Errno::Fault)?;
        let (_, tail) = std::mem::take(&mut rest)
            .split_at_mut_checked(skip)
            .ok_or(Errno::Fault)?;
        let (buf, tail) = tail
            .split_at_mut_checked(len as usize)
            .ok_or(Errno::Fault)?;
        out.bufs[i as usize] = IoSliceMut::new(buf);
        rest = tail;
        base = ptr as usize + len as usize;
    }
    out.n = d.n;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put_iovs(mem: &mut [u8], at: usize, iovs: &[(u32, u32)]) {
        for (k, &(p, l)) in iovs.iter().enumerate() {
            let o = at + k * 8;
            mem[o..o + 4].copy_from_slice(&p.to_le_bytes());
            mem[o + 4..o + 8].copy_from_slice(&l.to_le_bytes());
        }
    }

    #[test]
    fn limits_and_faults() {
        let mut mem = vec![0u8; 256];
        assert_eq!(ciovecs(&mem, 0, 1025).err(), Some(Errno::Inval));
        assert_eq!(ciovecs(&mem, 0, 0x7fff_ffff).err(), Some(Errno::Inval));
        assert_eq!(iovecs(&mut mem, 0, u32::MAX).err(), Some(Errno::Inval));
        assert_eq!(ciovecs(&mem, 2, 1).err(), Some(Errno::Inval));
        assert_eq!(ciovecs(&mem, 252, 1).err(), Some(Errno::Fault));
        assert_eq!(ciovecs(&mem, u32::MAX - 3, 1).err(), Some(Errno::Fault));
        put_iovs(&mut mem, 0, &[(100, 10), (250, 7)]);
        assert_eq!(ciovecs(&mem, 0, 2).err(), Some(Errno::Fault));
        assert_eq!(iovecs(&mut mem, 0, 2).err(), Some(Errno::Fault));
        // An unused (empty) buffer is still bounds-checked.
        put_iovs(&mut mem, 0, &[(100, 10), (u32::MAX, 0)]);
        assert_eq!(ciovecs(&mem, 0, 2).err(), Some(Errno::Fault));
        // ptr + len wrapping past 4 GiB.
        put_iovs(&mut mem, 0, &[(0xffff_fff0, 0x20)]);
        assert_eq!(ciovecs(&mem, 0, 1).err(), Some(Errno::Fault));
        assert_eq!(ciovecs(&mem, 0, 0).map(|c| c.as_slice().len()), Ok(0));
    }

    #[test]
    fn write_buffers_skip_empty_and_cap_count() {
        let mut mem = vec![0u8; 2048];
        // Half of them empty: the non-empty ones, fewer than MAX_IOVS, are all used.
        let iovs: Vec<(u32, u32)> = (0..20).map(|k| (1024 + k, (k % 2) * 3)).collect();
        put_iovs(&mut mem, 0, &iovs);
        let c = ciovecs(&mem, 0, 20).unwrap();
        assert_eq!(c.as_slice().len(), 10);
        let c = ciovecs(&mem, 0, 2).unwrap();
        assert_eq!(c.as_slice().len(), 1);
        assert_eq!(c.as_slice()[0].len(), 3);
        let iovs: Vec<(u32, u32)> = (0..100).map(|_| (1024, 4)).collect();
        put_iovs(&mut mem, 0, &iovs);
        assert_eq!(ciovecs(&mem, 0, 100).unwrap().as_slice().len(), MAX_IOVS);
    }

    #[test]
    fn read_buffers_disjoint_are_split_in_guest_order() {
        let mut mem = vec![0u8; 256];
        put_iovs(&mut mem, 0, &[(200, 4), (100, 0), (120, 2), (124, 8)]);
        let mut v = iovecs(&mut mem, 0, 4).unwrap();
        assert_eq!(v.capacity(), 14);
        let bufs = v.as_mut_slice();
        assert_eq!(bufs.len(), 3);
        bufs[0].fill(1);
        bufs[1].fill(2);
        bufs[2].fill(3);
        assert_eq!(&mem[200..204], &[1; 4]);
        assert_eq!(&mem[120..122], &[2; 2]);
        assert_eq!(&mem[122..124], &[0; 2]);
        assert_eq!(&mem[124..132], &[3; 8]);
    }

    #[test]
    fn read_buffers_overlapping_use_the_first() {
        let mut mem = vec![0u8; 256];
        put_iovs(&mut mem, 0, &[(0, 0), (100, 10), (105, 10)]);
        let mut v = iovecs(&mut mem, 0, 3).unwrap();
        let bufs = v.as_mut_slice();
        assert_eq!(bufs.len(), 1);
        assert_eq!(bufs[0].len(), 10);
        bufs[0].fill(7);
        assert_eq!(&mem[100..110], &[7; 10]);
        assert_eq!(mem[110], 0);
        // The iovec array itself may be a read buffer: it was decoded before we split.
        put_iovs(&mut mem, 0, &[(0, 16)]);
        let mut v = iovecs(&mut mem, 0, 1).unwrap();
        v.as_mut_slice()[0].fill(9);
        assert_eq!(&mem[..16], &[9; 16]);
    }
}
