//! The WasmEdge socket extension (SOCKETS.md): one function per call and ABI variant, in the
//! same shape as the preview 1 calls (`(sys, mem, raw wasm args...)`).
//!
//! WasmEdge has two ABI generations. Where their signatures differ the functions here carry a
//! `_v1`/`_v2` suffix (`sock_accept_v1`, `sock_recv_from_v1`/`_v2`, `sock_getlocaladdr_v1`/`_v2`,
//! `sock_getpeeraddr_v1`/`_v2`); where they agree there is one function. The V2 accept is the
//! preview 1 [`sock_accept`](super::sock_accept). Which wasm import name maps to which function
//! is the linker's business (it picks per import by signature, as WasmEdge does).
//!
//! Layout rules (SOCKETS.md, "Address descriptor" and "Out-parameter widths"):
//! - `addr_ptr` names an 8-byte, 4-aligned descriptor `{ u32 buf_ptr; u32 buf_len }`; the
//!   buffer it names must lie inside guest memory (`EFAULT`).
//! - Input addresses are 4 (IPv4), 16 (IPv6) or 128 (V2, family-tagged) bytes
//!   ([`wire::decode_addr`]); ports travel as separate `i32` arguments and must fit a `u16`
//!   (`EINVAL`).
//! - Output ports and V1's address type are `u32` for `sock_getlocaladdr`/`sock_getpeeraddr`;
//!   the port V2 `sock_recv_from` writes is a `u16`. Each out-pointer is checked for bounds and
//!   alignment *before* the host call, so a bad pointer never costs the guest a connection,
//!   a datagram or a pending `SO_ERROR`.

mod addrinfo;

pub use addrinfo::{MAX_ADDRINFO, sock_getaddrinfo};

use super::{CallResult, size};
use crate::abi::{Errno, Fdflags};
use crate::net::wire::{self, V2_LEN};
use crate::net::{AddressFamily, SockOpt, SockOptKind, SockOptValue, SocketAddr, SocketType};
use crate::p1::{decode, iovec, memory};
use crate::system::System;

/// A guest address buffer, from its `{ buf_ptr, buf_len }` descriptor; in bounds.
#[derive(Copy, Clone, Debug)]
struct AddrBuf {
    ptr: u32,
    len: u32,
}

impl AddrBuf {
    /// Reads the descriptor at `addr_ptr` (8 bytes, 4-aligned) and checks that the buffer it
    /// names lies inside guest memory.
    fn read(mem: &[u8], addr_ptr: u32) -> Result<AddrBuf, Errno> {
        let raw = memory::read_array::<8>(mem, addr_ptr, 4)?;
        let ptr = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let len = u32::from_le_bytes([raw[4], raw[5], raw[6], raw[7]]);
        memory::range(mem.len(), ptr, len)?;
        Ok(AddrBuf { ptr, len })
    }

    /// An output buffer for the given variant: V1 needs room for at least an IPv4 address
    /// (WasmEdge accepts 4 bytes; 16 holds IPv6 too), V2 its full 128 bytes. Too small is
    /// `EINVAL`, decided before any host call.
    fn output(mem: &[u8], addr_ptr: u32, variant: Variant) -> Result<AddrBuf, Errno> {
        let b = AddrBuf::read(mem, addr_ptr)?;
        let min = match variant {
            Variant::V1 => 4,
            Variant::V2 => V2_LEN as u32,
        };
        if b.len < min {
            return Err(Errno::Inval);
        }
        Ok(b)
    }

    fn bytes_mut<'m>(&self, mem: &'m mut [u8]) -> Result<&'m mut [u8], Errno> {
        memory::slice_mut(mem, self.ptr, self.len)
    }
}

/// Which ABI generation an output address is written in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Variant {
    /// Raw IP bytes at offset 0, the type (4 or 6) and port reported separately.
    V1,
    /// The 128-byte family-tagged form ([`wire::encode_addr_v2`]).
    V2,
}

/// A port argument: WasmEdge passes it as an `i32`; anything past 65535 is `EINVAL`.
fn port(raw: u32) -> Result<u16, Errno> {
    u16::try_from(raw).map_err(|_| Errno::Inval)
}

/// An input address (bind, connect, send_to) from its descriptor and the separate port.
fn input_addr(mem: &[u8], addr_ptr: u32, raw_port: u32) -> Result<SocketAddr, Errno> {
    let port = port(raw_port)?;
    let b = AddrBuf::read(mem, addr_ptr)?;
    wire::decode_addr(memory::slice(mem, b.ptr, b.len)?, port)
}

/// `sock_open(family, socktype, ret_fd)`: a new socket. The out-pointer is checked first and
/// the socket closed again should the final write still fail, so no fd leaks.
pub fn sock_open<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    family: u32,
    socktype: u32,
    ret_fd: u32,
) -> CallResult {
    let family = AddressFamily::from_raw(family)?;
    let socktype = SocketType::from_raw(socktype)?;
    memory::check(mem, ret_fd, 4, 4)?;
    let fd = sys.sock_open(family, socktype)?;
    memory::write_u32(mem, ret_fd, fd).inspect_err(|_| {
        let _ = sys.fd_close(fd);
    })
}

/// `sock_bind(fd, addr_ptr, port)`. V1 and V2 share the signature; both address forms (4/16
/// raw bytes and the 128-byte tagged one) are accepted, so unix paths can be bound too.
pub fn sock_bind<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    port: u32,
) -> CallResult {
    let addr = input_addr(mem, addr_ptr, port)?;
    sys.sock_bind(fd, &addr)
}

/// `sock_connect(fd, addr_ptr, port)`: as [`sock_bind`] for the address.
pub fn sock_connect<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    port: u32,
) -> CallResult {
    let addr = input_addr(mem, addr_ptr, port)?;
    sys.sock_connect(fd, &addr)
}

/// `sock_listen(fd, backlog)`. The backlog is the guest's `i32` seen as `u32`; the host caps
/// it (the kernel caps it again at `somaxconn`).
pub fn sock_listen<S: System + ?Sized>(
    sys: &mut S,
    _mem: &mut [u8],
    fd: u32,
    backlog: u32,
) -> CallResult {
    sys.sock_listen(fd, backlog)
}

/// V1 `sock_accept(fd, ret_fd)`: preview 1's accept without the `fdflags` argument (the new
/// connection is blocking). V2 guests call the preview 1 [`sock_accept`](super::sock_accept).
pub fn sock_accept_v1<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    ret_fd: u32,
) -> CallResult {
    memory::check(mem, ret_fd, 4, 4)?;
    let new = sys.sock_accept(fd, Fdflags::empty())?;
    memory::write_u32(mem, ret_fd, new).inspect_err(|_| {
        let _ = sys.fd_close(new);
    })
}

/// `sock_send_to(fd, iovs, iovs_len, addr_ptr, port, siflags, ret_nwritten)`: one message to
/// the given address.
#[allow(clippy::too_many_arguments)]
pub fn sock_send_to<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    addr_ptr: u32,
    port: u32,
    siflags: u32,
    ret_nwritten: u32,
) -> CallResult {
    let flags = decode::siflags(siflags)?;
    let addr = input_addr(mem, addr_ptr, port)?;
    memory::check(mem, ret_nwritten, 4, 4)?;
    let n = iovec::with_ciovecs(mem, iovs, iovs_len, |b| {
        sys.sock_send_to(fd, b, &addr, flags)
    })?;
    memory::write_u32(mem, ret_nwritten, size(n))
}

/// What a receive left to report once the data is in guest memory.
struct Received {
    n: usize,
    from: Option<SocketAddr>,
    flags: crate::abi::Roflags,
}

/// The common part of both `sock_recv_from` variants: every out-pointer and the address
/// buffer are checked by the caller; this decodes the flags and buffers and receives.
fn recv_from<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    flags: crate::abi::Riflags,
) -> Result<Received, Errno> {
    let (n, from, flags) =
        iovec::with_iovecs(mem, iovs, iovs_len, |b| sys.sock_recv_from(fd, b, flags))?;
    Ok(Received { n, from, flags })
}

/// Writes the sender of a received message. The message is already consumed, so this must
/// not fail: a sender the buffer cannot express (none at all, as on a connected stream; a
/// unix peer for V1, which has no unix form; IPv6 into a 4-byte V1 buffer) is written as
/// zeros, the unspecified address, with port 0. Returns the port.
fn write_sender(mem: &mut [u8], b: AddrBuf, variant: Variant, from: Option<&SocketAddr>) -> u16 {
    let Ok(out) = b.bytes_mut(mem) else {
        // Checked before the receive and memory never shrinks; nothing to write into.
        return 0;
    };
    let written = from.and_then(|a| match variant {
        Variant::V1 => wire::encode_addr_v1(a, out).ok().map(|(_, p)| p),
        Variant::V2 => wire::encode_addr_v2(a, out).ok(),
    });
    match written {
        Some(port) => port,
        None => {
            let used = match variant {
                Variant::V1 => 16,
                Variant::V2 => V2_LEN,
            };
            let end = out.len().min(used);
            out[..end].fill(0);
            0
        }
    }
}

/// V1 `sock_recv_from(fd, iovs, iovs_len, addr_ptr, riflags, ret_nread, ret_roflags)`: the
/// sender's raw IP bytes go to the address buffer; V1 reports no port.
#[allow(clippy::too_many_arguments)]
pub fn sock_recv_from_v1<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    addr_ptr: u32,
    riflags: u32,
    ret_nread: u32,
    ret_roflags: u32,
) -> CallResult {
    let flags = decode::riflags(riflags)?;
    let b = AddrBuf::output(mem, addr_ptr, Variant::V1)?;
    memory::check(mem, ret_nread, 4, 4)?;
    memory::check(mem, ret_roflags, 2, 2)?;
    let r = recv_from(sys, mem, fd, iovs, iovs_len, flags)?;
    write_sender(mem, b, Variant::V1, r.from.as_ref());
    memory::write_u32(mem, ret_nread, size(r.n))?;
    memory::write_u16(mem, ret_roflags, r.flags.bits())
}

/// V2 `sock_recv_from(fd, iovs, iovs_len, addr_ptr, riflags, ret_port, ret_nread,
/// ret_roflags)`: the sender in the 128-byte form, its port as a **u16** at `ret_port`.
#[allow(clippy::too_many_arguments)]
pub fn sock_recv_from_v2<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    addr_ptr: u32,
    riflags: u32,
    ret_port: u32,
    ret_nread: u32,
    ret_roflags: u32,
) -> CallResult {
    let flags = decode::riflags(riflags)?;
    let b = AddrBuf::output(mem, addr_ptr, Variant::V2)?;
    memory::check(mem, ret_port, 2, 2)?;
    memory::check(mem, ret_nread, 4, 4)?;
    memory::check(mem, ret_roflags, 2, 2)?;
    let r = recv_from(sys, mem, fd, iovs, iovs_len, flags)?;
    let port = write_sender(mem, b, Variant::V2, r.from.as_ref());
    memory::write_u16(mem, ret_port, port)?;
    memory::write_u32(mem, ret_nread, size(r.n))?;
    memory::write_u16(mem, ret_roflags, r.flags.bits())
}

/// Bytes of an option's guest layout (see [`SockOptKind`]).
fn option_size(opt: SockOpt) -> u32 {
    match opt.kind() {
        SockOptKind::Int => 4,
        SockOptKind::Linger => 8,
        SockOptKind::Time => 16,
    }
}

/// `sock_getsockopt(fd, level, name, ret_val_ptr, ret_len_ptr)`. The length travels **by
/// pointer** (a u32 the host reads as the buffer size and writes back as the value size).
/// A buffer smaller than the option's layout is `EINVAL` before the host is asked, rather than
/// a truncated value as Linux gives: truncating would lose a pending `SO_ERROR`, which reading
/// clears.
pub fn sock_getsockopt<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    level: u32,
    name: u32,
    ret_val_ptr: u32,
    ret_len_ptr: u32,
) -> CallResult {
    let opt = SockOpt::from_raw(level, name)?;
    let capacity = memory::read_u32(mem, ret_len_ptr)?;
    let need = option_size(opt);
    if capacity < need {
        return Err(Errno::Inval);
    }
    memory::range(mem.len(), ret_val_ptr, need)?;
    let value = sys.sock_getsockopt(fd, opt)?.encode();
    memory::write_bytes(mem, ret_val_ptr, &value)?;
    memory::write_u32(mem, ret_len_ptr, size(value.len()))
}

/// `sock_setsockopt(fd, level, name, val_ptr, val_len)`: the value in its guest layout
/// ([`SockOptValue::decode`]: too short or a negative time is `EINVAL`).
pub fn sock_setsockopt<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    level: u32,
    name: u32,
    val_ptr: u32,
    val_len: u32,
) -> CallResult {
    let opt = SockOpt::from_raw(level, name)?;
    let value = SockOptValue::decode(opt, memory::slice(mem, val_ptr, val_len)?)?;
    sys.sock_setsockopt(fd, opt, value)
}

/// Which end of a socket an address call asks about.
#[derive(Copy, Clone)]
enum End {
    Local,
    Peer,
}

fn address_of<S: System + ?Sized>(sys: &mut S, fd: u32, end: End) -> Result<SocketAddr, Errno> {
    match end {
        End::Local => sys.sock_getlocaladdr(fd),
        End::Peer => sys.sock_getpeeraddr(fd),
    }
}

/// V1 form of `sock_getlocaladdr`/`sock_getpeeraddr`: raw IP bytes, then the address type
/// (the literal 4 or 6) and the port, both **u32**.
fn address_v1<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    end: End,
    fd: u32,
    addr_ptr: u32,
    ret_addrtype: u32,
    ret_port: u32,
) -> CallResult {
    let b = AddrBuf::output(mem, addr_ptr, Variant::V1)?;
    memory::check(mem, ret_addrtype, 4, 4)?;
    memory::check(mem, ret_port, 4, 4)?;
    let addr = address_of(sys, fd, end)?;
    // Nothing was consumed, so an address the buffer cannot hold is an honest error: EINVAL
    // for IPv6 in 4 bytes, EAFNOSUPPORT for a unix socket (V1 has no unix form).
    let (addrtype, port) = wire::encode_addr_v1(&addr, b.bytes_mut(mem)?)?;
    memory::write_u32(mem, ret_addrtype, addrtype)?;
    memory::write_u32(mem, ret_port, u32::from(port))
}

/// V2 form: the 128-byte tagged address and the port as a **u32** (0 for unix).
fn address_v2<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    end: End,
    fd: u32,
    addr_ptr: u32,
    ret_port: u32,
) -> CallResult {
    let b = AddrBuf::output(mem, addr_ptr, Variant::V2)?;
    memory::check(mem, ret_port, 4, 4)?;
    let addr = address_of(sys, fd, end)?;
    let port = wire::encode_addr_v2(&addr, b.bytes_mut(mem)?)?;
    memory::write_u32(mem, ret_port, u32::from(port))
}

/// V1 `sock_getlocaladdr(fd, addr_ptr, ret_addrtype, ret_port)`.
pub fn sock_getlocaladdr_v1<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    ret_addrtype: u32,
    ret_port: u32,
) -> CallResult {
    address_v1(sys, mem, End::Local, fd, addr_ptr, ret_addrtype, ret_port)
}

/// V2 `sock_getlocaladdr(fd, addr_ptr, ret_port)`.
pub fn sock_getlocaladdr_v2<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    ret_port: u32,
) -> CallResult {
    address_v2(sys, mem, End::Local, fd, addr_ptr, ret_port)
}

/// V1 `sock_getpeeraddr(fd, addr_ptr, ret_addrtype, ret_port)`.
pub fn sock_getpeeraddr_v1<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    ret_addrtype: u32,
    ret_port: u32,
) -> CallResult {
    address_v1(sys, mem, End::Peer, fd, addr_ptr, ret_addrtype, ret_port)
}

/// V2 `sock_getpeeraddr(fd, addr_ptr, ret_port)`.
pub fn sock_getpeeraddr_v2<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    addr_ptr: u32,
    ret_port: u32,
) -> CallResult {
    address_v2(sys, mem, End::Peer, fd, addr_ptr, ret_port)
}
