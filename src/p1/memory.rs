//! Bounds-checked access to a guest's linear memory, seen as a plain `&[u8]` / `&mut [u8]`.
//!
//! Every guest pointer is hostile. The rules, in the order they are checked:
//! 1. `ptr + len` must not wrap past 4 GiB (wasm32 addresses are `u32`) and must lie inside the
//!    memory: otherwise `EFAULT`. (wasmtime-wasi 48 traps here, following the witx-docs
//!    "shall trap"; we answer `EFAULT` as DESIGN.md §2.5 asks, like the legacy `wasi-common`.)
//! 2. A pointer to a record or integer wider than a byte must be aligned to that type's
//!    alignment: otherwise `EINVAL`. This is what wiggle's `PtrNotAligned` became in
//!    `wasi-common` (wasmtime-wasi 48 traps instead). Wiggle checks bounds before alignment,
//!    so a pointer that is both out of bounds and misaligned is `EFAULT`.
//!
//! All multi-byte values are little-endian, as wasm memory is.

use crate::abi::Errno;
use std::ops::Range;

/// Result of a memory access.
pub type Result<T> = std::result::Result<T, Errno>;

/// The byte range `[ptr, ptr + len)` if it lies inside a memory of `mem_len` bytes.
pub fn range(mem_len: usize, ptr: u32, len: u32) -> Result<Range<usize>> {
    // Wrapping past 4 GiB is a fault even where the host's usize would not overflow: a wasm32
    // address cannot name byte 2^32.
    let end = ptr.checked_add(len).ok_or(Errno::Fault)?;
    let (start, end) = (ptr as usize, end as usize);
    if end > mem_len {
        return Err(Errno::Fault);
    }
    Ok(start..end)
}

/// Checks that a `size`-byte value with alignment `align` can live at `ptr`.
pub fn check(mem: &[u8], ptr: u32, size: u32, align: u32) -> Result<Range<usize>> {
    let r = range(mem.len(), ptr, size)?;
    if align > 1 && !ptr.is_multiple_of(align) {
        return Err(Errno::Inval);
    }
    Ok(r)
}

/// The guest bytes `[ptr, ptr + len)`.
pub fn slice(mem: &[u8], ptr: u32, len: u32) -> Result<&[u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mem[r])
}

/// The guest bytes `[ptr, ptr + len)`, writable.
pub fn slice_mut(mem: &mut [u8], ptr: u32, len: u32) -> Result<&mut [u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mut mem[r])
}

/// A guest `string` (pointer + byte length, no NUL): UTF-8 as witx requires, else `EILSEQ`.
pub fn str(mem: &[u8], ptr: u32, len: u32) -> Result<&str> {
    std::str::from_utf8(slice(mem, ptr, len)?).map_err(|_| Errno::Ilseq)
}

/// Reads `N` bytes at an `align`-aligned pointer.
pub fn read_array<const N: usize>(mem: &[u8], ptr: u32, align: u32) -> Result<[u8; N]> {
    let r = check(mem, ptr, N as u32, align)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&mem[r]);
    Ok(out)
}

/// Writes `bytes` (a record or integer) at an `align`-aligned pointer.
pub fn write_array<const N: usize>(
    mem: &mut [u8],
    ptr: u32,
    align: u32,
    bytes: &[u8; N],
) -> Result<()> {
    let r = check(mem, ptr, N as u32, align)?;
    mem[r].copy_from_slice(bytes);
    Ok(())
}

/// Copies a byte string into guest memory (no alignment: witx `pointer u8`).
pub fn write_bytes(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
    slice_mut(mem, ptr, len)?.copy_from_slice(bytes);
    Ok(())
}

/// Reads a little-endian `u32` at a 4-aligned pointer.
pub fn read_u32(mem: &[u8], ptr: u32) -> Result<u32> {
    read_array::<4>(mem, ptr, 4).map(u32::from_le_bytes)
}

/// Reads a little-endian `u64` at an 8-aligned pointer.
pub fn read_u64(mem: &[u8], ptr: u32) -> Result<u64> {
    read_array::<8>(mem, ptr, 8).map(u64::from_le_bytes)
}

/// Writes a byte at `ptr`.
pub fn write_u8(mem: &mut [u8], ptr: u32, v: u8) -> Result<()> {
    write_array(mem, ptr, 1, &[v])
}

/// Writes a little-endian `u16` at a 2-aligned pointer.
pub fn write_u16(mem: &mut [u8], ptr: u32, v: u16) -> Result<()> {
    write_array(mem, ptr, 2, &v.to_le_bytes())
}

/// Writes a little-endian `u32` at a 4-aligned pointer.
pub fn write_u32(mem: &mut [u8], ptr: u32, v: u32) -> Result<()> {
    write_array(mem, ptr, 4, &v.to_le_bytes())
}

/// Writes a little-endian `u64` at an 8-aligned pointer.
pub fn write_u64(mem: &mut [u8], ptr: u32, v: u64) -> Result<()> {
    write_array(mem, ptr, 8, &v.to_le_bytes())
}

/// A path that borrows guest memory next to a writable output buffer in the same memory.
///
/// `path_readlink` reads a path and writes into a buffer; both live in guest memory. When the
/// two regions are disjoint we split the memory; when the guest made them overlap (legal but
/// odd) we copy the path out first, which allocates at most the path's length — bounded by
/// guest memory because it was bounds-checked.
pub fn str_and_slice_mut(
    mem: &mut [u8],
    path_ptr: u32,
    path_len: u32,
    buf_ptr: u32,
    buf_len: u32,
) -> Result<(std::borrow::Cow<'_, str>, &mut [u8])> {
    let p = range(mem.len(), path_ptr, path_len)?;
    let b = range(mem.len(), buf_ptr, buf_len)?;
    let disjoint = p.end <= b.start || b.end <= p.start || p.is_empty() || b.is_empty();
    if !disjoint {
        let path = std::str::from_utf8(&mem[p])
            .map_err(|_| Errno::Ilseq)?
            .to_owned();
        return Ok((path.into(), &mut mem[b]));
    }
    // Empty ranges may sit anywhere (even inside the other); give them their own empty slice.
    if p.is_empty() {
        return Ok(("".into(), &mut mem[b]));
    }
    if b.is_empty() {
        let path = std::str::from_utf8(&mem[p]).map_err(|_| Errno::Ilseq)?;
        return Ok((path.into(), &mut []));
    }
    if p.end <= b.start {
        let (lo, hi) = mem.split_at_mut(b.start);
        let path = std::str::from_utf8(&lo[p]).map_err(|_| Errno::Ilseq)?;
        Ok((path.into(), &mut hi[..b.end - b.start]))
    } else {
        let (lo, hi) = mem.split_at_mut(p.start);
        let path = std::str::from_utf8(&hi[..p.end - p.start]).map_err(|_| Errno::Ilseq)?;
        Ok((path.into(), &mut lo[b]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_wrapping() {
        let mem = [0u8; 16];
        assert_eq!(range(16, 0, 16), Ok(0..16));
        assert_eq!(range(16, 16, 0), Ok(16..16));
        assert_eq!(range(16, 17, 0), Err(Errno::Fault));
        assert_eq!(range(16, 8, 9), Err(Errno::Fault));
        assert_eq!(range(16, u32::MAX, 2), Err(Errno::Fault));
        assert_eq!(range(usize::MAX, u32::MAX, 1), Err(Errno::Fault));
        assert_eq!(slice(&mem, 4, 4).map(|s| s.len()), Ok(4));
        assert_eq!(read_u32(&mem, 13), Err(Errno::Fault));
    }

    #[test]
    fn alignment_after_bounds() {
        let mut mem = [0u8; 16];
        assert_eq!(write_u32(&mut mem, 2, 1), Err(Errno::Inval));
        assert_eq!(write_u64(&mut mem, 4, 1), Err(Errno::Inval));
        // Out of bounds and misaligned: bounds win.
        assert_eq!(write_u64(&mut mem, 12, 1), Err(Errno::Fault));
        assert_eq!(write_u16(&mut mem, 14, 0x0102), Ok(()));
        assert_eq!(&mem[14..], &[2, 1]);
        assert_eq!(write_u8(&mut mem, 15, 9), Ok(()));
        write_u64(&mut mem, 8, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(read_u64(&mem, 8), Ok(0x1122_3344_5566_7788));
    }

    #[test]
    fn strings() {
        let mut mem = *b"hello\xff\xfe....";
        assert_eq!(str(&mem, 0, 5), Ok("hello"));
        assert_eq!(str(&mem, 0, 6), Err(Errno::Ilseq));
        assert_eq!(str(&mem, 10, 10), Err(Errno::Fault));
        assert_eq!(write_bytes(&mut mem, 7, b"abcd"), Ok(()));
        assert_eq!(write_bytes(&mut mem, 8, b"abcd"), Err(Errno::Fault));
    }

    #[test]
    fn path_and_buffer_split() {
        let mut mem = *b"abcdefgh";
        let (p, b) = str_and_slice_mut(&mut mem, 0, 3, 4, 4).unwrap();
        assert_eq!(p, "abc");
        b.fill(b'x');
        let (p, b) = str_and_slice_mut(&mut mem, 4, 2, 0, 4).unwrap();
        assert_eq!(p, "xx");
        b.fill(b'y');
        assert_eq!(&mem, b"yyyyxxxx");
        // Overlapping: the path is copied before the buffer is handed out.
        let (p, b) = str_and_slice_mut(&mut mem, 2, 4, 0, 8).unwrap();
        assert_eq!(p, "yyxx");
        b.fill(b'z');
        let (p, b) = str_and_slice_mut(&mut mem, 2, 0, 0, 8).unwrap();
        assert_eq!((p.as_ref(), b.len()), ("", 8));
        let (p, b) = str_and_slice_mut(&mut mem, 0, 8, 3, 0).unwrap();
        assert_eq!((p.as_ref(), b.len()), ("zzzzzzzz", 0));
        assert_eq!(
            str_and_slice_mut(&mut mem, 0, 9, 0, 0).err(),
            Some(Errno::Fault)
        );
        assert_eq!(
            str_and_slice_mut(&mut mem, 0, 1, 0, 9).err(),
            Some(Errno::Fault)
        );
        mem[0] = 0xff;
        assert_eq!(
            str_and_slice_mut(&mut mem, 0, 1, 4, 1).err(),
            Some(Errno::Ilseq)
        );
    }
}
