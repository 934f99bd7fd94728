//! `sock_*`: the four socket calls of preview 1 proper.

use super::{CallResult, size};
use crate::p1::{decode, iovec, memory};
use crate::system::System;

/// `sock_accept`. Like `path_open`, the out-pointer is checked first so a bad pointer cannot
/// leak the accepted connection; should the write still fail, the fd is closed.
pub fn sock_accept<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    out: u32,
) -> CallResult {
    let flags = decode::fdflags(flags)?;
    memory::check(mem, out, 4, 4)?;
    let new = sys.sock_accept(fd, flags)?;
    memory::write_u32(mem, out, new).inspect_err(|_| {
        let _ = sys.fd_close(new);
    })
}

/// `sock_recv`: decodes the iovecs and `riflags`, receives, writes the byte count to
/// `ro_datalen` and the `roflags` to `ro_flags`.
#[allow(clippy::too_many_arguments)]
pub fn sock_recv<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> CallResult {
    let flags = decode::riflags(ri_flags)?;
    memory::check(mem, ro_datalen, 4, 4)?;
    memory::check(mem, ro_flags, 2, 2)?;
    let (n, out_flags) =
        iovec::with_iovecs(mem, ri_data, ri_data_len, |b| sys.sock_recv(fd, b, flags))?;
    memory::write_u32(mem, ro_datalen, size(n))?;
    memory::write_u16(mem, ro_flags, out_flags.bits())
}

/// `sock_send`: decodes the ciovecs and `siflags`, sends, writes the byte count to
/// `so_datalen`.
pub fn sock_send<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    si_flags: u32,
    so_datalen: u32,
) -> CallResult {
    let flags = decode::siflags(si_flags)?;
    memory::check(mem, so_datalen, 4, 4)?;
    let n = iovec::with_ciovecs(mem, si_data, si_data_len, |b| sys.sock_send(fd, b, flags))?;
    memory::write_u32(mem, so_datalen, size(n))
}

/// `sock_shutdown`: decodes the `sdflags` and shuts the socket down.
pub fn sock_shutdown<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    how: u32,
) -> CallResult {
    sys.sock_shutdown(fd, decode::sdflags(how)?)
}
