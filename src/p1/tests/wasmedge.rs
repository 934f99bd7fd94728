//! The WasmEdge socket extension's ABI layer: layouts, out-parameter widths, and hostile
//! pointers, lengths and values (SOCKETS.md).

use super::fake::Fake;
use super::{BAD_FDS, MEM, Mem, err};
use crate::abi::Errno;
use crate::net::{SockOptValue, SocketAddr};
use crate::p1::calls::wasmedge::MAX_ADDRINFO;
use crate::p1::calls::*;

const TOP: u32 = MEM as u32;
/// Guard bytes around out-parameters: a write of the wrong width shows up as a changed guard.
const GUARD: u8 = 0xEE;

/// A memory filled with guard bytes.
fn guarded() -> Mem {
    let mut m = Mem::new();
    m.0.fill(GUARD);
    m
}

/// Writes an address descriptor `{ buf_ptr, buf_len }` at `at`.
fn desc(m: &mut Mem, at: u32, buf: u32, len: u32) {
    m.put_u32(at, buf);
    m.put_u32(at + 4, len);
}

/// A 128-byte V2 address buffer: u16 LE family, then `bytes`.
fn v2(family: u16, bytes: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[..2].copy_from_slice(&family.to_le_bytes());
    b[2..2 + bytes.len()].copy_from_slice(bytes);
    b
}

#[test]
fn open_writes_the_fd_and_checks_its_pointer_first() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    sock_open(&mut sys, &mut m.0, 1, 2, 8).unwrap();
    assert_eq!(sys.last(), "sock_open(INET4,STREAM)");
    assert_eq!(m.u32(8), 5);
    assert_eq!((m.0[7], m.0[12]), (GUARD, GUARD));
    sock_open(&mut sys, &mut m.0, 3, 1, 8).unwrap();
    assert_eq!(sys.last(), "sock_open(UNIX,DGRAM)");

    let calls = sys.log.len();
    for (family, ty, e) in [
        (0, 2, Errno::Afnosupport),
        (4, 2, Errno::Afnosupport),
        (u32::MAX, 2, Errno::Afnosupport),
        (1, 0, Errno::Inval),
        (1, 3, Errno::Inval),
    ] {
        assert_eq!(err(sock_open(&mut sys, &mut m.0, family, ty, 8)), e);
    }
    assert_eq!(
        err(sock_open(&mut sys, &mut m.0, 1, 2, TOP - 2)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_open(&mut sys, &mut m.0, 1, 2, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(err(sock_open(&mut sys, &mut m.0, 1, 2, 9)), Errno::Inval);
    assert_eq!(
        sys.log.len(),
        calls,
        "no socket opened that could not be reported"
    );
}

#[test]
fn bind_and_connect_read_every_address_form() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    // V1: 4 and 16 raw bytes.
    m.put(100, &[127, 0, 0, 1]);
    desc(&mut m, 16, 100, 4);
    sock_bind(&mut sys, &mut m.0, 6, 16, 8080).unwrap();
    assert_eq!(sys.last(), "sock_bind(6,127.0.0.1:8080)");
    let mut v6 = [0u8; 16];
    v6[15] = 1;
    m.put(200, &v6);
    desc(&mut m, 16, 200, 16);
    sock_connect(&mut sys, &mut m.0, 6, 16, 443).unwrap();
    assert_eq!(sys.last(), "sock_connect(6,[::1]:443)");
    // V2: 128 tagged bytes, inet4 and unix.
    m.put(1000, &v2(1, &[10, 0, 0, 2]));
    desc(&mut m, 16, 1000, 128);
    sock_connect(&mut sys, &mut m.0, 6, 16, 65535).unwrap();
    assert_eq!(sys.last(), "sock_connect(6,10.0.0.2:65535)");
    m.put(1000, &v2(3, b"/s/echo.sock\0"));
    sock_bind(&mut sys, &mut m.0, 6, 16, 0).unwrap();
    assert_eq!(sys.last(), "sock_bind(6,unix:/s/echo.sock)");

    let calls = sys.log.len();
    // A port past u16, an odd buffer length, an unknown V2 family.
    assert_eq!(
        err(sock_bind(&mut sys, &mut m.0, 6, 16, 65536)),
        Errno::Inval
    );
    desc(&mut m, 16, 100, 5);
    assert_eq!(err(sock_bind(&mut sys, &mut m.0, 6, 16, 1)), Errno::Inval);
    m.put(1000, &v2(9, &[1, 2, 3, 4]));
    desc(&mut m, 16, 1000, 128);
    assert_eq!(
        err(sock_connect(&mut sys, &mut m.0, 6, 16, 1)),
        Errno::Afnosupport
    );
    // The descriptor out of bounds or misaligned; the buffer it names out of bounds.
    assert_eq!(
        err(sock_bind(&mut sys, &mut m.0, 6, TOP - 4, 1)),
        Errno::Fault
    );
    assert_eq!(err(sock_bind(&mut sys, &mut m.0, 6, 18, 1)), Errno::Inval);
    desc(&mut m, 16, TOP - 2, 4);
    assert_eq!(
        err(sock_connect(&mut sys, &mut m.0, 6, 16, 1)),
        Errno::Fault
    );
    desc(&mut m, 16, u32::MAX - 1, 4);
    assert_eq!(
        err(sock_connect(&mut sys, &mut m.0, 6, 16, 1)),
        Errno::Fault
    );
    desc(&mut m, 16, 0, u32::MAX);
    assert_eq!(
        err(sock_connect(&mut sys, &mut m.0, 6, 16, 1)),
        Errno::Fault
    );
    assert_eq!(sys.log.len(), calls, "nothing bad reached the host");

    desc(&mut m, 16, 100, 4);
    for fd in BAD_FDS {
        assert_eq!(err(sock_bind(&mut sys, &mut m.0, fd, 16, 1)), Errno::Badf);
        assert_eq!(
            err(sock_connect(&mut sys, &mut m.0, fd, 16, 1)),
            Errno::Badf
        );
        assert_eq!(err(sock_listen(&mut sys, &mut m.0, fd, 1)), Errno::Badf);
    }
    sock_listen(&mut sys, &mut m.0, 6, 0xffff_ffff).unwrap();
    assert_eq!(sys.last(), "sock_listen(6,4294967295)");
}

#[test]
fn accept_v1_has_no_flags_and_checks_its_pointer_first() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    sock_accept_v1(&mut sys, &mut m.0, 6, 8).unwrap();
    assert_eq!(sys.last(), "sock_accept(6,0x0)");
    assert_eq!((m.u32(8), m.0[12]), (5, GUARD));
    let calls = sys.log.len();
    assert_eq!(
        err(sock_accept_v1(&mut sys, &mut m.0, 6, TOP)),
        Errno::Fault
    );
    assert_eq!(err(sock_accept_v1(&mut sys, &mut m.0, 6, 10)), Errno::Inval);
    assert_eq!(
        sys.log.len(),
        calls,
        "no connection accepted that could not be reported"
    );
}

#[test]
fn send_to_sends_to_the_address() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put(100, &[192, 168, 1, 9]);
    desc(&mut m, 16, 100, 4);
    m.put(3000, b"datagram");
    m.put_iovs(64, &[(3000, 4), (3004, 4)]);
    sock_send_to(&mut sys, &mut m.0, 6, 64, 2, 16, 53, 0, 32).unwrap();
    assert_eq!(sys.last(), "sock_send_to(6,2,192.168.1.9:53,0x0)");
    assert_eq!((sys.output.as_slice(), m.u32(32)), (&b"datagram"[..], 8));

    let calls = sys.log.len();
    assert_eq!(
        err(sock_send_to(&mut sys, &mut m.0, 6, 64, 2, 16, 53, 1, 32)),
        Errno::Inval,
        "siflags"
    );
    assert_eq!(
        err(sock_send_to(&mut sys, &mut m.0, 6, 64, 1025, 16, 53, 0, 32)),
        Errno::Inval,
        "more than 1024 iovecs"
    );
    assert_eq!(
        err(sock_send_to(&mut sys, &mut m.0, 6, 64, 2, 16, 70000, 0, 32)),
        Errno::Inval,
        "port"
    );
    assert_eq!(
        err(sock_send_to(
            &mut sys,
            &mut m.0,
            6,
            64,
            2,
            16,
            53,
            0,
            TOP - 3
        )),
        Errno::Fault
    );
    assert_eq!(
        err(sock_send_to(
            &mut sys,
            &mut m.0,
            6,
            TOP - 8,
            2,
            16,
            53,
            0,
            32
        )),
        Errno::Fault
    );
    assert_eq!(sys.log.len(), calls);
    for fd in BAD_FDS {
        assert_eq!(
            err(sock_send_to(&mut sys, &mut m.0, fd, 64, 2, 16, 53, 0, 32)),
            Errno::Badf
        );
    }
}

#[test]
fn recv_from_v1_writes_raw_ip_bytes_and_no_port() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    m.put_iovs(64, &[(2000, 5)]);
    desc(&mut m, 16, 100, 16);
    sock_recv_from_v1(&mut sys, &mut m.0, 6, 64, 1, 16, 1, 40, 44).unwrap();
    assert_eq!(sys.last(), "sock_recv_from(6,1,0x1)");
    assert_eq!(m.get(2000, 5), b"hello");
    assert_eq!(m.get(100, 4), &[1, 2, 3, 4]);
    assert_eq!((m.u32(40), m.u16(44), m.0[46]), (5, 1, GUARD));
    assert_eq!(m.0[116], GUARD, "nothing past the buffer");

    // A sender V1 cannot express (none, unix, IPv6 into 4 bytes) reads as zeros: the data is
    // already consumed, so the call must not fail.
    for (peer, len) in [
        (None, 16),
        (Some(SocketAddr::Unix("/s".into())), 16),
        (Some(SocketAddr::Inet("[::2]:1".parse().unwrap())), 4),
    ] {
        sys.peer = peer;
        sys.input = b"x".to_vec();
        m.0[100..116].fill(GUARD);
        desc(&mut m, 16, 100, len);
        sock_recv_from_v1(&mut sys, &mut m.0, 6, 64, 1, 16, 0, 40, 44).unwrap();
        assert_eq!(m.get(100, len as usize), vec![0; len as usize]);
        assert_eq!(m.0[100 + len as usize], GUARD);
        assert_eq!(m.u32(40), 1);
    }

    let calls = sys.log.len();
    desc(&mut m, 16, 100, 3);
    assert_eq!(
        err(sock_recv_from_v1(
            &mut sys, &mut m.0, 6, 64, 1, 16, 0, 40, 44
        )),
        Errno::Inval,
        "address buffer too small for any address"
    );
    desc(&mut m, 16, TOP - 8, 16);
    assert_eq!(
        err(sock_recv_from_v1(
            &mut sys, &mut m.0, 6, 64, 1, 16, 0, 40, 44
        )),
        Errno::Fault
    );
    desc(&mut m, 16, 100, 16);
    for (nread, roflags, e) in [
        (TOP, 44, Errno::Fault),
        (41, 44, Errno::Inval),
        (40, TOP - 1, Errno::Fault),
        (40, 45, Errno::Inval),
    ] {
        assert_eq!(
            err(sock_recv_from_v1(
                &mut sys, &mut m.0, 6, 64, 1, 16, 0, nread, roflags
            )),
            e
        );
    }
    assert_eq!(
        err(sock_recv_from_v1(
            &mut sys, &mut m.0, 6, 64, 1, 16, 4, 40, 44
        )),
        Errno::Inval,
        "riflags"
    );
    assert_eq!(
        err(sock_recv_from_v1(
            &mut sys, &mut m.0, 6, 64, 2000, 16, 0, 40, 44
        )),
        Errno::Inval,
        "more than 1024 iovecs"
    );
    assert_eq!(
        sys.log.len(),
        calls,
        "no datagram consumed that could not be reported"
    );
}

#[test]
fn recv_from_v2_writes_the_tagged_address_and_a_u16_port() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    m.put_iovs(64, &[(2000, 12)]);
    desc(&mut m, 16, 1000, 128);
    sock_recv_from_v2(&mut sys, &mut m.0, 6, 64, 1, 16, 0, 48, 40, 44).unwrap();
    assert_eq!(m.get(2000, 12), b"hello, world");
    assert_eq!(m.get(1000, 6), &[1, 0, 1, 2, 3, 4]);
    assert!(m.get(1006, 122).iter().all(|&b| b == 0), "tail zeroed");
    assert_eq!(m.0[1128], GUARD);
    assert_eq!(m.u16(48), 5678);
    assert_eq!((m.0[50], m.0[51]), (GUARD, GUARD), "the port is a u16");
    assert_eq!((m.u32(40), m.u16(44)), (12, 1));

    // No sender: family 0, port 0.
    sys.peer = None;
    sys.input = b"y".to_vec();
    sock_recv_from_v2(&mut sys, &mut m.0, 6, 64, 1, 16, 0, 48, 40, 44).unwrap();
    assert!(m.get(1000, 128).iter().all(|&b| b == 0));
    assert_eq!(m.u16(48), 0);
    // A unix sender: family 3, its path.
    sys.peer = Some(SocketAddr::Unix("peer.sock".into()));
    sys.input = b"z".to_vec();
    sock_recv_from_v2(&mut sys, &mut m.0, 6, 64, 1, 16, 0, 48, 40, 44).unwrap();
    assert_eq!(m.get(1000, 12), b"\x03\x00peer.sock\0");

    let calls = sys.log.len();
    desc(&mut m, 16, 1000, 127);
    assert_eq!(
        err(sock_recv_from_v2(
            &mut sys, &mut m.0, 6, 64, 1, 16, 0, 48, 40, 44
        )),
        Errno::Inval,
        "a V2 buffer holds 128 bytes"
    );
    desc(&mut m, 16, 1000, 128);
    assert_eq!(
        err(sock_recv_from_v2(
            &mut sys, &mut m.0, 6, 64, 1, 16, 0, 49, 40, 44
        )),
        Errno::Inval
    );
    assert_eq!(
        err(sock_recv_from_v2(
            &mut sys,
            &mut m.0,
            6,
            64,
            1,
            16,
            0,
            TOP - 1,
            40,
            44
        )),
        Errno::Fault
    );
    assert_eq!(sys.log.len(), calls);
    for fd in BAD_FDS {
        assert_eq!(
            err(sock_recv_from_v2(
                &mut sys, &mut m.0, fd, 64, 1, 16, 0, 48, 40, 44
            )),
            Errno::Badf
        );
    }
}

#[test]
fn getsockopt_reads_and_writes_the_length_by_pointer() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    m.put_u32(40, 64);
    sock_getsockopt(&mut sys, &mut m.0, 6, 0, 5, 100, 40).unwrap();
    assert_eq!(sys.last(), "sock_getsockopt(6,SO_SNDBUF)");
    assert_eq!((m.u32(100), m.0[104], m.u32(40)), (7, GUARD, 4));
    sock_getsockopt(&mut sys, &mut m.0, 6, 6, 15, 100, 40).unwrap();
    assert_eq!(sys.last(), "sock_getsockopt(6,TCP_NODELAY)");

    sys.opt_value = SockOptValue::Linger(Some(std::time::Duration::from_secs(3)));
    m.put_u32(40, 8);
    sock_getsockopt(&mut sys, &mut m.0, 6, 0, 9, 200, 40).unwrap();
    assert_eq!(
        (m.u32(200), m.u32(204), m.0[208], m.u32(40)),
        (1, 3, GUARD, 8)
    );
    sys.opt_value = SockOptValue::Time(Some(std::time::Duration::from_millis(1500)));
    m.put_u32(40, 16);
    sock_getsockopt(&mut sys, &mut m.0, 6, 0, 11, 300, 40).unwrap();
    assert_eq!((m.u64(300), m.u64(308), m.u32(40)), (1, 500_000, 16));

    let calls = sys.log.len();
    m.put_u32(40, 3);
    assert_eq!(
        err(sock_getsockopt(&mut sys, &mut m.0, 6, 0, 2, 100, 40)),
        Errno::Inval,
        "a buffer too small would lose SO_ERROR"
    );
    m.put_u32(40, 8);
    assert_eq!(
        err(sock_getsockopt(&mut sys, &mut m.0, 6, 0, 11, 100, 40)),
        Errno::Inval,
        "a timeval needs 16 bytes"
    );
    m.put_u32(40, 4);
    assert_eq!(
        err(sock_getsockopt(&mut sys, &mut m.0, 6, 0, 2, TOP - 3, 40)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_getsockopt(&mut sys, &mut m.0, 6, 0, 2, 100, TOP)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_getsockopt(&mut sys, &mut m.0, 6, 0, 2, 100, 42)),
        Errno::Inval
    );
    for (level, name) in [(0, 15), (6, 0), (1, 0), (u32::MAX, u32::MAX)] {
        assert_eq!(
            err(sock_getsockopt(&mut sys, &mut m.0, 6, level, name, 100, 40)),
            Errno::Noprotoopt
        );
    }
    assert_eq!(sys.log.len(), calls);
    for fd in BAD_FDS {
        assert_eq!(
            err(sock_getsockopt(&mut sys, &mut m.0, fd, 0, 2, 100, 40)),
            Errno::Badf
        );
    }
}

#[test]
fn setsockopt_decodes_each_layout() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put(100, &1i32.to_le_bytes());
    sock_setsockopt(&mut sys, &mut m.0, 6, 0, 0, 100, 4).unwrap();
    assert_eq!(sys.last(), "sock_setsockopt(6,SO_REUSEADDR,Int(1))");
    m.put(100, &[1, 0, 0, 0, 9, 0, 0, 0]);
    sock_setsockopt(&mut sys, &mut m.0, 6, 0, 9, 100, 8).unwrap();
    assert_eq!(sys.last(), "sock_setsockopt(6,SO_LINGER,Linger(Some(9s)))");
    m.put(100, &[0; 16]);
    sock_setsockopt(&mut sys, &mut m.0, 6, 0, 12, 100, 16).unwrap();
    assert_eq!(sys.last(), "sock_setsockopt(6,SO_SNDTIMEO,Time(None))");

    let calls = sys.log.len();
    assert_eq!(
        err(sock_setsockopt(&mut sys, &mut m.0, 6, 0, 0, 100, 3)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_setsockopt(&mut sys, &mut m.0, 6, 0, 11, 100, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_setsockopt(&mut sys, &mut m.0, 6, 0, 0, TOP - 2, 4)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_setsockopt(&mut sys, &mut m.0, 6, 0, 0, 100, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_setsockopt(&mut sys, &mut m.0, 6, 9, 0, 100, 4)),
        Errno::Noprotoopt
    );
    assert_eq!(sys.log.len(), calls);
}

#[test]
fn local_and_peer_addresses_v1_write_u32_type_and_port() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    desc(&mut m, 16, 100, 16);
    // Local is [::1]:80.
    sock_getlocaladdr_v1(&mut sys, &mut m.0, 6, 16, 40, 48).unwrap();
    assert_eq!(m.get(100, 16), &std::net::Ipv6Addr::LOCALHOST.octets());
    assert_eq!((m.u32(40), m.u32(48), m.0[52]), (6, 80, GUARD));
    // Peer is 1.2.3.4:5678: four bytes, the rest of the buffer untouched.
    m.0[100..116].fill(GUARD);
    sock_getpeeraddr_v1(&mut sys, &mut m.0, 6, 16, 40, 48).unwrap();
    assert_eq!(m.get(100, 5), &[1, 2, 3, 4, GUARD]);
    assert_eq!((m.u32(40), m.u32(48)), (4, 5678));

    // Nothing is consumed by asking, so what V1 cannot say is an error.
    desc(&mut m, 16, 100, 4);
    assert_eq!(
        err(sock_getlocaladdr_v1(&mut sys, &mut m.0, 6, 16, 40, 48)),
        Errno::Inval
    );
    desc(&mut m, 16, 100, 16);
    sys.peer = Some(SocketAddr::Unix("/s".into()));
    assert_eq!(
        err(sock_getpeeraddr_v1(&mut sys, &mut m.0, 6, 16, 40, 48)),
        Errno::Afnosupport
    );
    sys.peer = None;
    assert_eq!(
        err(sock_getpeeraddr_v1(&mut sys, &mut m.0, 6, 16, 40, 48)),
        Errno::Notconn
    );

    let calls = sys.log.len();
    for (addrtype, port, e) in [
        (42, 48, Errno::Inval),
        (40, 50, Errno::Inval),
        (TOP, 48, Errno::Fault),
        (40, TOP - 2, Errno::Fault),
    ] {
        assert_eq!(
            err(sock_getlocaladdr_v1(
                &mut sys, &mut m.0, 6, 16, addrtype, port
            )),
            e
        );
    }
    desc(&mut m, 16, 100, 2);
    assert_eq!(
        err(sock_getlocaladdr_v1(&mut sys, &mut m.0, 6, 16, 40, 48)),
        Errno::Inval
    );
    assert_eq!(sys.log.len(), calls);
    desc(&mut m, 16, 100, 16);
    for fd in BAD_FDS {
        assert_eq!(
            err(sock_getlocaladdr_v1(&mut sys, &mut m.0, fd, 16, 40, 48)),
            Errno::Badf
        );
    }
}

#[test]
fn local_and_peer_addresses_v2_write_the_tagged_form_and_a_u32_port() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    desc(&mut m, 16, 1000, 128);
    sock_getlocaladdr_v2(&mut sys, &mut m.0, 6, 16, 48).unwrap();
    assert_eq!(m.get(1000, 2), &[2, 0]);
    assert_eq!(m.get(1002, 16), &std::net::Ipv6Addr::LOCALHOST.octets());
    assert_eq!((m.u32(48), m.0[52], m.0[1128]), (80, GUARD, GUARD));
    sock_getpeeraddr_v2(&mut sys, &mut m.0, 6, 16, 48).unwrap();
    assert_eq!(m.get(1000, 6), &[1, 0, 1, 2, 3, 4]);
    assert_eq!(m.u32(48), 5678);
    sys.local = SocketAddr::Unix("/sock/a".into());
    sock_getlocaladdr_v2(&mut sys, &mut m.0, 6, 16, 48).unwrap();
    assert_eq!(m.get(1000, 10), b"\x03\x00/sock/a\0");
    assert_eq!(m.u32(48), 0);

    let calls = sys.log.len();
    desc(&mut m, 16, 1000, 16);
    assert_eq!(
        err(sock_getlocaladdr_v2(&mut sys, &mut m.0, 6, 16, 48)),
        Errno::Inval
    );
    desc(&mut m, 16, TOP - 100, 128);
    assert_eq!(
        err(sock_getpeeraddr_v2(&mut sys, &mut m.0, 6, 16, 48)),
        Errno::Fault
    );
    desc(&mut m, 16, 1000, 128);
    assert_eq!(
        err(sock_getpeeraddr_v2(&mut sys, &mut m.0, 6, 16, 50)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_getpeeraddr_v2(&mut sys, &mut m.0, 6, 17, 48)),
        Errno::Inval
    );
    assert_eq!(sys.log.len(), calls);
}

/// Lays out a chain of `n` result nodes the way the WasmEdge guest library does: node `k` at
/// `4096 + 32k`, its sockaddr at `8192 + 16k` declaring `data_len` bytes of data at
/// `12288 + 32k`, a 30-byte canonical-name buffer at `16384 + 32k`.
fn chain(m: &mut Mem, n: u32, data_len: u32) -> u32 {
    let node = |k: u32| 4096 + 32 * k;
    for k in 0..n {
        m.put(node(k), &[GUARD; 28]);
        m.put_u32(node(k) + 12, 8192 + 16 * k);
        m.put_u32(node(k) + 16, 16384 + 32 * k);
        m.put_u32(node(k) + 20, 30);
        m.put_u32(node(k) + 24, if k + 1 < n { node(k + 1) } else { 0 });
        m.put(8192 + 16 * k, &[GUARD; 12]);
        m.put_u32(8192 + 16 * k + 4, data_len);
        m.put_u32(8192 + 16 * k + 8, 12288 + 32 * k);
    }
    m.put_u32(60, node(0));
    60
}

#[test]
fn getaddrinfo_fills_the_guest_chain() {
    let (mut sys, mut m) = (Fake::default(), guarded());
    m.put(100, b"localhost\0");
    m.put(120, b"8080\0");
    let mut hints = [0u8; 28];
    hints[0] = 2; // CANONNAME
    m.put(200, &hints);
    let res = chain(&mut m, 3, 14);
    sock_getaddrinfo(&mut sys, &mut m.0, 100, 10, 120, 5, 200, res, 3, 40).unwrap();
    assert_eq!(
        sys.last(),
        r#"sock_getaddrinfo("localhost\0","8080\0",0x2,None,None,0,3)"#
    );
    assert_eq!(m.u32(40), 2);
    // Node 0: flags, family inet4, stream, TCP, 6 bytes of address, the canonical name.
    assert_eq!(m.u16(4096), 2);
    assert_eq!(m.get(4096 + 2, 2), &[1, 2]);
    assert_eq!(
        (m.u32(4096 + 4), m.u32(4096 + 8), m.u32(4096 + 20)),
        (1, 6, 9)
    );
    assert_eq!(m.0[8192], 1, "sockaddr family");
    assert_eq!(m.get(12288, 7), &[0x1f, 0x90, 127, 0, 0, 1, GUARD]);
    assert_eq!(m.get(16384, 10), b"localhost\xee");
    // Node 1: inet6, dgram, UDP, 18 bytes of address in the quirk's 26-byte buffer.
    assert_eq!(m.get(4128 + 2, 2), &[2, 1]);
    assert_eq!(
        (m.u32(4128 + 4), m.u32(4128 + 8), m.u32(4128 + 20)),
        (2, 18, 0)
    );
    assert_eq!(m.0[8208], 2);
    let mut want = vec![0x1f, 0x90];
    want.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
    want.push(GUARD);
    assert_eq!(m.get(12320, 19), want.as_slice());
    // The pointers the guest set are unchanged; node 2 holds no result and is untouched.
    assert_eq!((m.u32(4096 + 12), m.u32(4096 + 24)), (8192, 4128));
    assert_eq!(m.get(4160, 12), &[GUARD; 12]);

    // max_res bounds what is asked and filled; a short chain bounds it too.
    sock_getaddrinfo(&mut sys, &mut m.0, 100, 10, 120, 5, 200, res, 1, 40).unwrap();
    assert!(sys.last().ends_with(",1)"), "{}", sys.last());
    assert_eq!(m.u32(40), 1);
    let res = chain(&mut m, 1, 14);
    sock_getaddrinfo(&mut sys, &mut m.0, 100, 10, 120, 5, 200, res, u32::MAX, 40).unwrap();
    assert!(sys.last().ends_with(",1)"), "{}", sys.last());
    // An empty chain asks for nothing.
    m.put_u32(60, 0);
    sock_getaddrinfo(&mut sys, &mut m.0, 100, 10, 120, 5, 200, 60, 5, 40).unwrap();
    assert!(sys.last().ends_with(",0)"), "{}", sys.last());
    assert_eq!(m.u32(40), 0);
}

#[test]
fn getaddrinfo_refuses_hostile_chains_before_resolving() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put(100, b"localhost");
    m.put(200, &[0u8; 28]);
    let calls = sys.log.len();
    let call = |sys: &mut Fake, m: &mut Mem, res: u32, max: u32, count: u32| {
        sock_getaddrinfo(sys, &mut m.0, 100, 9, 120, 0, 200, res, max, count)
    };

    // A cycle would make results overwrite each other.
    let res = chain(&mut m, 3, 14);
    m.put_u32(4096 + 64 + 24, 4096);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), Errno::Inval);
    m.put_u32(4096 + 24, 4096);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), Errno::Inval);
    // A node, its sockaddr, its data or name buffer out of bounds or misaligned.
    let res = chain(&mut m, 2, 14);
    for (at, v, e) in [
        (4096 + 24, TOP - 20, Errno::Fault),
        (4096 + 24, 4130, Errno::Inval),
        (4128 + 12, TOP - 4, Errno::Fault),
        (4128 + 12, 8210, Errno::Inval),
        (8208 + 8, TOP - 10, Errno::Fault),
        (4128 + 16, TOP - 10, Errno::Fault),
        (4128 + 20, u32::MAX, Errno::Fault),
    ] {
        chain(&mut m, 2, 14);
        m.put_u32(at, v);
        assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), e, "{at}: {v:#x}");
    }
    chain(&mut m, 2, 14);
    assert_eq!(err(call(&mut sys, &mut m, TOP - 2, 10, 40)), Errno::Fault);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, TOP)), Errno::Fault);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 41)), Errno::Inval);
    // Hints: unknown family, bad pointer; node not UTF-8.
    m.put(200, &[0, 0, 7, 0]);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), Errno::Afnosupport);
    m.put(200, &[0u8; 4]);
    assert_eq!(
        err(sock_getaddrinfo(
            &mut sys,
            &mut m.0,
            100,
            9,
            120,
            0,
            TOP - 27,
            res,
            10,
            40
        )),
        Errno::Fault
    );
    m.put(100, b"\xff");
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), Errno::Ilseq);
    assert_eq!(
        err(sock_getaddrinfo(
            &mut sys,
            &mut m.0,
            TOP - 2,
            9,
            120,
            0,
            200,
            res,
            10,
            40
        )),
        Errno::Fault
    );
    assert_eq!(sys.log.len(), calls, "nothing was resolved");

    // A data buffer declared too small for the answer (6 bytes for IPv6) is EINVAL; the
    // quirk's 14 stands for 26 and holds it.
    m.put(100, b"localhost");
    chain(&mut m, 2, 6);
    assert_eq!(err(call(&mut sys, &mut m, res, 10, 40)), Errno::Inval);
    chain(&mut m, 2, 18);
    call(&mut sys, &mut m, res, 10, 40).unwrap();
    assert_eq!(m.u32(40), 2);
}

#[test]
fn a_huge_max_res_walks_a_bounded_chain() {
    // A chain that loops through many distinct nodes stops at MAX_ADDRINFO.
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put(200, &[0u8; 28]);
    let n = MAX_ADDRINFO + 10;
    for k in 0..n {
        let node = 8 * 1024 + 32 * k;
        m.put_u32(node + 12, 60_000);
        m.put_u32(node + 24, node + 32);
    }
    m.put_u32(60_000 + 4, 14);
    m.put_u32(60_000 + 8, 61_000);
    m.put_u32(60, 8 * 1024);
    sock_getaddrinfo(&mut sys, &mut m.0, 100, 0, 120, 0, 200, 60, u32::MAX, 40).unwrap();
    assert!(
        sys.last().ends_with(&format!(",{MAX_ADDRINFO})")),
        "{}",
        sys.last()
    );
}
