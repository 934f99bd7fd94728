//! The embedding API's network switches: `WasiBuilder::sockets`, the `allow_*` grants and the
//! `listen`/`dial` sockets, through `embed::run_module`.

use std::io::{Read, Write};
use std::path::Path;

use capwasi::embed::{self, EngineOptions, Runner, SocketsMode, WasiBuilder};

mod common;
use common::sock_open_guest;

fn runner() -> Runner {
    Runner::new(&EngineOptions {
        cache: false,
        ..EngineOptions::default()
    })
    .unwrap()
}

#[test]
fn sockets_follow_the_mode_and_the_grants() {
    let runner = runner();
    let module = runner
        .compile(Path::new("open.wat"), sock_open_guest().as_bytes())
        .unwrap();
    let status = |b: WasiBuilder| embed::run_module(&runner, &module, b).map(|r| r.status());

    // Default (auto) with no grant, or none whatever the grants: the module cannot start.
    for b in [
        WasiBuilder::new(),
        WasiBuilder::new()
            .sockets(SocketsMode::None)
            .allow_connect("127.0.0.1:*"),
    ] {
        let e = format!("{:#}", status(b).unwrap_err());
        assert!(
            e.contains("sock_open") && e.contains("sockets are off"),
            "{e}"
        );
    }
    // auto with a grant; wasmedge with none (EACCES = 2 from the policy).
    assert_eq!(
        status(WasiBuilder::new().allow_bind("127.0.0.1:*")).unwrap(),
        100
    );
    assert_eq!(
        status(WasiBuilder::new().sockets(SocketsMode::Wasmedge)).unwrap(),
        102
    );
    assert_eq!(status(WasiBuilder::new().allow_dns("*")).unwrap(), 100);
}

#[test]
fn bad_grants_and_specs_are_named() {
    let cases = [
        (
            WasiBuilder::new().allow_connect("nowhere"),
            "allow_connect(\"nowhere\")",
        ),
        (
            WasiBuilder::new().allow_bind("1.2.3.4:x"),
            "allow_bind(\"1.2.3.4:x\")",
        ),
        (WasiBuilder::new().allow_dns("a b"), "allow_dns(\"a b\")"),
        (
            WasiBuilder::new().listen("tcp://nope"),
            "listen(\"tcp://nope\")",
        ),
        (
            WasiBuilder::new().dial("udp://1.2.3.4:5"),
            "dial(\"udp://1.2.3.4:5\")",
        ),
    ];
    for (builder, want) in cases {
        let e = builder.build().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(want), "{e}");
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("unix://{}", dir.path().join("absent.sock").display());
    let e = WasiBuilder::new().dial(&spec).build().unwrap_err();
    assert!(e.to_string().contains(&format!("dial({spec:?})")), "{e}");
}

#[test]
fn listen_and_dial_sockets_follow_the_directories_in_call_order() {
    use capwasi::system::System;

    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sock = dir.path().join("l.sock");
    let (mut sys, _) = WasiBuilder::new()
        .dial(format!("tcp://127.0.0.1:{port}"))
        .preopen_dir(dir.path(), "/d")
        .listen(format!("unix://{}", sock.display()))
        .build()
        .unwrap();
    // fd 3 is the directory, 4 the dialled socket, 5 the listener; neither socket is a preopen.
    assert_eq!(sys.fd_prestat_dir_name(3).unwrap(), "/d");
    for fd in [4, 5] {
        assert_eq!(
            sys.fd_prestat_get(fd).unwrap_err(),
            capwasi::abi::Errno::Badf
        );
    }
    let (mut peer, _) = listener.accept().unwrap();
    let msg = [std::io::IoSlice::new(b"hi")];
    assert_eq!(sys.sock_send(4, &msg, Default::default()).unwrap(), 2);
    let mut got = [0u8; 2];
    peer.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"hi");
    let mut client = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    let conn = sys.sock_accept(5, Default::default()).unwrap();
    client.write_all(b"yo").unwrap();
    let mut buf = [0u8; 2];
    let mut bufs = [std::io::IoSliceMut::new(&mut buf)];
    assert_eq!(
        sys.sock_recv(conn, &mut bufs, Default::default())
            .unwrap()
            .0,
        2
    );
    assert_eq!(&buf, b"yo");
}
