//! Sockets in plain Rust types: addresses, families, types, options, name-resolution records,
//! the network policy ([`NetPolicy`]), the `--listen`/`--dial` address forms ([`SocketSpec`])
//! and the WasmEdge address buffers ([`wire`]).
//!
//! Nothing here touches the OS or guest memory: the [`System`](crate::system::System) socket
//! methods speak these types, the Unix host maps them to rustix, and the ABI layer maps them to
//! the WasmEdge layouts (SOCKETS.md). The numeric values of [`AddressFamily`], [`SocketType`]
//! and [`SockOpt`] are the WasmEdge ones, so that the ABI layer converts with `from_raw`.

mod policy;
mod spec;
pub mod wire;

pub use policy::{Grant, HostPattern, NetPolicy, PolicyError, PortRange};
pub use spec::{SocketSpec, SpecError, SpecTarget};

use std::time::Duration;

use crate::abi::Errno;

/// A socket's address family (WasmEdge numbering: 1 inet4, 2 inet6, 3 unix).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4.
    Inet4,
    /// IPv6.
    Inet6,
    /// Unix domain (paths inside preopens).
    Unix,
}

impl AddressFamily {
    /// From the WasmEdge value; `EAFNOSUPPORT` for anything else.
    pub fn from_raw(v: u32) -> Result<AddressFamily, Errno> {
        match v {
            1 => Ok(AddressFamily::Inet4),
            2 => Ok(AddressFamily::Inet6),
            3 => Ok(AddressFamily::Unix),
            _ => Err(Errno::Afnosupport),
        }
    }

    /// The WasmEdge value.
    pub fn raw(self) -> u32 {
        match self {
            AddressFamily::Inet4 => 1,
            AddressFamily::Inet6 => 2,
            AddressFamily::Unix => 3,
        }
    }

    /// A name for traces: `INET4`, `INET6`, `UNIX`.
    pub fn name(self) -> &'static str {
        match self {
            AddressFamily::Inet4 => "INET4",
            AddressFamily::Inet6 => "INET6",
            AddressFamily::Unix => "UNIX",
        }
    }
}

/// A socket's type (WasmEdge numbering: 1 datagram, 2 stream).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SocketType {
    /// Datagrams (UDP, or unix `SOCK_DGRAM`).
    Dgram,
    /// A byte stream (TCP, or unix `SOCK_STREAM`).
    Stream,
}

impl SocketType {
    /// From the WasmEdge value; `EPROTOTYPE`-like values are `EINVAL`.
    pub fn from_raw(v: u32) -> Result<SocketType, Errno> {
        match v {
            1 => Ok(SocketType::Dgram),
            2 => Ok(SocketType::Stream),
            _ => Err(Errno::Inval),
        }
    }

    /// The WasmEdge value.
    pub fn raw(self) -> u32 {
        match self {
            SocketType::Dgram => 1,
            SocketType::Stream => 2,
        }
    }

    /// A name for traces: `DGRAM`, `STREAM`.
    pub fn name(self) -> &'static str {
        match self {
            SocketType::Dgram => "DGRAM",
            SocketType::Stream => "STREAM",
        }
    }
}

/// A socket address as the guest names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SocketAddr {
    /// An IPv4 or IPv6 address with its port.
    Inet(std::net::SocketAddr),
    /// A unix-domain socket path, a *guest* path: absolute paths are looked up under the
    /// preopen whose name is their longest prefix, relative ones under the first preopen (as
    /// wasi-libc resolves paths). The host never hands it to the OS as a raw host path.
    Unix(String),
}

impl SocketAddr {
    /// The address family of this address.
    pub fn family(&self) -> AddressFamily {
        match self {
            SocketAddr::Inet(std::net::SocketAddr::V4(_)) => AddressFamily::Inet4,
            SocketAddr::Inet(std::net::SocketAddr::V6(_)) => AddressFamily::Inet6,
            SocketAddr::Unix(_) => AddressFamily::Unix,
        }
    }
}

impl std::fmt::Display for SocketAddr {
    /// `1.2.3.4:80`, `[::1]:80`, `unix:/path`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocketAddr::Inet(a) => write!(f, "{a}"),
            SocketAddr::Unix(p) => write!(f, "unix:{p}"),
        }
    }
}

impl From<std::net::SocketAddr> for SocketAddr {
    fn from(a: std::net::SocketAddr) -> SocketAddr {
        SocketAddr::Inet(a)
    }
}

/// A socket option, by WasmEdge (level, name): level 0 is `SOL_SOCKET` with names 0..=14,
/// level 6 is TCP with name 15.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is the POSIX option of the same name
pub enum SockOpt {
    ReuseAddr,
    Type,
    Error,
    DontRoute,
    Broadcast,
    SndBuf,
    RcvBuf,
    KeepAlive,
    OobInline,
    Linger,
    RcvLowat,
    RcvTimeo,
    SndTimeo,
    AcceptConn,
    BindToDevice,
    TcpNoDelay,
}

impl SockOpt {
    /// How many of [`SockOpt::ALL`] are SOL_SOCKET options.
    const SOCKET_LEVEL_COUNT: usize = 15;

    /// Every option, for tests and documentation tables. The first 15 are the SOL_SOCKET
    /// options in WasmEdge's numbering (name = index); TCP_NODELAY comes last.
    pub const ALL: [SockOpt; 16] = [
        SockOpt::ReuseAddr,
        SockOpt::Type,
        SockOpt::Error,
        SockOpt::DontRoute,
        SockOpt::Broadcast,
        SockOpt::SndBuf,
        SockOpt::RcvBuf,
        SockOpt::KeepAlive,
        SockOpt::OobInline,
        SockOpt::Linger,
        SockOpt::RcvLowat,
        SockOpt::RcvTimeo,
        SockOpt::SndTimeo,
        SockOpt::AcceptConn,
        SockOpt::BindToDevice,
        SockOpt::TcpNoDelay,
    ];

    /// From the WasmEdge (level, name) pair; `ENOPROTOOPT` for pairs it does not define.
    pub fn from_raw(level: u32, name: u32) -> Result<SockOpt, Errno> {
        match (level, name) {
            (0, n) => Self::ALL[..Self::SOCKET_LEVEL_COUNT]
                .get(n as usize)
                .copied()
                .ok_or(Errno::Noprotoopt),
            (6, 15) => Ok(SockOpt::TcpNoDelay),
            _ => Err(Errno::Noprotoopt),
        }
    }

    /// The WasmEdge (level, name) pair.
    pub fn raw(self) -> (u32, u32) {
        match self {
            SockOpt::TcpNoDelay => (6, 15),
            o => (
                0,
                Self::ALL.iter().position(|&x| x == o).unwrap_or(0) as u32,
            ),
        }
    }

    /// The POSIX name, for traces: `SO_REUSEADDR`, ..., `TCP_NODELAY`.
    pub fn name(self) -> &'static str {
        match self {
            SockOpt::ReuseAddr => "SO_REUSEADDR",
            SockOpt::Type => "SO_TYPE",
            SockOpt::Error => "SO_ERROR",
            SockOpt::DontRoute => "SO_DONTROUTE",
            SockOpt::Broadcast => "SO_BROADCAST",
            SockOpt::SndBuf => "SO_SNDBUF",
            SockOpt::RcvBuf => "SO_RCVBUF",
            SockOpt::KeepAlive => "SO_KEEPALIVE",
            SockOpt::OobInline => "SO_OOBINLINE",
            SockOpt::Linger => "SO_LINGER",
            SockOpt::RcvLowat => "SO_RCVLOWAT",
            SockOpt::RcvTimeo => "SO_RCVTIMEO",
            SockOpt::SndTimeo => "SO_SNDTIMEO",
            SockOpt::AcceptConn => "SO_ACCEPTCONN",
            SockOpt::BindToDevice => "SO_BINDTODEVICE",
            SockOpt::TcpNoDelay => "TCP_NODELAY",
        }
    }

    /// The value shape this option takes.
    pub fn kind(self) -> SockOptKind {
        match self {
            SockOpt::Linger => SockOptKind::Linger,
            SockOpt::RcvTimeo | SockOpt::SndTimeo => SockOptKind::Time,
            _ => SockOptKind::Int,
        }
    }
}

/// The shape of a socket option's value (and of its guest layout, see [`SockOptValue::encode`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SockOptKind {
    /// A 32-bit int (booleans are 0/1; `SO_TYPE` a WasmEdge [`SocketType`] value; `SO_ERROR`
    /// a WASI errno). Guest layout: 4 bytes LE.
    Int,
    /// `struct linger { int l_onoff; int l_linger; }`: 8 bytes LE.
    Linger,
    /// `struct timeval { int64 tv_sec; int64 tv_usec; }` (wasi-libc's layout): 16 bytes LE.
    Time,
}

/// A socket option's value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SockOptValue {
    /// An int option.
    Int(i32),
    /// `SO_LINGER`: `None` is off, `Some(d)` lingers up to `d` (whole seconds).
    Linger(Option<Duration>),
    /// `SO_RCVTIMEO`/`SO_SNDTIMEO`: `None` is no timeout (block forever).
    Time(Option<Duration>),
}

impl SockOptValue {
    /// The guest layout of the value (see [`SockOptKind`]).
    pub fn encode(&self) -> Vec<u8> {
        match *self {
            SockOptValue::Int(v) => v.to_le_bytes().to_vec(),
            SockOptValue::Linger(l) => {
                let (on, secs) = match l {
                    None => (0i32, 0i32),
                    Some(d) => (1, i32::try_from(d.as_secs()).unwrap_or(i32::MAX)),
                };
                let mut v = on.to_le_bytes().to_vec();
                v.extend_from_slice(&secs.to_le_bytes());
                v
            }
            SockOptValue::Time(t) => {
                let d = t.unwrap_or(Duration::ZERO);
                let sec = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                let usec = i64::from(d.subsec_micros());
                let mut v = sec.to_le_bytes().to_vec();
                v.extend_from_slice(&usec.to_le_bytes());
                v
            }
        }
    }

    /// Reads a value for `opt` from its guest layout. `EINVAL` if `bytes` is shorter than the
    /// layout or holds a negative time; extra bytes are ignored (as `setsockopt` does).
    pub fn decode(opt: SockOpt, bytes: &[u8]) -> Result<SockOptValue, Errno> {
        let i32_at = |off: usize| -> Result<i32, Errno> {
            let b = bytes.get(off..off + 4).ok_or(Errno::Inval)?;
            Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let i64_at = |off: usize| -> Result<i64, Errno> {
            let b = bytes.get(off..off + 8).ok_or(Errno::Inval)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Ok(i64::from_le_bytes(a))
        };
        match opt.kind() {
            SockOptKind::Int => Ok(SockOptValue::Int(i32_at(0)?)),
            SockOptKind::Linger => {
                let on = i32_at(0)?;
                let secs = i32_at(4)?;
                if on == 0 {
                    Ok(SockOptValue::Linger(None))
                } else {
                    let secs = u64::try_from(secs).map_err(|_| Errno::Inval)?;
                    Ok(SockOptValue::Linger(Some(Duration::from_secs(secs))))
                }
            }
            SockOptKind::Time => {
                let sec = u64::try_from(i64_at(0)?).map_err(|_| Errno::Inval)?;
                let usec = u64::try_from(i64_at(8)?).map_err(|_| Errno::Inval)?;
                if usec >= 1_000_000 {
                    return Err(Errno::Inval);
                }
                let d = Duration::from_secs(sec) + Duration::from_micros(usec);
                Ok(SockOptValue::Time((!d.is_zero()).then_some(d)))
            }
        }
    }
}

/// `getaddrinfo` flags (SOCKETS.md numbering).
pub mod ai_flags {
    /// Addresses for `bind` (the unspecified address when there is no node).
    pub const PASSIVE: u16 = 1;
    /// Fill the canonical name of the first result.
    pub const CANONNAME: u16 = 2;
    /// The node must be a numeric address; no lookup.
    pub const NUMERICHOST: u16 = 4;
    /// The service must be a port number.
    pub const NUMERICSERV: u16 = 8;
    /// Map IPv4 results into IPv6 when asking for inet6.
    pub const V4MAPPED: u16 = 16;
    /// With `V4MAPPED`: both native IPv6 and mapped IPv4 results.
    pub const ALL: u16 = 32;
    /// Only families configured on the host (accepted, no effect on loopback-only hosts).
    pub const ADDRCONFIG: u16 = 64;
}

/// The `hints` of `getaddrinfo`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrInfoHints {
    /// Bitwise or of [`ai_flags`].
    pub flags: u16,
    /// `None` for any family (only inet families are resolved).
    pub family: Option<AddressFamily>,
    /// `None` for any socket type.
    pub socktype: Option<SocketType>,
    /// 0 any, 1 TCP, 2 UDP (SOCKETS.md numbering).
    pub protocol: u32,
}

/// One `getaddrinfo` result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrInfo {
    /// The address, with the service's port.
    pub addr: std::net::SocketAddr,
    /// The socket type this entry is for.
    pub socktype: SocketType,
    /// 1 TCP, 2 UDP (SOCKETS.md numbering).
    pub protocol: u32,
    /// The canonical name, on the first result when `CANONNAME` was asked.
    pub canonname: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_types_round_trip_and_refuse_unknown_values() {
        for f in [
            AddressFamily::Inet4,
            AddressFamily::Inet6,
            AddressFamily::Unix,
        ] {
            assert_eq!(AddressFamily::from_raw(f.raw()), Ok(f));
        }
        assert_eq!(AddressFamily::from_raw(0), Err(Errno::Afnosupport));
        assert_eq!(AddressFamily::from_raw(4), Err(Errno::Afnosupport));
        for t in [SocketType::Dgram, SocketType::Stream] {
            assert_eq!(SocketType::from_raw(t.raw()), Ok(t));
        }
        assert_eq!(SocketType::from_raw(3), Err(Errno::Inval));
    }

    #[test]
    fn options_follow_the_wasmedge_numbering() {
        assert_eq!(SockOpt::from_raw(0, 0), Ok(SockOpt::ReuseAddr));
        assert_eq!(SockOpt::from_raw(0, 9), Ok(SockOpt::Linger));
        assert_eq!(SockOpt::from_raw(0, 14), Ok(SockOpt::BindToDevice));
        assert_eq!(SockOpt::from_raw(6, 15), Ok(SockOpt::TcpNoDelay));
        assert_eq!(SockOpt::from_raw(0, 15), Err(Errno::Noprotoopt));
        assert_eq!(SockOpt::from_raw(6, 0), Err(Errno::Noprotoopt));
        assert_eq!(SockOpt::from_raw(1, 0), Err(Errno::Noprotoopt));
        for o in SockOpt::ALL {
            let (l, n) = o.raw();
            assert_eq!(SockOpt::from_raw(l, n), Ok(o), "{}", o.name());
        }
    }

    #[test]
    fn option_values_encode_and_decode_in_the_guest_layouts() {
        let cases = [
            (SockOpt::RcvBuf, SockOptValue::Int(-7)),
            (SockOpt::Linger, SockOptValue::Linger(None)),
            (
                SockOpt::Linger,
                SockOptValue::Linger(Some(Duration::from_secs(5))),
            ),
            (SockOpt::RcvTimeo, SockOptValue::Time(None)),
            (
                SockOpt::SndTimeo,
                SockOptValue::Time(Some(Duration::from_micros(2_500_001))),
            ),
        ];
        for (opt, v) in cases {
            let bytes = v.encode();
            let want_len = match opt.kind() {
                SockOptKind::Int => 4,
                SockOptKind::Linger => 8,
                SockOptKind::Time => 16,
            };
            assert_eq!(bytes.len(), want_len);
            assert_eq!(SockOptValue::decode(opt, &bytes), Ok(v));
        }
        assert_eq!(
            SockOptValue::encode(&SockOptValue::Time(Some(Duration::from_micros(2_500_001)))),
            [2, 0, 0, 0, 0, 0, 0, 0, 0x21, 0xa1, 0x07, 0, 0, 0, 0, 0]
        );
        // Short buffers, negative times and out-of-range microseconds are refused.
        assert_eq!(
            SockOptValue::decode(SockOpt::RcvBuf, &[1, 2, 3]),
            Err(Errno::Inval)
        );
        assert_eq!(
            SockOptValue::decode(SockOpt::Linger, &[1, 0, 0, 0]),
            Err(Errno::Inval)
        );
        let mut neg = (-1i64).to_le_bytes().to_vec();
        neg.extend_from_slice(&0i64.to_le_bytes());
        assert_eq!(
            SockOptValue::decode(SockOpt::RcvTimeo, &neg),
            Err(Errno::Inval)
        );
        let mut big = 0i64.to_le_bytes().to_vec();
        big.extend_from_slice(&1_000_000i64.to_le_bytes());
        assert_eq!(
            SockOptValue::decode(SockOpt::RcvTimeo, &big),
            Err(Errno::Inval)
        );
    }

    #[test]
    fn addresses_know_their_family_and_print() {
        let v4: SocketAddr = "127.0.0.1:80"
            .parse::<std::net::SocketAddr>()
            .unwrap()
            .into();
        let v6: SocketAddr = "[::1]:81".parse::<std::net::SocketAddr>().unwrap().into();
        let u = SocketAddr::Unix("/tmp/s".into());
        assert_eq!(v4.family(), AddressFamily::Inet4);
        assert_eq!(v6.family(), AddressFamily::Inet6);
        assert_eq!(u.family(), AddressFamily::Unix);
        assert_eq!(v6.to_string(), "[::1]:81");
        assert_eq!(u.to_string(), "unix:/tmp/s");
    }
}
