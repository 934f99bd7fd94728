//! The network policy as a guest meets it, through the real linker: every socket call outside
//! the allow-list is refused (`EACCES`; unix paths outside every preopen fail like any other
//! path) *before any syscall*, which the tests prove from the other side: a listening test
//! server (TCP, UDP or unix) sees no connection and no datagram after the guest exits. A
//! granted target next to each refused one shows the check is precise, not a blanket refusal.
//! And with no grant at all, there is no network.
//!
//! The guest (`tests/guests/net_policy.c`) prints `OP ARG: open=E call=E` per attempt.

mod common;
mod net_common;

use std::io::ErrorKind;
use std::net::{TcpListener, UdpSocket};
use std::os::unix::net::UnixListener;

use net_common::{NetGuest, Outcome, has_ipv6, policy};

const EACCES: i32 = 2;

/// The (open, call) errnos the guest printed for `op arg`.
#[track_caller]
fn result(out: &Outcome, op: &str) -> (i32, i32) {
    let rest = out.line(&format!("{op}: "));
    let (open, call) = rest.split_once(' ').unwrap();
    let num = |s: &str, k: &str| s.strip_prefix(k).unwrap().parse::<i32>().unwrap();
    (num(open, "open="), num(call, "call="))
}

#[track_caller]
fn assert_nothing_arrived_tcp(l: &TcpListener, what: &str) {
    assert_eq!(
        l.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "{what}: a refused connect reached the server"
    );
}

#[track_caller]
fn assert_nothing_arrived_unix(l: &UnixListener, what: &str) {
    assert_eq!(
        l.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "{what}: a refused connect reached the server"
    );
}

fn tcp_server() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

#[test]
fn inet_calls_outside_the_allow_list_never_reach_a_server() {
    let (server, port) = tcp_server();
    let (granted, granted_port) = tcp_server();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    // Granted: connect to one other port; bind only to port 1 (never free for us).
    let p = policy(
        &[&format!("127.0.0.1:{granted_port}")],
        &["127.0.0.1:1"],
        &[],
    );
    let mut ops = vec![
        format!("connect4:{port}"),
        format!("connect4:{granted_port}"),
        "bind4:0".to_owned(),
        format!("bind4:{port}"),
        "listen4:-".to_owned(),
        format!("sendto4:{udp_port}"),
        format!("sendto4:{granted_port}"),
        "gai:localhost".to_owned(),
    ];
    if has_ipv6() {
        ops.push(format!("connect6:{port}"));
    }
    let out = NetGuest::new("net_policy").args(ops).policy(p).run();
    out.assert_ok();
    assert_eq!(result(&out, &format!("connect4 {port}")), (0, EACCES));
    // The control: the granted port connects.
    assert_eq!(result(&out, &format!("connect4 {granted_port}")), (0, 0));
    assert_eq!(result(&out, "bind4 0"), (0, EACCES));
    assert_eq!(result(&out, &format!("bind4 {port}")), (0, EACCES));
    // listen() on an unbound socket would bind the wildcard address.
    assert_eq!(result(&out, "listen4 -"), (0, EACCES));
    assert_eq!(result(&out, &format!("sendto4 {udp_port}")), (0, EACCES));
    // A grant names a host and port, not a protocol: a datagram to the granted port is
    // permitted (and lost: nothing listens for UDP there).
    assert_eq!(result(&out, &format!("sendto4 {granted_port}")), (0, 0));
    // No --allow-dns: no name lookup.
    assert_eq!(result(&out, "gai localhost").1, EACCES);
    if has_ipv6() {
        // An inet grant lets the guest make inet sockets of either family (a v6 socket may
        // reach v4 hosts through mapped addresses, which the policy checks as v4), but ::1
        // is granted nowhere.
        assert_eq!(result(&out, &format!("connect6 {port}")), (0, EACCES));
    }
    assert_nothing_arrived_tcp(&server, "connect4");
    let mut b = [0u8; 4];
    assert_eq!(
        udp.recv_from(&mut b).map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "a refused datagram arrived"
    );
    // Exactly the one permitted connection reached the granted server.
    assert!(granted.accept().is_ok());
    assert_nothing_arrived_tcp(&granted, "granted");
}

#[test]
fn unix_paths_outside_the_grant_or_the_preopen_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let inner = tmp.path().join("inner");
    std::fs::create_dir_all(inner.join("allowed")).unwrap();
    let nonblocking = |p: std::path::PathBuf| {
        let l = UnixListener::bind(p).unwrap();
        l.set_nonblocking(true).unwrap();
        l
    };
    // Outside the preopen, reachable textually by `..` and through a symlink inside it.
    let outside = nonblocking(tmp.path().join("out.sock"));
    std::os::unix::fs::symlink(tmp.path().join("out.sock"), inner.join("link.sock")).unwrap();
    // Inside the preopen: one socket under the grant, one beside it.
    let ok = nonblocking(inner.join("allowed/ok.sock"));
    let other = nonblocking(inner.join("other.sock"));

    // A grant for /sock/allowed/* only.
    let out = NetGuest::new("net_policy")
        .args([
            "uconnect:/sock/allowed/ok.sock",
            "uconnect:/sock/other.sock",
            "uconnect:/sock/allowed/../other.sock",
            "uconnect:/elsewhere/x.sock",
            "ubind:/sock/allowed/new.sock",
        ])
        .dir(&inner, "/sock")
        .policy(policy(&["unix:/sock/allowed/*"], &[], &[]))
        .run();
    out.assert_ok();
    assert_eq!(result(&out, "uconnect /sock/allowed/ok.sock"), (0, 0));
    assert_eq!(result(&out, "uconnect /sock/other.sock"), (0, EACCES));
    // Textually under the grant, really beside it: the policy sees the normalized path.
    assert_eq!(
        result(&out, "uconnect /sock/allowed/../other.sock"),
        (0, EACCES)
    );
    assert_eq!(result(&out, "uconnect /elsewhere/x.sock"), (0, EACCES));
    assert_eq!(result(&out, "ubind /sock/allowed/new.sock"), (0, EACCES));
    assert!(!inner.join("allowed/new.sock").exists());

    // Every unix path granted: what stops an escape now is path resolution in the preopen.
    let out = NetGuest::new("net_policy")
        .args([
            "uconnect:/sock/../out.sock",
            "uconnect:/sock/link.sock",
            "uconnect:/elsewhere/x.sock",
            "ubind:/sock/../new.sock",
            "ubind:/sock/link.sock",
        ])
        .dir(&inner, "/sock")
        .policy(policy(&["unix:*"], &["unix:*"], &[]))
        .run();
    out.assert_ok();
    for op in [
        "uconnect /sock/../out.sock",
        "uconnect /sock/link.sock",
        "uconnect /elsewhere/x.sock",
        "ubind /sock/../new.sock",
        "ubind /sock/link.sock",
    ] {
        let (open, call) = result(&out, op);
        assert_eq!(open, 0, "{op}");
        assert_ne!(call, 0, "{op} succeeded: {}", out.stdout);
    }
    // The path outside every preopen names nothing the guest can reach.
    assert_eq!(result(&out, "uconnect /elsewhere/x.sock").1, 44); // ENOENT
    assert!(!tmp.path().join("new.sock").exists());

    assert_nothing_arrived_unix(&outside, "outside the preopen");
    assert_nothing_arrived_unix(&other, "beside the grant");
    assert!(ok.accept().is_ok(), "the granted connect did not arrive");
    assert_nothing_arrived_unix(&ok, "granted");
}

#[test]
fn no_grant_no_network() {
    let (server, port) = tcp_server();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    let tmp = tempfile::tempdir().unwrap();
    let live = UnixListener::bind(tmp.path().join("s.sock")).unwrap();
    live.set_nonblocking(true).unwrap();
    let out = NetGuest::new("net_policy")
        .args([
            "open4:-".to_owned(),
            format!("connect4:{port}"),
            format!("connect6:{port}"),
            "bind4:0".to_owned(),
            format!("sendto4:{udp_port}"),
            "gai:localhost".to_owned(),
            "uconnect:/sock/s.sock".to_owned(),
        ])
        .dir(tmp.path(), "/sock")
        .run();
    out.assert_ok();
    // The extension is linked (NetGuest links it) but the policy grants nothing: no socket
    // of any family can even be created, and no name resolved.
    for op in [
        "open4 -".to_owned(),
        format!("connect4 {port}"),
        format!("connect6 {port}"),
        "bind4 0".to_owned(),
        format!("sendto4 {udp_port}"),
        "uconnect /sock/s.sock".to_owned(),
    ] {
        assert_eq!(result(&out, &op), (EACCES, -1), "{op}");
    }
    assert_eq!(result(&out, "gai localhost").1, EACCES);
    assert_nothing_arrived_tcp(&server, "no grant");
    assert_nothing_arrived_unix(&live, "no grant");
    let mut b = [0u8; 4];
    assert!(udp.recv_from(&mut b).is_err());
}

/// Runs `wasirun FLAGS net_policy.wasm OPS`.
fn wasirun(flags: &[String], ops: &[String]) -> Outcome {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wasirun"))
        .args(flags)
        .arg(net_common::guest_path("net_policy"))
        .args(ops)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        exit: net_common::Exit::Code(out.status.code().unwrap_or(-1) as u32),
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn wasirun_grants_exactly_what_its_flags_say() {
    let (server, port) = tcp_server();
    let (granted, granted_port) = tcp_server();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    let ops = [
        format!("connect4:{port}"),
        format!("connect4:{granted_port}"),
        "bind4:0".to_owned(),
        format!("sendto4:{udp_port}"),
        "gai:localhost".to_owned(),
        "gai:elsewhere.invalid".to_owned(),
    ];
    let flags = [
        "--allow-connect".to_owned(),
        format!("127.0.0.1:{granted_port}"),
        "--allow-bind".to_owned(),
        "127.0.0.1:1".to_owned(),
        "--allow-dns=localhost".to_owned(),
    ];
    let out = wasirun(&flags, &ops);
    out.assert_ok();
    assert_eq!(result(&out, &format!("connect4 {port}")), (0, EACCES));
    assert_eq!(result(&out, &format!("connect4 {granted_port}")), (0, 0));
    assert_eq!(result(&out, "bind4 0"), (0, EACCES));
    assert_eq!(result(&out, &format!("sendto4 {udp_port}")), (0, EACCES));
    assert_eq!(result(&out, "gai localhost"), (0, 0));
    assert_eq!(result(&out, "gai elsewhere.invalid"), (0, EACCES));
    assert_nothing_arrived_tcp(&server, "wasirun connect4");
    assert!(granted.accept().is_ok());
    let mut b = [0u8; 4];
    assert!(udp.recv_from(&mut b).is_err(), "a refused datagram arrived");
}

#[test]
fn wasirun_without_a_grant_offers_no_network() {
    let (server, port) = tcp_server();
    let ops = [format!("connect4:{port}"), "open4:-".to_owned()];
    // The default (--sockets auto) with no grant: the extension is not even linked, so a
    // module importing it does not start (exit 1) and says how to grant access.
    let out = wasirun(&[], &ops);
    assert_eq!(out.exit, net_common::Exit::Code(1), "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("sockets are off"), "{}", out.stderr);
    // --sockets none refuses it even with a grant.
    let out = wasirun(
        &strings(&["--sockets", "none", "--allow-connect", "*:*"]),
        &ops,
    );
    assert_eq!(out.exit, net_common::Exit::Code(1), "{out:?}");
    // --sockets wasmedge links it, but with nothing granted every socket is refused.
    let out = wasirun(&strings(&["--sockets", "wasmedge"]), &ops);
    out.assert_ok();
    assert_eq!(result(&out, &format!("connect4 {port}")), (EACCES, -1));
    assert_eq!(result(&out, "open4 -"), (EACCES, -1));
    assert_nothing_arrived_tcp(&server, "no grant");
}
