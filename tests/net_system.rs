//! Sockets at the `System` level on loopback only (127.0.0.1, ::1, unix sockets in a temp
//! dir): echo over TCP for each family with two `UnixSystem`s on two threads, UDP with
//! truncation, PEEK and WAITALL, options, addresses, name resolution, non-blocking connect with
//! poll, the network policy (refusals happen before any syscall: a listening test server sees
//! no connection) and preopened sockets. Every blocking socket gets a receive timeout so a
//! broken build fails instead of hanging.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::sync::mpsc;
use std::time::Duration;

use capwasi::abi::{
    Clockid, Errno, Event, Eventrwflags, Fd, Fdflags, Filetype, Lookupflags, Oflags, Riflags,
    Rights, Roflags, Siflags, Subclockflags, Subscription, SubscriptionClock, SubscriptionKind,
};
use capwasi::host::UnixSystem;
use capwasi::net::{
    AddrInfoHints, AddressFamily, NetPolicy, SockOpt, SockOptValue, SocketAddr, SocketSpec,
    SocketType, ai_flags,
};
use capwasi::system::System;
use capwasi::table::Limits;

mod common;
mod net_common;
use net_common::policy;

const TIMEOUT: Duration = Duration::from_secs(10);

fn system(p: NetPolicy) -> UnixSystem {
    let mut s = UnixSystem::new(Limits::default());
    s.set_net_policy(p);
    s
}

fn inet(s: &str) -> SocketAddr {
    SocketAddr::Inet(s.parse().unwrap())
}

/// A socket with receive/send timeouts so no test can hang.
fn open(sys: &mut UnixSystem, af: AddressFamily, ty: SocketType) -> Fd {
    let fd = sys.sock_open(af, ty).unwrap();
    for o in [SockOpt::RcvTimeo, SockOpt::SndTimeo] {
        sys.sock_setsockopt(fd, o, SockOptValue::Time(Some(TIMEOUT)))
            .unwrap();
    }
    fd
}

fn send_all(sys: &mut UnixSystem, fd: Fd, mut data: &[u8]) {
    while !data.is_empty() {
        let n = sys
            .sock_send(fd, &[IoSlice::new(data)], Siflags::empty())
            .unwrap();
        data = &data[n..];
    }
}

fn recv(sys: &mut UnixSystem, fd: Fd, len: usize, flags: Riflags) -> (Vec<u8>, Roflags) {
    let mut buf = vec![0u8; len];
    let (n, ro) = sys
        .sock_recv(fd, &mut [IoSliceMut::new(&mut buf)], flags)
        .unwrap();
    buf.truncate(n);
    (buf, ro)
}

/// Server on one thread, client on another, each its own `UnixSystem`; the client sends three
/// messages and reads each echo back.
fn echo(
    server_policy: NetPolicy,
    client_policy: NetPolicy,
    af: AddressFamily,
    bind_to: SocketAddr,
    dir: Option<&std::path::Path>,
) {
    let (tx, rx) = mpsc::channel::<SocketAddr>();
    let dir_s = dir.map(|d| d.to_owned());
    let server = std::thread::spawn(move || {
        let mut sys = system(server_policy);
        if let Some(d) = &dir_s {
            sys.preopen_dir(d, "/sock", false).unwrap();
        }
        let l = open(&mut sys, af, SocketType::Stream);
        sys.sock_setsockopt(l, SockOpt::ReuseAddr, SockOptValue::Int(1))
            .unwrap();
        sys.sock_bind(l, &bind_to).unwrap();
        sys.sock_listen(l, 16).unwrap();
        assert_eq!(
            sys.sock_getsockopt(l, SockOpt::AcceptConn),
            Ok(SockOptValue::Int(1))
        );
        let local = sys.sock_getlocaladdr(l).unwrap();
        if let SocketAddr::Unix(_) = &bind_to {
            // The guest path, not the kernel's /proc form.
            assert_eq!(local, bind_to);
        }
        tx.send(local).unwrap();
        let c = sys.sock_accept(l, Fdflags::empty()).unwrap();
        assert_eq!(
            sys.fd_fdstat_get(c).unwrap().filetype,
            Filetype::SocketStream
        );
        for o in [SockOpt::RcvTimeo, SockOpt::SndTimeo] {
            sys.sock_setsockopt(c, o, SockOptValue::Time(Some(TIMEOUT)))
                .unwrap();
        }
        loop {
            let (data, _) = recv(&mut sys, c, 4096, Riflags::empty());
            if data.is_empty() {
                break;
            }
            send_all(&mut sys, c, &data);
        }
        sys.fd_close(c).unwrap();
    });
    let target = rx.recv_timeout(TIMEOUT).unwrap();
    let mut sys = system(client_policy);
    if let Some(d) = dir {
        sys.preopen_dir(d, "/sock", false).unwrap();
    }
    let c = open(&mut sys, af, SocketType::Stream);
    sys.sock_connect(c, &target).unwrap();
    if let SocketAddr::Inet(t) = &target {
        assert_eq!(sys.sock_getpeeraddr(c), Ok(SocketAddr::Inet(*t)));
        let SocketAddr::Inet(local) = sys.sock_getlocaladdr(c).unwrap() else {
            panic!("local address of an inet socket is not inet");
        };
        assert_eq!(local.ip(), t.ip());
        assert_ne!(local.port(), 0);
    } else {
        // Unix peers are reported by their last component (see host::socket::guest_addr);
        // the unbound client end is unnamed.
        assert_eq!(
            sys.sock_getpeeraddr(c),
            Ok(SocketAddr::Unix("echo.sock".into()))
        );
        assert_eq!(
            sys.sock_getlocaladdr(c),
            Ok(SocketAddr::Unix(String::new()))
        );
    }
    for msg in [&b"hello"[..], b"", b"a somewhat longer line of text\n"] {
        if msg.is_empty() {
            continue;
        }
        send_all(&mut sys, c, msg);
        let mut got = Vec::new();
        while got.len() < msg.len() {
            let (d, _) = recv(&mut sys, c, msg.len() - got.len(), Riflags::empty());
            assert!(!d.is_empty(), "server closed early");
            got.extend(d);
        }
        assert_eq!(got, msg);
    }
    sys.sock_shutdown(c, capwasi::abi::Sdflags::WR).unwrap();
    let (rest, _) = recv(&mut sys, c, 16, Riflags::empty());
    assert!(rest.is_empty());
    server.join().unwrap();
}

#[test]
fn tcp_echo_ipv4() {
    echo(
        policy(&[], &["127.0.0.1:0"], &[]),
        policy(&["127.0.0.1:*"], &[], &[]),
        AddressFamily::Inet4,
        inet("127.0.0.1:0"),
        None,
    );
}

#[test]
fn tcp_echo_ipv6() {
    // Hosts without IPv6 loopback cannot run this; say so instead of passing silently.
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipping: no ::1 on this host");
        return;
    }
    echo(
        policy(&[], &["[::1]:0"], &[]),
        policy(&["[::1]:*"], &[], &[]),
        AddressFamily::Inet6,
        inet("[::1]:0"),
        None,
    );
}

#[test]
fn unix_echo_inside_a_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    echo(
        policy(&[], &["unix:/sock/*"], &[]),
        policy(&["unix:/sock/*"], &[], &[]),
        AddressFamily::Unix,
        SocketAddr::Unix("/sock/sub/echo.sock".into()),
        Some(tmp.path()),
    );
    // The socket file was made inside the preopen, where the guest named it.
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(tmp.path().join("sub/echo.sock")).unwrap();
    assert!(meta.file_type().is_socket());
}

#[test]
fn unix_paths_cannot_leave_the_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    let inner = tmp.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    // A real socket outside the preopen, reachable by `..` or through a symlink inside it.
    let outside = std::os::unix::net::UnixListener::bind(tmp.path().join("out.sock")).unwrap();
    outside.set_nonblocking(true).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("out.sock"), inner.join("link.sock")).unwrap();
    let mut sys = system(policy(&["unix:*"], &["unix:*"], &[]));
    sys.preopen_dir(&inner, "/in", false).unwrap();
    let s = open(&mut sys, AddressFamily::Unix, SocketType::Stream);
    for p in ["/in/../out.sock", "/in/link.sock"] {
        assert!(
            sys.sock_connect(s, &SocketAddr::Unix(p.into())).is_err(),
            "{p} connected"
        );
    }
    // A path under no preopen at all.
    assert_eq!(
        sys.sock_connect(s, &SocketAddr::Unix("/elsewhere/x.sock".into())),
        Err(Errno::Noent)
    );
    assert_eq!(
        sys.sock_bind(s, &SocketAddr::Unix("/in/../new.sock".into()))
            .map_err(|_| ()),
        Err(())
    );
    assert!(!tmp.path().join("new.sock").exists());
    assert!(
        outside.accept().is_err(),
        "a connection escaped the preopen"
    );
}

#[test]
fn udp_send_to_recv_from_truncation_and_peek() {
    let p = policy(&["127.0.0.1:*"], &["127.0.0.1:0"], &[]);
    let mut sys = system(p);
    let a = open(&mut sys, AddressFamily::Inet4, SocketType::Dgram);
    let b = open(&mut sys, AddressFamily::Inet4, SocketType::Dgram);
    sys.sock_bind(a, &inet("127.0.0.1:0")).unwrap();
    sys.sock_bind(b, &inet("127.0.0.1:0")).unwrap();
    let a_addr = sys.sock_getlocaladdr(a).unwrap();
    let b_addr = sys.sock_getlocaladdr(b).unwrap();
    assert_eq!(
        sys.sock_getsockopt(a, SockOpt::Type),
        Ok(SockOptValue::Int(1))
    );

    let n = sys
        .sock_send_to(
            a,
            &[IoSlice::new(b"0123"), IoSlice::new(b"456789")],
            &b_addr,
            Siflags::empty(),
        )
        .unwrap();
    assert_eq!(n, 10);
    // PEEK leaves the datagram queued.
    let mut buf = [0u8; 16];
    let (n, from, ro) = sys
        .sock_recv_from(b, &mut [IoSliceMut::new(&mut buf)], Riflags::RECV_PEEK)
        .unwrap();
    assert_eq!(
        (&buf[..n], from.as_ref(), ro),
        (&b"0123456789"[..], Some(&a_addr), Roflags::empty())
    );
    // A buffer too small: the rest of the datagram is lost and reported.
    let mut small = [0u8; 4];
    let (n, from, ro) = sys
        .sock_recv_from(b, &mut [IoSliceMut::new(&mut small)], Riflags::empty())
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(&small, b"0123");
    assert_eq!(from, Some(a_addr.clone()));
    assert_eq!(ro, Roflags::RECV_DATA_TRUNCATED);
    // Nothing left: a non-blocking receive says EAGAIN.
    sys.fd_fdstat_set_flags(b, Fdflags::NONBLOCK).unwrap();
    assert_eq!(
        sys.sock_recv_from(b, &mut [IoSliceMut::new(&mut buf)], Riflags::empty())
            .map(|r| r.0),
        Err(Errno::Again)
    );
}

#[test]
fn waitall_waits_for_the_whole_buffer() {
    let mut sys = system(policy(&["127.0.0.1:*"], &[], &[]));
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let c = open(&mut sys, AddressFamily::Inet4, SocketType::Stream);
    sys.sock_connect(c, &inet(&format!("127.0.0.1:{port}")))
        .unwrap();
    let (mut peer, _) = l.accept().unwrap();
    let writer = std::thread::spawn(move || {
        peer.write_all(b"ab").unwrap();
        std::thread::sleep(Duration::from_millis(100));
        peer.write_all(b"cd").unwrap();
        peer
    });
    let (d, _) = recv(&mut sys, c, 4, Riflags::RECV_WAITALL);
    assert_eq!(d, b"abcd");
    drop(writer.join().unwrap());
}

#[test]
fn every_option_round_trips_or_is_documented_unsupported() {
    let mut sys = system(policy(&["127.0.0.1:*"], &[], &[]));
    let s = sys
        .sock_open(AddressFamily::Inet4, SocketType::Stream)
        .unwrap();
    let bools = [
        SockOpt::ReuseAddr,
        SockOpt::Broadcast,
        SockOpt::KeepAlive,
        SockOpt::OobInline,
        SockOpt::TcpNoDelay,
    ];
    for o in bools {
        for v in [1, 0] {
            sys.sock_setsockopt(s, o, SockOptValue::Int(v)).unwrap();
            assert_eq!(
                sys.sock_getsockopt(s, o),
                Ok(SockOptValue::Int(v)),
                "{}",
                o.name()
            );
        }
        assert_eq!(
            sys.sock_setsockopt(s, o, SockOptValue::Time(None)),
            Err(Errno::Inval)
        );
    }
    for o in [SockOpt::SndBuf, SockOpt::RcvBuf] {
        sys.sock_setsockopt(s, o, SockOptValue::Int(65536)).unwrap();
        // Linux doubles the request for bookkeeping; at least what was asked.
        let Ok(SockOptValue::Int(v)) = sys.sock_getsockopt(s, o) else {
            panic!("{} unreadable", o.name());
        };
        assert!(v >= 65536, "{}: {v}", o.name());
        assert_eq!(
            sys.sock_setsockopt(s, o, SockOptValue::Int(-1)),
            Err(Errno::Inval)
        );
    }
    for v in [Some(Duration::from_secs(3)), None] {
        sys.sock_setsockopt(s, SockOpt::Linger, SockOptValue::Linger(v))
            .unwrap();
        assert_eq!(
            sys.sock_getsockopt(s, SockOpt::Linger),
            Ok(SockOptValue::Linger(v))
        );
    }
    for o in [SockOpt::RcvTimeo, SockOpt::SndTimeo] {
        for v in [Some(Duration::from_millis(1500)), None] {
            sys.sock_setsockopt(s, o, SockOptValue::Time(v)).unwrap();
            assert_eq!(sys.sock_getsockopt(s, o), Ok(SockOptValue::Time(v)));
        }
    }
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::Type),
        Ok(SockOptValue::Int(2))
    );
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::Error),
        Ok(SockOptValue::Int(0))
    );
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::AcceptConn),
        Ok(SockOptValue::Int(0))
    );
    for ro in [SockOpt::Type, SockOpt::Error, SockOpt::AcceptConn] {
        assert_eq!(
            sys.sock_setsockopt(s, ro, SockOptValue::Int(1)),
            Err(Errno::Noprotoopt)
        );
    }
    for unsupported in [SockOpt::DontRoute, SockOpt::RcvLowat, SockOpt::BindToDevice] {
        assert_eq!(sys.sock_getsockopt(s, unsupported), Err(Errno::Notsup));
        assert_eq!(
            sys.sock_setsockopt(s, unsupported, SockOptValue::Int(1)),
            Err(Errno::Notsup)
        );
    }
    // Not a socket.
    assert_eq!(sys.sock_getsockopt(99, SockOpt::Type), Err(Errno::Badf));
}

#[test]
fn getaddrinfo_localhost_with_hints() {
    let mut sys = system(policy(&[], &[], &["localhost"]));
    let v4 = AddrInfoHints {
        flags: 0,
        family: Some(AddressFamily::Inet4),
        socktype: Some(SocketType::Stream),
        protocol: 0,
    };
    let r = sys.sock_getaddrinfo("localhost\0", "80\0", &v4, 8).unwrap();
    assert!(!r.is_empty());
    for ai in &r {
        assert!(ai.addr.ip().is_loopback() && ai.addr.is_ipv4(), "{ai:?}");
        assert_eq!(ai.addr.port(), 80);
        assert_eq!((ai.socktype, ai.protocol), (SocketType::Stream, 1));
    }
    // Any type: stream and datagram entries; bounded by max.
    let any = AddrInfoHints {
        flags: ai_flags::CANONNAME,
        family: Some(AddressFamily::Inet4),
        ..AddrInfoHints::default()
    };
    let r = sys.sock_getaddrinfo("localhost", "", &any, 8).unwrap();
    assert!(
        r.iter()
            .any(|a| a.socktype == SocketType::Dgram && a.protocol == 2)
    );
    assert!(r.iter().any(|a| a.socktype == SocketType::Stream));
    assert_eq!(r[0].canonname.as_deref(), Some("localhost"));
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "", &any, 1)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "", &any, 0)
            .unwrap()
            .len(),
        0
    );
    // Numeric nodes need no grant; names outside the grant are refused; bad inputs are EINVAL.
    let r = sys.sock_getaddrinfo("127.0.0.1", "7", &v4, 8).unwrap();
    assert_eq!(r[0].addr, "127.0.0.1:7".parse().unwrap());
    assert_eq!(
        sys.sock_getaddrinfo("example.com", "80", &v4, 8),
        Err(Errno::Acces)
    );
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "http", &v4, 8),
        Err(Errno::Inval)
    );
    let numeric = AddrInfoHints {
        flags: ai_flags::NUMERICHOST,
        ..v4
    };
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "80", &numeric, 8),
        Err(Errno::Inval)
    );
    let passive = AddrInfoHints {
        flags: ai_flags::PASSIVE,
        ..v4
    };
    let r = sys.sock_getaddrinfo("", "8080", &passive, 8).unwrap();
    assert_eq!(r[0].addr, "0.0.0.0:8080".parse().unwrap());
}

#[test]
fn names_granted_for_connect_learn_their_addresses_from_getaddrinfo() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    // A wildcard pattern cannot be resolved up front: it learns from the guest's lookup.
    let mut sys = system(policy(&[&format!("local*:{port}")], &[], &[]));
    let s = open(&mut sys, AddressFamily::Inet4, SocketType::Stream);
    let target = inet(&format!("127.0.0.1:{port}"));
    assert_eq!(sys.sock_connect(s, &target), Err(Errno::Acces));
    let hints = AddrInfoHints {
        family: Some(AddressFamily::Inet4),
        ..AddrInfoHints::default()
    };
    sys.sock_getaddrinfo("localhost", "", &hints, 4).unwrap();
    sys.sock_connect(s, &target).unwrap();
}

#[test]
fn nonblocking_connect_then_poll_for_writable() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut sys = system(policy(&[&format!("127.0.0.1:{port}")], &[], &[]));
    let s = sys
        .sock_open(AddressFamily::Inet4, SocketType::Stream)
        .unwrap();
    sys.fd_fdstat_set_flags(s, Fdflags::NONBLOCK).unwrap();
    match sys.sock_connect(s, &inet(&format!("127.0.0.1:{port}"))) {
        Ok(()) | Err(Errno::Inprogress) => {}
        Err(e) => panic!("connect: {e:?}"),
    }
    let subs = [
        Subscription {
            userdata: 1,
            kind: SubscriptionKind::FdWrite(s),
        },
        Subscription {
            userdata: 2,
            kind: SubscriptionKind::Clock(SubscriptionClock {
                id: Clockid::Monotonic,
                timeout: TIMEOUT.as_nanos() as u64,
                precision: 0,
                flags: Subclockflags::empty(),
            }),
        },
    ];
    let mut events: Vec<Event> = subs.iter().map(Event::for_subscription).collect();
    let n = sys.poll_oneoff(&subs, &mut events).unwrap();
    assert_eq!(n, 1);
    assert_eq!(events[0].userdata, 1);
    assert_eq!(events[0].error, Errno::Success);
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::Error),
        Ok(SockOptValue::Int(0))
    );
    // Keep the server side open: a closed peer would read as end of stream, not EAGAIN.
    let _peer = l.accept().unwrap();
    // Non-blocking: nothing to read yet is EAGAIN, not a hang.
    let mut buf = [0u8; 4];
    assert_eq!(
        sys.sock_recv(s, &mut [IoSliceMut::new(&mut buf)], Riflags::empty())
            .map(|r| r.0),
        Err(Errno::Again)
    );
}

#[test]
fn poll_mixes_socket_pipe_file_and_several_clocks() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), b"12345").unwrap();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut sys = system(policy(&[&format!("127.0.0.1:{port}")], &[], &[]));
    let dir = sys.preopen_dir(tmp.path(), "/d", false).unwrap();
    let file = sys
        .path_open(
            dir,
            Lookupflags::empty(),
            "f",
            Oflags::empty(),
            Rights::FD_READ | Rights::POLL_FD_READWRITE,
            Rights::empty(),
            Fdflags::empty(),
        )
        .unwrap();
    let (pr, mut pw) = std::io::pipe().unwrap();
    let pipe = sys.push_fd(pr.into()).unwrap();
    let s = open(&mut sys, AddressFamily::Inet4, SocketType::Stream);
    sys.sock_connect(s, &inet(&format!("127.0.0.1:{port}")))
        .unwrap();
    let (mut peer, _) = l.accept().unwrap();
    let now_real = sys.clock_time_get(Clockid::Realtime, 0).unwrap();
    let clock = |ud, id, timeout, flags| Subscription {
        userdata: ud,
        kind: SubscriptionKind::Clock(SubscriptionClock {
            id,
            timeout,
            precision: 0,
            flags,
        }),
    };
    let subs = [
        Subscription {
            userdata: 10,
            kind: SubscriptionKind::FdRead(s),
        },
        Subscription {
            userdata: 11,
            kind: SubscriptionKind::FdRead(pipe),
        },
        // Relative monotonic, far away.
        clock(
            20,
            Clockid::Monotonic,
            60_000_000_000,
            Subclockflags::empty(),
        ),
        // Absolute realtime, 200 ms from now: the first thing to fire while nothing is ready.
        clock(
            21,
            Clockid::Realtime,
            now_real + 200_000_000,
            Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        ),
    ];
    let mut ev: Vec<Event> = subs.iter().map(Event::for_subscription).collect();
    let start = std::time::Instant::now();
    let n = sys.poll_oneoff(&subs, &mut ev).unwrap();
    assert_eq!((n, ev[0].userdata), (1, 21));
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(5),
        "{waited:?}"
    );

    // Data on the socket and the pipe, a regular file (always ready) and an absolute clock
    // already past: every one of them reported, with nbytes where the OS can tell.
    peer.write_all(b"sock!").unwrap();
    pw.write_all(b"pi").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let subs2 = [
        subs[0],
        subs[1],
        Subscription {
            userdata: 12,
            kind: SubscriptionKind::FdRead(file),
        },
        subs[2],
        clock(
            22,
            Clockid::Monotonic,
            1,
            Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
        ),
    ];
    let mut ev: Vec<Event> = subs2.iter().map(Event::for_subscription).collect();
    let n = sys.poll_oneoff(&subs2, &mut ev).unwrap();
    let got: Vec<(u64, u64)> = ev[..n].iter().map(|e| (e.userdata, e.nbytes)).collect();
    assert_eq!(got, [(10, 5), (11, 2), (12, 5), (22, 0)]);

    // The peer hangs up: the socket is readable with HANGUP.
    drop(peer);
    // Drain what was sent so only the hang-up is left.
    recv(&mut sys, s, 8, Riflags::empty());
    let mut ev: Vec<Event> = subs[..1].iter().map(Event::for_subscription).collect();
    let n = sys.poll_oneoff(&subs[..1], &mut ev).unwrap();
    assert_eq!(n, 1);
    assert!(
        ev[0].flags.contains(Eventrwflags::FD_READWRITE_HANGUP),
        "{:?}",
        ev[0]
    );
    let _ = pw.flush();
}

#[test]
fn refusals_happen_before_any_syscall() {
    // A listening test server the guest is not allowed to reach.
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    server.set_nonblocking(true).unwrap();
    let port = server.local_addr().unwrap().port();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let udp_addr = udp.local_addr().unwrap();
    let other = if port == 65535 { port - 1 } else { port + 1 };
    // Granted: another port on loopback, and binding only to port 1 (never free for us).
    let mut sys = system(policy(
        &[&format!("127.0.0.1:{other}")],
        &["127.0.0.1:1"],
        &[],
    ));
    let s = open(&mut sys, AddressFamily::Inet4, SocketType::Stream);
    let target = inet(&format!("127.0.0.1:{port}"));
    assert_eq!(sys.sock_connect(s, &target), Err(Errno::Acces));
    // The socket was not even touched: it is still unbound and unconnected.
    assert_eq!(sys.sock_getpeeraddr(s), Err(Errno::Notconn));
    assert_eq!(sys.sock_getlocaladdr(s), Ok(inet("0.0.0.0:0")));
    assert_eq!(sys.sock_bind(s, &inet("127.0.0.1:0")), Err(Errno::Acces));
    assert_eq!(sys.sock_getlocaladdr(s), Ok(inet("0.0.0.0:0")));
    // listen() on an unbound socket would bind the wildcard address: refused too.
    assert_eq!(sys.sock_listen(s, 1), Err(Errno::Acces));
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::AcceptConn),
        Ok(SockOptValue::Int(0))
    );
    let d = open(&mut sys, AddressFamily::Inet4, SocketType::Dgram);
    assert_eq!(
        sys.sock_send_to(
            d,
            &[IoSlice::new(b"x")],
            &SocketAddr::Inet(udp_addr),
            Siflags::empty()
        ),
        Err(Errno::Acces)
    );
    // A v4-mapped v6 address is the same host: refused as well.
    if let Ok(s6) = sys.sock_open(AddressFamily::Inet6, SocketType::Stream) {
        assert_eq!(
            sys.sock_connect(s6, &inet(&format!("[::ffff:127.0.0.1]:{port}"))),
            Err(Errno::Acces)
        );
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(
        server.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "a refused connect reached the server"
    );
    let mut b = [0u8; 4];
    assert!(udp.recv_from(&mut b).is_err(), "a refused datagram arrived");
}

#[test]
fn no_network_at_all_without_a_grant() {
    let mut sys = UnixSystem::new(Limits::default());
    for af in [
        AddressFamily::Inet4,
        AddressFamily::Inet6,
        AddressFamily::Unix,
    ] {
        for ty in [SocketType::Stream, SocketType::Dgram] {
            assert_eq!(sys.sock_open(af, ty), Err(Errno::Acces));
        }
    }
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "80", &AddrInfoHints::default(), 4),
        Err(Errno::Acces)
    );
    // A unix grant opens unix sockets only, and an inet grant inet ones only.
    let mut sys = system(policy(&["unix:/x/*"], &[], &[]));
    assert!(
        sys.sock_open(AddressFamily::Unix, SocketType::Stream)
            .is_ok()
    );
    assert_eq!(
        sys.sock_open(AddressFamily::Inet4, SocketType::Stream),
        Err(Errno::Acces)
    );
    let mut sys = system(policy(&["127.0.0.1:1"], &[], &[]));
    assert_eq!(
        sys.sock_open(AddressFamily::Unix, SocketType::Stream),
        Err(Errno::Acces)
    );
}

#[test]
fn preopened_listener_and_dialed_socket_come_after_the_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote_port = remote.local_addr().unwrap().port();
    // No policy at all: the user granted these sockets by naming them.
    let mut sys = UnixSystem::new(Limits::default());
    let dir = sys.preopen_dir(tmp.path(), "/d", false).unwrap();
    let listener = sys
        .preopen_listener(&SocketSpec::parse("tcp4://127.0.0.1:0?backlog=4").unwrap())
        .unwrap();
    let dialed = sys
        .preopen_dialed(&SocketSpec::parse(&format!("tcp://127.0.0.1:{remote_port}")).unwrap())
        .unwrap();
    let usock = tmp.path().join("l.sock");
    let ulistener = sys
        .preopen_listener(&SocketSpec::parse(&format!("unix://{}", usock.display())).unwrap())
        .unwrap();
    assert!(dir < listener && listener < dialed && dialed < ulistener);
    assert!(sys.fd_prestat_get(dir).is_ok());
    for fd in [listener, dialed, ulistener] {
        assert_eq!(sys.fd_prestat_get(fd), Err(Errno::Badf));
        assert_eq!(
            sys.fd_fdstat_get(fd).unwrap().filetype,
            Filetype::SocketStream
        );
    }
    // The listener accepts; the dialed socket has no SOCK_ACCEPT.
    let SocketAddr::Inet(laddr) = sys.sock_getlocaladdr(listener).unwrap() else {
        panic!()
    };
    assert_eq!(
        sys.sock_getsockopt(listener, SockOpt::ReuseAddr),
        Ok(SockOptValue::Int(1))
    );
    let mut client = std::net::TcpStream::connect(laddr).unwrap();
    client.set_read_timeout(Some(TIMEOUT)).unwrap();
    let c = sys.sock_accept(listener, Fdflags::empty()).unwrap();
    client.write_all(b"ping").unwrap();
    sys.sock_setsockopt(c, SockOpt::RcvTimeo, SockOptValue::Time(Some(TIMEOUT)))
        .unwrap();
    assert_eq!(recv(&mut sys, c, 4, Riflags::RECV_WAITALL).0, b"ping");
    assert_eq!(
        sys.sock_accept(dialed, Fdflags::empty()),
        Err(Errno::Notcapable)
    );
    let (mut far, _) = remote.accept().unwrap();
    far.set_read_timeout(Some(TIMEOUT)).unwrap();
    send_all(&mut sys, dialed, b"hi");
    let mut got = [0u8; 2];
    far.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hi");
    let _unix_client = std::os::unix::net::UnixStream::connect(&usock).unwrap();
    assert!(sys.sock_accept(ulistener, Fdflags::empty()).is_ok());
}

#[test]
fn socket_calls_on_other_fds_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sys = system(policy(&["*:*"], &["*:*"], &[]));
    let dir = sys.preopen_dir(tmp.path(), "/d", false).unwrap();
    assert_eq!(
        sys.sock_bind(dir, &inet("127.0.0.1:0")),
        Err(Errno::Notsock)
    );
    assert_eq!(sys.sock_listen(dir, 1), Err(Errno::Notsock));
    assert_eq!(sys.sock_getlocaladdr(dir), Err(Errno::Notsock));
    assert_eq!(sys.sock_getsockopt(dir, SockOpt::Type), Err(Errno::Notsock));
    assert_eq!(sys.sock_connect(77, &inet("127.0.0.1:1")), Err(Errno::Badf));
    let mut b = [0u8; 1];
    assert_eq!(
        sys.sock_recv_from(77, &mut [IoSliceMut::new(&mut b)], Riflags::empty())
            .map(|r| r.0),
        Err(Errno::Badf)
    );
    // A connection dropped to no rights cannot send.
    let s = sys
        .sock_open(AddressFamily::Inet4, SocketType::Dgram)
        .unwrap();
    sys.fd_fdstat_set_rights(s, Rights::FD_READ, Rights::empty())
        .unwrap();
    assert_eq!(
        sys.sock_send_to(
            s,
            &[IoSlice::new(b"x")],
            &inet("127.0.0.1:9"),
            Siflags::empty()
        ),
        Err(Errno::Notcapable)
    );
}

#[test]
fn unix_bind_needs_a_writable_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    let mut sys = system(policy(&[], &["unix:*"], &[]));
    sys.preopen_dir(tmp.path(), "/ro", true).unwrap();
    let s = sys
        .sock_open(AddressFamily::Unix, SocketType::Stream)
        .unwrap();
    assert_eq!(
        sys.sock_bind(s, &SocketAddr::Unix("/ro/a.sock".into())),
        Err(Errno::Notcapable)
    );
    assert!(!tmp.path().join("a.sock").exists());
}

#[test]
fn trace_forwards_and_formats_the_socket_calls() {
    use capwasi::trace::{Trace, TraceOptions};
    let mut t = Trace::new(
        system(policy(&[], &["127.0.0.1:*"], &["localhost"])),
        Vec::new(),
        TraceOptions::default(),
    );
    let s = t
        .sock_open(AddressFamily::Inet4, SocketType::Dgram)
        .unwrap();
    t.sock_bind(s, &inet("127.0.0.1:0")).unwrap();
    let me = t.sock_getlocaladdr(s).unwrap();
    t.sock_setsockopt(s, SockOpt::RcvTimeo, SockOptValue::Time(Some(TIMEOUT)))
        .unwrap();
    assert_eq!(
        t.sock_getsockopt(s, SockOpt::Linger),
        Ok(SockOptValue::Linger(None))
    );
    // Sending to ourselves is outside the (bind-only) grant: forwarded, refused, traced.
    assert_eq!(
        t.sock_send_to(s, &[IoSlice::new(b"hi")], &me, Siflags::empty()),
        Err(Errno::Acces)
    );
    let hints = AddrInfoHints {
        family: Some(AddressFamily::Inet4),
        socktype: Some(SocketType::Stream),
        ..AddrInfoHints::default()
    };
    t.sock_getaddrinfo("127.0.0.1", "9", &hints, 2).unwrap();
    assert_eq!(t.sock_listen(s, 3), Err(Errno::Notsup));
    let text = String::from_utf8(t.sink().clone()).unwrap();
    // Drop the durations, which vary.
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.rsplit_once(" (").map_or(l, |(a, _)| a))
        .collect();
    let SocketAddr::Inet(me) = me else { panic!() };
    assert_eq!(
        lines,
        [
            format!("sock_open(af=INET4, socktype=DGRAM) => fd {s}"),
            format!("sock_bind(fd={s}, addr=127.0.0.1:0) => ok"),
            format!("sock_getlocaladdr(fd={s}) => {me}"),
            format!("sock_setsockopt(fd={s}, opt=SO_RCVTIMEO, value=timeout=10s) => ok"),
            format!("sock_getsockopt(fd={s}, opt=SO_LINGER) => linger=off"),
            format!(
                "sock_send_to(fd={s}, si_data=[2] \"hi\", addr={me}, si_flags=) => EACCES"
            ),
            "sock_getaddrinfo(node=\"127.0.0.1\", service=\"9\", flags=0, af=INET4, socktype=STREAM, protocol=0, max=2) => 1 [127.0.0.1:9 STREAM]".to_owned(),
            format!("sock_listen(fd={s}, backlog=3) => ENOTSUP"),
        ]
    );
}

#[test]
fn unix_grants_see_the_normalized_path() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a")).unwrap();
    std::fs::create_dir_all(tmp.path().join("b")).unwrap();
    let live = std::os::unix::net::UnixListener::bind(tmp.path().join("b/x.sock")).unwrap();
    live.set_nonblocking(true).unwrap();
    let mut sys = system(policy(&["unix:/s/a/*"], &[], &[]));
    sys.preopen_dir(tmp.path(), "/s", false).unwrap();
    let s = open(&mut sys, AddressFamily::Unix, SocketType::Stream);
    // Textually under /s/a/, really /s/b/x.sock: refused, and nothing reached the listener.
    assert_eq!(
        sys.sock_connect(s, &SocketAddr::Unix("/s/a/../b/x.sock".into())),
        Err(Errno::Acces)
    );
    assert!(live.accept().is_err());
    // The granted directory itself works through the same host socket once it lives there.
    let ok = std::os::unix::net::UnixListener::bind(tmp.path().join("a/y.sock")).unwrap();
    ok.set_nonblocking(true).unwrap();
    sys.sock_connect(s, &SocketAddr::Unix("/s/./a//y.sock".into()))
        .unwrap();
    assert!(ok.accept().is_ok());
}

#[test]
fn refused_nonblocking_connect_reports_a_wasi_errno_in_so_error() {
    // A port bound but not listening, held for the whole test: connecting is refused, and
    // no other process can start listening there meanwhile.
    let held = rustix::net::socket(
        rustix::net::AddressFamily::INET,
        rustix::net::SocketType::STREAM,
        None,
    )
    .unwrap();
    rustix::net::bind(&held, &std::net::SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let port = match rustix::net::getsockname(&held).unwrap().try_into() {
        Ok(std::net::SocketAddr::V4(a)) => a.port(),
        other => panic!("not an IPv4 address: {other:?}"),
    };
    let mut sys = system(policy(&[&format!("127.0.0.1:{port}")], &[], &[]));
    let s = sys
        .sock_open(AddressFamily::Inet4, SocketType::Stream)
        .unwrap();
    sys.fd_fdstat_set_flags(s, Fdflags::NONBLOCK).unwrap();
    match sys.sock_connect(s, &inet(&format!("127.0.0.1:{port}"))) {
        // Loopback may refuse at once.
        Err(Errno::Connrefused) => return,
        Err(Errno::Inprogress) => {}
        r => panic!("connect to a closed port: {r:?}"),
    }
    let subs = [Subscription {
        userdata: 7,
        kind: SubscriptionKind::FdWrite(s),
    }];
    let mut ev: Vec<Event> = subs.iter().map(Event::for_subscription).collect();
    assert_eq!(sys.poll_oneoff(&subs, &mut ev), Ok(1));
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::Error),
        Ok(SockOptValue::Int(i32::from(Errno::Connrefused.raw())))
    );
    // SO_ERROR is cleared by reading it.
    assert_eq!(
        sys.sock_getsockopt(s, SockOpt::Error),
        Ok(SockOptValue::Int(0))
    );
}

#[test]
fn getaddrinfo_v4mapped_and_protocol_hints() {
    let mut sys = system(policy(&[], &[], &["*"]));
    let v6 = AddrInfoHints {
        family: Some(AddressFamily::Inet6),
        socktype: Some(SocketType::Stream),
        ..AddrInfoHints::default()
    };
    // An IPv4 literal asked as IPv6: nothing, unless V4MAPPED.
    assert_eq!(
        sys.sock_getaddrinfo("127.0.0.1", "1", &v6, 4),
        Err(Errno::Noent)
    );
    let mapped = AddrInfoHints {
        flags: ai_flags::V4MAPPED,
        ..v6
    };
    let r = sys.sock_getaddrinfo("127.0.0.1", "1", &mapped, 4).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].addr, "[::ffff:127.0.0.1]:1".parse().unwrap());
    // Protocol alone picks the socket type; a mismatch is refused.
    let udp = AddrInfoHints {
        protocol: 2,
        family: Some(AddressFamily::Inet4),
        ..AddrInfoHints::default()
    };
    let r = sys.sock_getaddrinfo("127.0.0.1", "53", &udp, 4).unwrap();
    assert!(
        r.iter()
            .all(|a| a.socktype == SocketType::Dgram && a.protocol == 2)
    );
    let bad = AddrInfoHints {
        protocol: 1,
        socktype: Some(SocketType::Dgram),
        ..udp
    };
    assert_eq!(
        sys.sock_getaddrinfo("127.0.0.1", "53", &bad, 4),
        Err(Errno::Protonosupport)
    );
    let unix = AddrInfoHints {
        family: Some(AddressFamily::Unix),
        ..AddrInfoHints::default()
    };
    assert_eq!(
        sys.sock_getaddrinfo("localhost", "", &unix, 4),
        Err(Errno::Afnosupport)
    );
}

#[test]
fn poll_driven_server_handles_100_concurrent_clients() {
    const CLIENTS: usize = 100;
    let mut sys = system(policy(&[], &["127.0.0.1:0"], &[]));
    let l = sys
        .sock_open(AddressFamily::Inet4, SocketType::Stream)
        .unwrap();
    sys.sock_bind(l, &inet("127.0.0.1:0")).unwrap();
    sys.sock_listen(l, 128).unwrap();
    sys.fd_fdstat_set_flags(l, Fdflags::NONBLOCK).unwrap();
    let SocketAddr::Inet(addr) = sys.sock_getlocaladdr(l).unwrap() else {
        panic!()
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            std::thread::spawn(move || {
                let mut c = std::net::TcpStream::connect(addr).unwrap();
                c.set_read_timeout(Some(TIMEOUT)).unwrap();
                let msg = format!("client {i:03}");
                c.write_all(msg.as_bytes()).unwrap();
                let mut back = vec![0u8; msg.len()];
                c.read_exact(&mut back).unwrap();
                assert_eq!(back, msg.as_bytes());
            })
        })
        .collect();
    let mut conns: Vec<Fd> = Vec::new();
    let mut echoed: std::collections::HashMap<Fd, usize> = std::collections::HashMap::new();
    let mut done = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while done < CLIENTS {
        assert!(std::time::Instant::now() < deadline, "server stalled");
        let mut subs = vec![
            Subscription {
                userdata: u64::from(l),
                kind: SubscriptionKind::FdRead(l),
            },
            Subscription {
                userdata: u64::MAX,
                kind: SubscriptionKind::Clock(SubscriptionClock {
                    id: Clockid::Monotonic,
                    timeout: 1_000_000_000,
                    precision: 0,
                    flags: Subclockflags::empty(),
                }),
            },
        ];
        subs.extend(conns.iter().map(|&c| Subscription {
            userdata: u64::from(c),
            kind: SubscriptionKind::FdRead(c),
        }));
        let mut ev: Vec<Event> = subs.iter().map(Event::for_subscription).collect();
        let n = sys.poll_oneoff(&subs, &mut ev).unwrap();
        for e in &ev[..n] {
            assert_eq!(e.error, Errno::Success);
            if e.userdata == u64::MAX {
                continue;
            }
            let fd = e.userdata as Fd;
            if fd == l {
                loop {
                    match sys.sock_accept(l, Fdflags::NONBLOCK) {
                        Ok(c) => conns.push(c),
                        Err(Errno::Again) => break,
                        Err(err) => panic!("accept: {err:?}"),
                    }
                }
                continue;
            }
            let mut buf = [0u8; 64];
            match sys.sock_recv(fd, &mut [IoSliceMut::new(&mut buf)], Riflags::empty()) {
                Ok((0, _)) => {
                    sys.fd_close(fd).unwrap();
                    conns.retain(|&c| c != fd);
                    // The number may be reused by the next accept.
                    echoed.remove(&fd);
                }
                Ok((k, _)) => {
                    // Messages are tiny; a non-blocking send of 10 bytes does not split.
                    let sent = sys
                        .sock_send(fd, &[IoSlice::new(&buf[..k])], Siflags::empty())
                        .unwrap();
                    assert_eq!(sent, k);
                    // Count bytes, not reads: a message may arrive in pieces.
                    let total = echoed.entry(fd).or_insert(0);
                    *total += k;
                    if *total == "client 000".len() {
                        done += 1;
                    }
                }
                Err(Errno::Again) => {}
                Err(err) => panic!("recv: {err:?}"),
            }
        }
    }
    for c in clients {
        c.join().unwrap();
    }
}
