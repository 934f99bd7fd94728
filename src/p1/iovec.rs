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

/// Validates an `(c)iovec_array` and calls `use_buf(ptr, len)` for each buffer to use, in
/// guest order: non-empty, at most [`MAX_IOVS`], their total capped at `u32::MAX`. Returns
/// how many it used. Every entry is bounds-checked, used or not.
#[inline(always)]
fn decode(
    mem: &[u8],
    iovs: u32,
    iovs_len: u32,
    mut use_buf: impl FnMut(usize, u32, u32) -> Result<()>,
) -> Result<usize> {
    if iovs_len > IOV_MAX {
        return Err(Errno::Inval);
    }
    // iovs_len <= 1024, so the byte size cannot overflow.
    let array_size = iovs_len * Iovec::SIZE as u32;
    let r = memory::check(mem, iovs, array_size, Iovec::ALIGN as u32)?;
    let mut n = 0;
    let mut budget = u32::MAX;
    for raw in mem[r].chunks_exact(Iovec::SIZE) {
        let raw: &[u8; Iovec::SIZE] = raw.try_into().map_err(|_| Errno::Fault)?;
        let iov = Iovec::decode(raw);
        memory::range(mem.len(), iov.buf, iov.buf_len)?;
        if iov.buf_len == 0 || n == MAX_IOVS || budget == 0 {
            continue;
        }
        let len = iov.buf_len.min(budget);
        budget -= len;
        use_buf(n, iov.buf, len)?;
        n += 1;
    }
    Ok(n)
}

// The decoded buffers live in the frame of `with_ciovecs`/`with_iovecs` and are handed to a
// closure rather than returned: returned by value, the arrays were copied (a `memcpy` call
// each) on every read and write, a visible share of a 1-byte `fd_write` in perf.

/// Decodes the `ciovec_array` at `iovs` with `iovs_len` entries and runs `f` on the write
/// buffers, borrowed from guest memory.
#[inline(always)]
pub fn with_ciovecs<R>(
    mem: &[u8],
    iovs: u32,
    iovs_len: u32,
    f: impl FnOnce(&[IoSlice<'_>]) -> Result<R>,
) -> Result<R> {
    let mut bufs = [IoSlice::new(&[]); MAX_IOVS];
    let n = decode(mem, iovs, iovs_len, |i, ptr, len| {
        bufs[i] = IoSlice::new(memory::slice(mem, ptr, len)?);
        Ok(())
    })?;
    f(&bufs[..n])
}

/// Decodes the `iovec_array` at `iovs` with `iovs_len` entries and runs `f` on the read
/// buffers, borrowed mutably and disjointly from guest memory.
#[inline(always)]
pub fn with_iovecs<R>(
    mem: &mut [u8],
    iovs: u32,
    iovs_len: u32,
    f: impl FnOnce(&mut [IoSliceMut<'_>]) -> Result<R>,
) -> Result<R> {
    let mut spans = [(0u32, 0u32); MAX_IOVS];
    let n = decode(mem, iovs, iovs_len, |i, ptr, len| {
        spans[i] = (ptr, len);
        Ok(())
    })?;
    let spans = &spans[..n];
    if let [(ptr, len)] = *spans {
        // One buffer, what nearly every read passes: nothing to sort or split.
        return f(&mut [IoSliceMut::new(memory::slice_mut(mem, ptr, len)?)]);
    }
    let mut bufs: [IoSliceMut<'_>; MAX_IOVS] = std::array::from_fn(|_| IoSliceMut::new(&mut []));
    let n = split_disjoint(mem, spans, &mut bufs)?;
    f(&mut bufs[..n])
}

/// Splits `mem` into the buffers `spans` names (in bounds), in guest order, into `bufs`;
/// returns how many. Read buffers become `&mut` slices, which must not alias: when any two
/// overlap, only the first is used (wasmtime's behaviour for every read).
fn split_disjoint<'m>(
    mem: &'m mut [u8],
    spans: &[(u32, u32)],
    bufs: &mut [IoSliceMut<'m>; MAX_IOVS],
) -> Result<usize> {
    let Some(&(first_ptr, first_len)) = spans.first() else {
        return Ok(0);
    };
    // Visit the buffers in address order to find overlaps and to split memory front to back.
    let mut order = [0u8; MAX_IOVS];
    for (i, o) in order.iter_mut().enumerate().take(spans.len()) {
        *o = i as u8;
    }
    let order = &mut order[..spans.len()];
    order.sort_unstable_by_key(|&i| spans[i as usize].0);
    let end = |i: u8| {
        let (p, l) = spans[i as usize];
        p as usize + l as usize
    };
    let overlap = order
        .windows(2)
        .any(|w| end(w[0]) > spans[w[1] as usize].0 as usize);
    if overlap {
        bufs[0] = IoSliceMut::new(memory::slice_mut(mem, first_ptr, first_len)?);
        return Ok(1);
    }

    let mut rest: &mut [u8] = mem;
    let mut base = 0usize;
    for &i in order.iter() {
        let (ptr, len) = spans[i as usize];
        // Cannot fail for bounds-checked, sorted, disjoint ranges; checked anyway so that a bug
        // here is an errno, not a host panic.
        let skip = (ptr as usize).checked_sub(base).ok_or(Errno::Fault)?;
        let (_, tail) = std::mem::take(&mut rest)
            .split_at_mut_checked(skip)
            .ok_or(Errno::Fault)?;
        let (buf, tail) = tail
            .split_at_mut_checked(len as usize)
            .ok_or(Errno::Fault)?;
        bufs[i as usize] = IoSliceMut::new(buf);
        rest = tail;
        base = ptr as usize + len as usize;
    }
    Ok(spans.len())
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

    /// The lengths of the write buffers `with_ciovecs` hands over.
    fn ciovecs(mem: &[u8], iovs: u32, n: u32) -> Result<Vec<usize>> {
        with_ciovecs(mem, iovs, n, |b| Ok(b.iter().map(|s| s.len()).collect()))
    }

    /// Fills the k-th read buffer `with_iovecs` hands over with `k + 1`; their lengths.
    fn iovecs(mem: &mut [u8], iovs: u32, n: u32) -> Result<Vec<usize>> {
        with_iovecs(mem, iovs, n, |b| {
            for (k, s) in b.iter_mut().enumerate() {
                s.fill(k as u8 + 1);
            }
            Ok(b.iter().map(|s| s.len()).collect())
        })
    }

    #[test]
    fn limits_and_faults() {
        let mut mem = vec![0u8; 256];
        assert_eq!(ciovecs(&mem, 0, 1025), Err(Errno::Inval));
        assert_eq!(ciovecs(&mem, 0, 0x7fff_ffff), Err(Errno::Inval));
        assert_eq!(iovecs(&mut mem, 0, u32::MAX), Err(Errno::Inval));
        assert_eq!(ciovecs(&mem, 2, 1), Err(Errno::Inval));
        assert_eq!(ciovecs(&mem, 252, 1), Err(Errno::Fault));
        assert_eq!(ciovecs(&mem, u32::MAX - 3, 1), Err(Errno::Fault));
        put_iovs(&mut mem, 0, &[(100, 10), (250, 7)]);
        assert_eq!(ciovecs(&mem, 0, 2), Err(Errno::Fault));
        assert_eq!(iovecs(&mut mem, 0, 2), Err(Errno::Fault));
        // An unused (empty) buffer is still bounds-checked.
        put_iovs(&mut mem, 0, &[(100, 10), (u32::MAX, 0)]);
        assert_eq!(ciovecs(&mem, 0, 2), Err(Errno::Fault));
        assert_eq!(iovecs(&mut mem, 0, 2), Err(Errno::Fault));
        // ptr + len wrapping past 4 GiB.
        put_iovs(&mut mem, 0, &[(0xffff_fff0, 0x20)]);
        assert_eq!(ciovecs(&mem, 0, 1), Err(Errno::Fault));
        assert_eq!(ciovecs(&mem, 0, 0), Ok(vec![]));
        assert_eq!(iovecs(&mut mem, 0, 0), Ok(vec![]));
    }

    #[test]
    fn write_buffers_skip_empty_and_cap_count() {
        let mut mem = vec![0u8; 2048];
        // Half of them empty: the non-empty ones, fewer than MAX_IOVS, are all used.
        let iovs: Vec<(u32, u32)> = (0..20).map(|k| (1024 + k, (k % 2) * 3)).collect();
        put_iovs(&mut mem, 0, &iovs);
        assert_eq!(ciovecs(&mem, 0, 20).unwrap(), vec![3; 10]);
        assert_eq!(ciovecs(&mem, 0, 2).unwrap(), vec![3]);
        let iovs: Vec<(u32, u32)> = (0..100).map(|_| (1024, 4)).collect();
        put_iovs(&mut mem, 0, &iovs);
        assert_eq!(ciovecs(&mem, 0, 100).unwrap().len(), MAX_IOVS);
    }

    #[test]
    fn write_buffers_point_at_the_guest_bytes() {
        let mut mem = vec![0u8; 256];
        mem[100..103].copy_from_slice(b"abc");
        mem[200..202].copy_from_slice(b"de");
        put_iovs(&mut mem, 0, &[(200, 2), (100, 3)]);
        let joined = with_ciovecs(&mem, 0, 2, |b| {
            Ok(b.iter()
                .flat_map(|s| s.iter().copied())
                .collect::<Vec<u8>>())
        });
        assert_eq!(joined.unwrap(), b"deabc");
    }

    #[test]
    fn the_closure_error_is_the_result() {
        let mem = vec![0u8; 64];
        assert_eq!(
            with_ciovecs(&mem, 0, 1, |_| Err::<(), _>(Errno::Io)),
            Err(Errno::Io)
        );
    }

    #[test]
    fn read_buffers_disjoint_are_split_in_guest_order() {
        let mut mem = vec![0u8; 256];
        put_iovs(&mut mem, 0, &[(200, 4), (100, 0), (120, 2), (124, 8)]);
        assert_eq!(iovecs(&mut mem, 0, 4).unwrap(), vec![4, 2, 8]);
        assert_eq!(&mem[200..204], &[1; 4]);
        assert_eq!(&mem[120..122], &[2; 2]);
        assert_eq!(&mem[122..124], &[0; 2]);
        assert_eq!(&mem[124..132], &[3; 8]);
    }

    #[test]
    fn read_buffers_overlapping_use_the_first() {
        let mut mem = vec![0u8; 256];
        put_iovs(&mut mem, 0, &[(0, 0), (100, 10), (105, 10)]);
        assert_eq!(iovecs(&mut mem, 0, 3).unwrap(), vec![10]);
        assert_eq!(&mem[100..110], &[1; 10]);
        assert_eq!(mem[110], 0);
        // The iovec array itself may be a read buffer: it was decoded before we split.
        put_iovs(&mut mem, 0, &[(0, 16)]);
        assert_eq!(iovecs(&mut mem, 0, 1).unwrap(), vec![16]);
        assert_eq!(&mem[..16], &[1; 16]);
    }
}
