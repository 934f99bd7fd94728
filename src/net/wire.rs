//! The WasmEdge address buffers (SOCKETS.md, "Address descriptor"), on plain byte slices.
//!
//! The ABI layer reads the `{ buf_ptr, buf_len }` descriptor and hands the buffer's bytes
//! here; these functions never see guest memory, so they are tested without an engine.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use super::{AddressFamily, SocketAddr};
use crate::abi::Errno;

/// Size of the V2 (family-tagged) address buffer.
pub const V2_LEN: usize = 128;

/// Reads an input address (bind, connect, send_to) from its buffer and the separate `port`:
/// 4 bytes are IPv4, 16 bytes IPv6, 128 bytes the V2 form (u16 LE family at 0, then the
/// address bytes, or a NUL-terminated unix path, from offset 2). Anything else is `EINVAL`;
/// an unknown V2 family is `EAFNOSUPPORT`; a unix path without its NUL, empty, or not UTF-8
/// is `EINVAL`.
pub fn decode_addr(buf: &[u8], port: u16) -> Result<SocketAddr, Errno> {
    let v4 = |b: &[u8]| -> Result<SocketAddr, Errno> {
        let a: [u8; 4] = b
            .get(..4)
            .ok_or(Errno::Inval)?
            .try_into()
            .map_err(|_| Errno::Inval)?;
        Ok(SocketAddr::Inet(
            SocketAddrV4::new(Ipv4Addr::from(a), port).into(),
        ))
    };
    let v6 = |b: &[u8]| -> Result<SocketAddr, Errno> {
        let a: [u8; 16] = b
            .get(..16)
            .ok_or(Errno::Inval)?
            .try_into()
            .map_err(|_| Errno::Inval)?;
        Ok(SocketAddr::Inet(
            SocketAddrV6::new(Ipv6Addr::from(a), port, 0, 0).into(),
        ))
    };
    match buf.len() {
        4 => v4(buf),
        16 => v6(buf),
        V2_LEN => {
            let family = u16::from_le_bytes([buf[0], buf[1]]);
            let rest = &buf[2..];
            match AddressFamily::from_raw(u32::from(family))? {
                AddressFamily::Inet4 => v4(rest),
                AddressFamily::Inet6 => v6(rest),
                AddressFamily::Unix => {
                    let end = rest.iter().position(|&b| b == 0).ok_or(Errno::Inval)?;
                    if end == 0 {
                        return Err(Errno::Inval);
                    }
                    let path = std::str::from_utf8(&rest[..end]).map_err(|_| Errno::Inval)?;
                    Ok(SocketAddr::Unix(path.to_owned()))
                }
            }
        }
        _ => Err(Errno::Inval),
    }
}

/// Writes an output address in the V2 form into `out` (at least [`V2_LEN`] bytes, else
/// `EINVAL`) and returns the port to report (0 for unix). The bytes past the address are
/// zeroed. A unix path longer than the buffer allows (125 bytes plus NUL) is `ENAMETOOLONG`.
pub fn encode_addr_v2(addr: &SocketAddr, out: &mut [u8]) -> Result<u16, Errno> {
    let out = out.get_mut(..V2_LEN).ok_or(Errno::Inval)?;
    let (family, bytes, port): (AddressFamily, Vec<u8>, u16) = match addr {
        SocketAddr::Inet(std::net::SocketAddr::V4(a)) => {
            (AddressFamily::Inet4, a.ip().octets().to_vec(), a.port())
        }
        SocketAddr::Inet(std::net::SocketAddr::V6(a)) => {
            (AddressFamily::Inet6, a.ip().octets().to_vec(), a.port())
        }
        SocketAddr::Unix(p) => {
            if p.len() + 1 > V2_LEN - 2 {
                return Err(Errno::Nametoolong);
            }
            (AddressFamily::Unix, p.as_bytes().to_vec(), 0)
        }
    };
    out.fill(0);
    out[..2].copy_from_slice(&(family.raw() as u16).to_le_bytes());
    out[2..2 + bytes.len()].copy_from_slice(&bytes);
    Ok(port)
}

/// Writes an output address in the V1 form: the raw IP bytes at offset 0 of `out` (4 for
/// IPv4, 16 for IPv6; a shorter buffer is `EINVAL`), and returns the address type to report
/// (the literal 4 or 6) and the port. V1 has no unix form: `EAFNOSUPPORT`.
pub fn encode_addr_v1(addr: &SocketAddr, out: &mut [u8]) -> Result<(u32, u16), Errno> {
    match addr {
        SocketAddr::Inet(std::net::SocketAddr::V4(a)) => {
            out.get_mut(..4)
                .ok_or(Errno::Inval)?
                .copy_from_slice(&a.ip().octets());
            Ok((4, a.port()))
        }
        SocketAddr::Inet(std::net::SocketAddr::V6(a)) => {
            out.get_mut(..16)
                .ok_or(Errno::Inval)?
                .copy_from_slice(&a.ip().octets());
            Ok((6, a.port()))
        }
        SocketAddr::Unix(_) => Err(Errno::Afnosupport),
    }
}

/// Size of a `getaddrinfo` hints struct and of each result node (SOCKETS.md layout).
pub const ADDRINFO_LEN: usize = 28;

/// Reads the `hints` struct (flags u16 at 0, family u8 at 2, socktype u8 at 3, protocol u32
/// at 4; the pointer fields are ignored). Family 0 and socktype 0 mean "any"; other unknown
/// values are `EAFNOSUPPORT` / `EINVAL`, a protocol past 2 is `EPROTONOSUPPORT`.
pub fn decode_hints(b: &[u8; ADDRINFO_LEN]) -> Result<super::AddrInfoHints, Errno> {
    let family = match b[2] {
        0 => None,
        f => Some(AddressFamily::from_raw(u32::from(f))?),
    };
    let socktype = match b[3] {
        0 => None,
        t => Some(super::SocketType::from_raw(u32::from(t))?),
    };
    let protocol = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    if protocol > 2 {
        return Err(Errno::Protonosupport);
    }
    Ok(super::AddrInfoHints {
        flags: u16::from_le_bytes([b[0], b[1]]),
        family,
        socktype,
        protocol,
    })
}

/// The data of a result's sockaddr struct: the port **big-endian** at 0..2, then the IPv4
/// (2..6) or IPv6 (2..18) address. 6 or 18 bytes; the ABI layer writes at most what the
/// guest declared (guests declare 14 for 26 allocated: a known quirk).
pub fn sockaddr_data(addr: &std::net::SocketAddr) -> Vec<u8> {
    let mut v = addr.port().to_be_bytes().to_vec();
    match addr {
        std::net::SocketAddr::V4(a) => v.extend_from_slice(&a.ip().octets()),
        std::net::SocketAddr::V6(a) => v.extend_from_slice(&a.ip().octets()),
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inet(s: &str) -> SocketAddr {
        SocketAddr::Inet(s.parse().unwrap())
    }

    #[test]
    fn v1_inputs_by_length() {
        assert_eq!(decode_addr(&[127, 0, 0, 1], 80), Ok(inet("127.0.0.1:80")));
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(decode_addr(&v6, 443), Ok(inet("[::1]:443")));
        for len in [0, 3, 5, 15, 17, 127, 129] {
            assert_eq!(
                decode_addr(&vec![0; len], 1),
                Err(Errno::Inval),
                "len {len}"
            );
        }
    }

    #[test]
    fn v2_round_trips_every_family() {
        for a in [
            inet("10.1.2.3:4"),
            inet("[fe80::1:2]:65535"),
            SocketAddr::Unix("/d/s.sock".into()),
        ] {
            let mut buf = [0xAAu8; V2_LEN];
            let port = encode_addr_v2(&a, &mut buf).unwrap();
            assert_eq!(decode_addr(&buf, port), Ok(a.clone()));
        }
        let mut buf = [0xAAu8; V2_LEN];
        assert_eq!(encode_addr_v2(&inet("1.2.3.4:5"), &mut buf), Ok(5));
        assert_eq!(&buf[..6], &[1, 0, 1, 2, 3, 4]);
        assert!(buf[6..].iter().all(|&b| b == 0), "tail not zeroed");
    }

    #[test]
    fn v2_refuses_bad_families_paths_and_buffers() {
        let mut buf = [0u8; V2_LEN];
        buf[0] = 9;
        assert_eq!(decode_addr(&buf, 0), Err(Errno::Afnosupport));
        // Unix: no NUL, empty, not UTF-8.
        let mut u = [b'a'; V2_LEN];
        u[..2].copy_from_slice(&3u16.to_le_bytes());
        assert_eq!(decode_addr(&u, 0), Err(Errno::Inval));
        u[2] = 0;
        assert_eq!(decode_addr(&u, 0), Err(Errno::Inval));
        u[2] = 0xff;
        u[3] = 0;
        assert_eq!(decode_addr(&u, 0), Err(Errno::Inval));
        let long = SocketAddr::Unix("x".repeat(126));
        assert_eq!(encode_addr_v2(&long, &mut buf), Err(Errno::Nametoolong));
        let fits = SocketAddr::Unix("x".repeat(125));
        let port = encode_addr_v2(&fits, &mut buf).unwrap();
        assert_eq!(decode_addr(&buf, port), Ok(fits));
        assert_eq!(
            encode_addr_v2(&inet("1.2.3.4:5"), &mut [0u8; 127]),
            Err(Errno::Inval)
        );
    }

    #[test]
    fn v1_outputs() {
        let mut buf = [0u8; 16];
        assert_eq!(encode_addr_v1(&inet("1.2.3.4:5"), &mut buf), Ok((4, 5)));
        assert_eq!(&buf[..4], &[1, 2, 3, 4]);
        assert_eq!(encode_addr_v1(&inet("[::2]:6"), &mut buf), Ok((6, 6)));
        assert_eq!(buf[15], 2);
        // WasmEdge accepts a 4-byte buffer for IPv4.
        assert_eq!(
            encode_addr_v1(&inet("1.2.3.4:5"), &mut [0u8; 4]),
            Ok((4, 5))
        );
        assert_eq!(
            encode_addr_v1(&inet("[::2]:6"), &mut [0u8; 4]),
            Err(Errno::Inval)
        );
        assert_eq!(
            encode_addr_v1(&SocketAddr::Unix("/a".into()), &mut buf),
            Err(Errno::Afnosupport)
        );
    }

    #[test]
    fn hints_and_sockaddr_data() {
        let mut h = [0u8; ADDRINFO_LEN];
        assert_eq!(decode_hints(&h), Ok(crate::net::AddrInfoHints::default()));
        h[0] = 5;
        h[2] = 2;
        h[3] = 1;
        h[4] = 2;
        h[12] = 0xff; // pointer fields are ignored
        assert_eq!(
            decode_hints(&h),
            Ok(crate::net::AddrInfoHints {
                flags: 5,
                family: Some(AddressFamily::Inet6),
                socktype: Some(crate::net::SocketType::Dgram),
                protocol: 2,
            })
        );
        h[2] = 7;
        assert_eq!(decode_hints(&h), Err(Errno::Afnosupport));
        h[2] = 1;
        h[3] = 9;
        assert_eq!(decode_hints(&h), Err(Errno::Inval));
        h[3] = 2;
        h[4] = 3;
        assert_eq!(decode_hints(&h), Err(Errno::Protonosupport));
        assert_eq!(
            sockaddr_data(&"1.2.3.4:258".parse().unwrap()),
            [1, 2, 1, 2, 3, 4]
        );
        let d = sockaddr_data(&"[::1]:80".parse().unwrap());
        assert_eq!((d.len(), &d[..2], d[17]), (18, &[0u8, 80][..], 1));
    }
}
