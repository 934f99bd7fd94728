//! `args_*` and `environ_*`: a pointer array plus NUL-terminated strings in one buffer.

use super::CallResult;
use crate::abi::Errno;
use crate::p1::memory;
use crate::system::System;

/// Writes `strings` as C strings packed into `buf`, and a pointer to each into the `u32` array
/// at `ptrs`. Both regions are bounds-checked in full before anything is written, so a bad
/// pointer leaves memory untouched.
fn write_strings(mem: &mut [u8], ptrs: u32, buf: u32, strings: &[Vec<u8>]) -> CallResult {
    let count = u32::try_from(strings.len()).map_err(|_| Errno::Fault)?;
    let ptrs_size = count.checked_mul(4).ok_or(Errno::Fault)?;
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::Fault)?;
    let ptr_range = memory::check(mem, ptrs, ptrs_size, 4)?;
    let buf_range = memory::range(mem.len(), buf, total)?;

    // `buf + total` did not wrap, so every string's address fits a u32.
    let mut at = buf_range.start;
    for (i, s) in strings.iter().enumerate() {
        let p = ptr_range.start + 4 * i;
        mem[p..p + 4].copy_from_slice(&(at as u32).to_le_bytes());
        mem[at..at + s.len()].copy_from_slice(s);
        mem[at + s.len()] = 0;
        at += s.len() + 1;
    }
    Ok(())
}

fn write_sizes(mem: &mut [u8], count_ptr: u32, size_ptr: u32, sizes: (u32, u32)) -> CallResult {
    memory::check(mem, count_ptr, 4, 4)?;
    memory::check(mem, size_ptr, 4, 4)?;
    memory::write_u32(mem, count_ptr, sizes.0)?;
    memory::write_u32(mem, size_ptr, sizes.1)
}

/// `args_sizes_get`: writes the argument count to `argc` and the bytes the strings need
/// (NULs included) to `argv_buf_size`.
pub fn args_sizes_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    argc: u32,
    argv_buf_size: u32,
) -> CallResult {
    let sizes = sys.args_sizes_get()?;
    write_sizes(mem, argc, argv_buf_size, sizes)
}

/// `args_get`: writes the arguments as NUL-terminated strings to `argv_buf` and a pointer to
/// each into the array at `argv`.
pub fn args_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    argv: u32,
    argv_buf: u32,
) -> CallResult {
    write_strings(mem, argv, argv_buf, sys.args_get()?)
}

/// `environ_sizes_get`: writes the variable count to `environc` and the bytes the
/// `NAME=VALUE` strings need (NULs included) to `environ_buf_size`.
pub fn environ_sizes_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    environc: u32,
    environ_buf_size: u32,
) -> CallResult {
    let sizes = sys.environ_sizes_get()?;
    write_sizes(mem, environc, environ_buf_size, sizes)
}

/// `environ_get`: writes the `NAME=VALUE` strings, NUL-terminated, to `environ_buf` and a
/// pointer to each into the array at `environ`.
pub fn environ_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    environ: u32,
    environ_buf: u32,
) -> CallResult {
    write_strings(mem, environ, environ_buf, sys.environ_get()?)
}
