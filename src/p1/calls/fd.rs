//! `fd_*`: calls on an open file descriptor.

use super::{CallResult, size};
use crate::abi::{Dirent, Fdstat, Filestat, Prestat};
use crate::p1::{decode, iovec, memory};
use crate::system::{ReaddirControl, System};

/// `fd_advise`: decodes the advice and passes it to the host.
pub fn fd_advise<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    offset: u64,
    len: u64,
    advice: u32,
) -> CallResult {
    let advice = decode::advice(advice)?;
    sys.fd_advise(fd, offset, len, advice)
}

/// `fd_allocate`: passes straight to the host.
pub fn fd_allocate<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    offset: u64,
    len: u64,
) -> CallResult {
    sys.fd_allocate(fd, offset, len)
}

/// `fd_close`: passes straight to the host.
pub fn fd_close<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8], fd: u32) -> CallResult {
    sys.fd_close(fd)
}

/// `fd_datasync`: passes straight to the host.
pub fn fd_datasync<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8], fd: u32) -> CallResult {
    sys.fd_datasync(fd)
}

/// `fd_sync`: passes straight to the host.
pub fn fd_sync<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8], fd: u32) -> CallResult {
    sys.fd_sync(fd)
}

/// `fd_fdstat_get`: writes the fd's `fdstat` to `out`.
pub fn fd_fdstat_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    out: u32,
) -> CallResult {
    memory::check(mem, out, Fdstat::SIZE as u32, Fdstat::ALIGN as u32)?;
    let stat = sys.fd_fdstat_get(fd)?;
    memory::write_array(mem, out, Fdstat::ALIGN as u32, &stat.encode())
}

/// `fd_fdstat_set_flags`: decodes the `fdflags` and sets them.
pub fn fd_fdstat_set_flags<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    flags: u32,
) -> CallResult {
    let flags = decode::fdflags(flags)?;
    sys.fd_fdstat_set_flags(fd, flags)
}

/// `fd_fdstat_set_rights`: decodes both rights masks (unknown bits dropped) and narrows the
/// fd's rights to them.
pub fn fd_fdstat_set_rights<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    base: u64,
    inheriting: u64,
) -> CallResult {
    sys.fd_fdstat_set_rights(fd, decode::rights(base), decode::rights(inheriting))
}

/// `fd_filestat_get`: writes the open file's `filestat` to `out`.
pub fn fd_filestat_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    out: u32,
) -> CallResult {
    memory::check(mem, out, Filestat::SIZE as u32, Filestat::ALIGN as u32)?;
    let stat = sys.fd_filestat_get(fd)?;
    memory::write_array(mem, out, Filestat::ALIGN as u32, &stat.encode())
}

/// `fd_filestat_set_size`: passes straight to the host.
pub fn fd_filestat_set_size<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    size: u64,
) -> CallResult {
    sys.fd_filestat_set_size(fd, size)
}

/// `fd_filestat_set_times`: decodes the `fstflags`, sets the times.
pub fn fd_filestat_set_times<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> CallResult {
    let flags = decode::fstflags(fst_flags)?;
    sys.fd_filestat_set_times(fd, atim, mtim, flags)
}

/// `fd_read`: decodes the iovecs, reads, writes `nread`.
pub fn fd_read<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
) -> CallResult {
    memory::check(mem, nread, 4, 4)?;
    let n = iovec::with_iovecs(mem, iovs, iovs_len, |b| sys.fd_read(fd, b))?;
    memory::write_u32(mem, nread, size(n))
}

/// `fd_pread`: decodes the iovecs, reads at `offset`, writes `nread`.
pub fn fd_pread<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> CallResult {
    memory::check(mem, nread, 4, 4)?;
    let n = iovec::with_iovecs(mem, iovs, iovs_len, |b| sys.fd_pread(fd, b, offset))?;
    memory::write_u32(mem, nread, size(n))
}

/// `fd_write`: decodes the ciovecs, writes, writes `nwritten`.
pub fn fd_write<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
) -> CallResult {
    memory::check(mem, nwritten, 4, 4)?;
    let n = iovec::with_ciovecs(mem, iovs, iovs_len, |b| sys.fd_write(fd, b))?;
    memory::write_u32(mem, nwritten, size(n))
}

/// `fd_pwrite`: decodes the ciovecs, writes at `offset`, writes `nwritten`.
pub fn fd_pwrite<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> CallResult {
    memory::check(mem, nwritten, 4, 4)?;
    let n = iovec::with_ciovecs(mem, iovs, iovs_len, |b| sys.fd_pwrite(fd, b, offset))?;
    memory::write_u32(mem, nwritten, size(n))
}

/// `fd_prestat_get`: writes the preopen's `prestat` to `out`.
pub fn fd_prestat_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    out: u32,
) -> CallResult {
    memory::check(mem, out, Prestat::SIZE as u32, Prestat::ALIGN as u32)?;
    let prestat = sys.fd_prestat_get(fd)?;
    memory::write_array(mem, out, Prestat::ALIGN as u32, &prestat.encode())
}

/// Writes the preopen's guest name, without NUL. A buffer shorter than the name is
/// `ENAMETOOLONG` (wasmtime's answer; wasi-libc always asks with the length `fd_prestat_get`
/// gave). Like wasmtime, only the bytes actually written must be in bounds.
pub fn fd_prestat_dir_name<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
) -> CallResult {
    let name = sys.fd_prestat_dir_name(fd)?;
    if name.len() > path_len as usize {
        return Err(crate::abi::Errno::Nametoolong);
    }
    memory::write_bytes(mem, path, name.as_bytes())
}

/// Serialises directory entries (24-byte header, then the name) into the guest buffer.
///
/// The last entry may be cut anywhere, header included, exactly as the witx doc for
/// `fd_readdir` allows: "If less than `buf_len` bytes are written, the end of the directory
/// has been reached." A full buffer (`bufused == buf_len`) tells the guest to call again,
/// starting at the `d_next` of the last entry it could read whole.
pub fn fd_readdir<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> CallResult {
    memory::check(mem, bufused, 4, 4)?;
    let out = memory::slice_mut(mem, buf, buf_len)?;
    let mut used = 0usize;
    let mut sink = |dirent: &Dirent, name: &[u8]| {
        // The header must describe the bytes that follow it, whatever the host claimed.
        let header = Dirent {
            d_namlen: size(name.len()),
            ..*dirent
        }
        .encode();
        for part in [&header[..], name] {
            let n = part.len().min(out.len() - used);
            out[used..used + n].copy_from_slice(&part[..n]);
            used += n;
            if used == out.len() {
                return ReaddirControl::Stop;
            }
        }
        ReaddirControl::Continue
    };
    sys.fd_readdir(fd, cookie, &mut sink)?;
    memory::write_u32(mem, bufused, size(used))
}

/// `fd_renumber(from, to)`; `from == to` is the host's no-op (DESIGN.md §2.5).
pub fn fd_renumber<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    to: u32,
) -> CallResult {
    sys.fd_renumber(fd, to)
}

/// `fd_seek`: the offset is a signed `filedelta`. The out-pointer is checked first because a
/// seek moves the file offset even if we could not report where to.
pub fn fd_seek<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    offset: i64,
    whence: u32,
    newoffset: u32,
) -> CallResult {
    let whence = decode::whence(whence)?;
    memory::check(mem, newoffset, 8, 8)?;
    let pos = sys.fd_seek(fd, offset, whence)?;
    memory::write_u64(mem, newoffset, pos)
}

/// `fd_tell`: writes the current file offset (a `u64`) to `out`.
pub fn fd_tell<S: System + ?Sized>(sys: &mut S, mem: &mut [u8], fd: u32, out: u32) -> CallResult {
    memory::check(mem, out, 8, 8)?;
    let pos = sys.fd_tell(fd)?;
    memory::write_u64(mem, out, pos)
}
