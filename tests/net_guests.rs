//! The WasmEdge socket extension and preview 1 sockets as C guests see them, through the real
//! linker on loopback (guests in `tests/guests/net_*.c`, raw imports in `wasmedge_sock.h`):
//! TCP echo between two guest instances on two threads for IPv4, IPv6 and unix sockets inside
//! a preopen; UDP with truncation; the V1 and V2 address layouts and a guest mixing both; every
//! socket option; getaddrinfo with hints; non-blocking connect with poll; a poll-driven guest
//! server with 100 concurrent native clients; and a wasi-libc program using preopened
//! `--listen`/`--dial` sockets next to a preopened directory.
//!
//! Every guest prints `ok`/`FAIL` per check (`check.h`) and the tests also assert the values
//! that crossed the wire (bytes echoed, ports, errnos) from the test's side.

mod common;
mod net_common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Barrier};

use net_common::{NetGuest, Outcome, WAIT, has_ipv6, policy};

/// The message sizes `net_echo client` sends: 7^(i mod 6) mod 65536 + 1.
fn echo_bytes(count: u32) -> u64 {
    (0..count)
        .map(|i| (7u64.pow(i % 6) % 65536) + 1)
        .sum::<u64>()
}

/// Runs `net_echo server` and `net_echo client` on two threads and checks both sides.
fn echo(family: &str, server_form: &str, client_form: &str, tmp: Option<&std::path::Path>) {
    let (bind, connect, path): (&str, &str, Option<&str>) = match family {
        "inet4" => ("127.0.0.1:0", "127.0.0.1:*", None),
        "inet6" => ("[::1]:0", "[::1]:*", None),
        _ => ("unix:/sock/*", "unix:/sock/*", Some("/sock/echo.sock")),
    };
    let mut server = NetGuest::new("net_echo")
        .args(["server", family, server_form])
        .policy(policy(&[], &[bind], &[]));
    let mut client = NetGuest::new("net_echo").policy(policy(&[connect], &[], &[]));
    if let Some(p) = path {
        server = server.arg(p);
    }
    if let Some(d) = tmp {
        server = server.dir(d, "/sock");
        client = client.dir(d, "/sock");
    }
    let server = server.spawn();
    let port = server.port();
    if path.is_some() {
        assert_eq!(port, 0, "a unix socket has no port");
    }
    let count = 12;
    let mut client = client
        .args(["client", family, client_form])
        .args([port.to_string(), count.to_string()]);
    if let Some(p) = path {
        client = client.arg(p);
    }
    let c = client.run();
    let s = server.join();
    c.assert_checks();
    s.assert_checks();
    let bytes = echo_bytes(count);
    assert_eq!(
        c.line("echoed "),
        format!("{count} messages, {bytes} bytes")
    );
    assert_eq!(s.line("served "), format!("{bytes} bytes"));
}

#[test]
fn tcp_echo_ipv4_between_two_guests() {
    echo("inet4", "v2", "v1", None);
    echo("inet4", "v1", "v2", None);
}

#[test]
fn tcp_echo_ipv6_between_two_guests() {
    if !has_ipv6() {
        eprintln!("skipping: no ::1 on this host");
        return;
    }
    echo("inet6", "v1", "v2", None);
}

#[test]
fn unix_echo_inside_a_shared_preopen() {
    let tmp = tempfile::tempdir().unwrap();
    echo("unix", "v2", "v2", Some(tmp.path()));
    // The socket was created inside the preopen, where the guest named it.
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(tmp.path().join("echo.sock")).unwrap();
    assert!(meta.file_type().is_socket());
}

#[test]
fn v1_address_layouts() {
    let mut args = vec![];
    if has_ipv6() {
        args.push("inet6");
    }
    NetGuest::new("net_v1")
        .args(args)
        .policy(policy(
            &["127.0.0.1:*", "[::1]:*"],
            &["127.0.0.1:0", "[::1]:0"],
            &[],
        ))
        .run()
        .assert_checks();
}

#[test]
fn v2_address_layouts_udp_truncation_and_unix() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec![];
    if has_ipv6() {
        args.push("inet6");
    }
    let out = NetGuest::new("net_v2")
        .args(args)
        .dir(tmp.path(), "/sock")
        .policy(policy(
            &["127.0.0.1:*", "[::1]:*", "unix:/sock/*"],
            &["127.0.0.1:0", "[::1]:0", "unix:/sock/*"],
            &[],
        ))
        .run();
    out.assert_checks();
    assert!(
        out.stdout.contains("ok ro == WS_TRUNCATED"),
        "{}",
        out.stdout
    );
    assert!(tmp.path().join("v2.sock").exists());
}

#[test]
fn one_guest_mixes_v1_and_v2_functions() {
    NetGuest::new("net_mixed")
        .policy(policy(&["127.0.0.1:*"], &["127.0.0.1:0"], &[]))
        .run()
        .assert_checks();
}

#[test]
fn every_socket_option_round_trips_or_is_refused_as_documented() {
    let out = NetGuest::new("net_opts")
        .policy(policy(&["127.0.0.1:*"], &[], &[]))
        .run();
    out.assert_checks();
    // Every one of the 16 options was exercised by name.
    for name in [
        "SO_REUSEADDR",
        "SO_BROADCAST",
        "SO_KEEPALIVE",
        "SO_OOBINLINE",
        "TCP_NODELAY",
        "SO_SNDBUF",
        "SO_RCVBUF",
        "SO_RCVTIMEO",
        "SO_SNDTIMEO",
        "SO_TYPE",
        "SO_ERROR",
        "SO_ACCEPTCONN",
        "SO_DONTROUTE",
        "SO_RCVLOWAT",
        "SO_BINDTODEVICE",
    ] {
        assert!(out.stdout.contains(&format!(" {name}\n")), "{name}");
    }
    assert!(out.stdout.contains("WS_SO_LINGER"));
}

#[test]
fn getaddrinfo_of_localhost_with_hints() {
    let out = NetGuest::new("net_gai")
        .policy(policy(&[], &[], &["localhost"]))
        .run();
    out.assert_checks();
    let first = out.line("localhost inet4 stream: ");
    assert!(first.contains("first 127."), "{first}");
    assert!(first.ends_with("port 80"), "{first}");
}

#[test]
fn nonblocking_connect_then_poll_and_so_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = NetGuest::new("net_nbconnect")
        .args([open.to_string(), closed.to_string()])
        .policy(policy(
            &[&format!("127.0.0.1:{open}"), &format!("127.0.0.1:{closed}")],
            &[],
            &[],
        ))
        .run();
    out.assert_checks();
    // What the guest sent after its non-blocking connect completed arrived.
    let (mut peer, _) = listener.accept().unwrap();
    peer.set_read_timeout(Some(WAIT)).unwrap();
    let mut got = String::new();
    peer.read_to_string(&mut got).unwrap();
    assert_eq!(got, "nonblocking hello");
}

#[test]
fn poll_driven_guest_server_handles_100_concurrent_clients() {
    const CLIENTS: usize = 100;
    let server = NetGuest::new("net_pollserver")
        .args([CLIENTS.to_string()])
        .policy(policy(&[], &["127.0.0.1:0"], &[]))
        .spawn();
    let port = server.port();
    // Every client connects before any of them talks, so all 100 are open at once.
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                s.set_read_timeout(Some(WAIT)).unwrap();
                barrier.wait();
                let mut sent = 0;
                for round in 0..3 {
                    let msg = format!("client {i} round {round} {}", "x".repeat(i * 10));
                    s.write_all(msg.as_bytes()).unwrap();
                    let mut back = vec![0u8; msg.len()];
                    s.read_exact(&mut back).unwrap();
                    assert_eq!(back, msg.as_bytes());
                    sent += msg.len();
                }
                sent
            })
        })
        .collect();
    let total: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let out = server.join();
    out.assert_checks();
    assert_eq!(
        out.line("served "),
        format!("{CLIENTS} clients, {total} bytes, max {CLIENTS} open at once")
    );
}

/// The wasi-libc program of `net_libc.c` with a preopened directory (fd 3), a listener (fd 4)
/// on a port the kernel picks and a dialed socket (fd 5); checks both conversations. `start`
/// starts the guest (given the data directory and the dial target's port) and returns the
/// listener's port and a way to wait for the guest's outcome.
fn libc_program(start: impl FnOnce(&std::path::Path, u16) -> (u16, Box<dyn FnOnce() -> Outcome>)) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("greeting.txt"),
        "contents of a preopened file\n",
    )
    .unwrap();
    // The far end of --dial: a test-owned server that answers one line.
    let remote = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote_port = remote.local_addr().unwrap().port();
    let far = std::thread::spawn(move || {
        let (mut c, _) = remote.accept().unwrap();
        c.set_read_timeout(Some(WAIT)).unwrap();
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while c.read(&mut b).unwrap() == 1 {
            line.push(b[0]);
            if b[0] == b'\n' {
                break;
            }
        }
        c.write_all(b"welcome, guest\n").unwrap();
        String::from_utf8(line).unwrap()
    });
    let (listen_port, outcome) = start(tmp.path(), remote_port);
    // The listener exists before the guest starts, so this connects at once; the guest
    // accepts when it gets there.
    let mut s = TcpStream::connect(("127.0.0.1", listen_port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(b"ping\n").unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let out = outcome();
    assert_eq!(out.exit, net_common::Exit::Code(0), "{out:?}");
    assert_eq!(
        out.stdout,
        "file: 29 bytes\n\
         dial reply: welcome, guest\n\
         client said: ping\n\
         accept on the dialed socket: Capabilities insufficient\n\
         done\n"
    );
    assert_eq!(far.join().unwrap(), "hello from the guest\n");
    assert_eq!(reply, "you said: ping\ncontents of a preopened file\n");
}

#[test]
fn wasi_libc_program_uses_preopened_listen_and_dial_sockets() {
    libc_program(|dir, remote| {
        let running = NetGuest::new("net_libc")
            .args(["4", "5", "/data/greeting.txt"])
            .dir(dir, "/data")
            .listen("tcp4://127.0.0.1:0")
            .dial(&format!("tcp://127.0.0.1:{remote}"))
            // Preview 1 only: the program needs no extension and no grant.
            .without_extension()
            .spawn();
        (running.listen_ports[0], Box::new(move || running.join()))
    });
}

#[test]
fn wasi_libc_program_through_wasirun_listen_and_dial() {
    libc_program(|dir, remote| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wasirun"))
            .arg("--dir")
            .arg(format!("{}::/data", dir.display()))
            .args(["--listen", "tcp4://127.0.0.1:0"])
            .args(["--dial", &format!("tcp://127.0.0.1:{remote}")])
            .arg(net_common::guest_path("net_libc"))
            .args(["4", "5", "/data/greeting.txt"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let (port, stderr) = common::announced_port(child.stderr.take().unwrap());
        let wait = move || {
            let out = child.wait_with_output().unwrap();
            Outcome {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: stderr.join().unwrap(),
                exit: net_common::Exit::Code(out.status.code().unwrap_or(-1) as u32),
            }
        };
        (port, Box::new(wait) as Box<dyn FnOnce() -> Outcome>)
    });
}
