//! `wasirun`'s network flags end to end: `--sockets`, the `--allow-*` grants, and the
//! `--listen`/`--dial` sockets handed to a guest. Guests are small WAT modules; the test is the
//! other end of every connection, over loopback or a unix socket in a temp dir.

use std::io::{Read, Write};
use std::process::{Child, Output, Stdio};

use tempfile::TempDir;

mod common;
use common::cli::{assert_status, text, wasirun, write};
use common::sock_open_guest;

const WASI: &str = "wasi_snapshot_preview1";

/// A guest that accepts one connection on `fd` with preview 1's `sock_accept`, reads once and
/// sends back what it read. A failing call exits with 100 + its errno.
fn echo_guest(fd: u32) -> String {
    format!(
        r#"(module
  (import "{WASI}" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "{WASI}" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "{WASI}" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "{WASI}" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func $check (param $e i32)
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e))))))
  (func (export "_start") (local $conn i32)
    (call $check (call $accept (i32.const {fd}) (i32.const 0) (i32.const 0)))
    (local.set $conn (i32.load (i32.const 0)))
    ;; iovec at 16: 64 bytes at 256
    (i32.store (i32.const 16) (i32.const 256))
    (i32.store (i32.const 20) (i32.const 64))
    (call $check (call $recv (local.get $conn) (i32.const 16) (i32.const 1) (i32.const 0)
      (i32.const 8) (i32.const 12)))
    (i32.store (i32.const 20) (i32.load (i32.const 8)))
    (call $check (call $send (local.get $conn) (i32.const 16) (i32.const 1) (i32.const 0)
      (i32.const 8)))))"#
    )
}

/// A guest that sends "hello from the guest" on `fd` and returns.
fn send_guest(fd: u32) -> String {
    format!(
        r#"(module
  (import "{WASI}" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "{WASI}" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 256) "hello from the guest")
  (func (export "_start") (local $e i32)
    (i32.store (i32.const 16) (i32.const 256))
    (i32.store (i32.const 20) (i32.const 20))
    (local.set $e (call $send (i32.const {fd}) (i32.const 16) (i32.const 1) (i32.const 0)
      (i32.const 8)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))))"#
    )
}

#[test]
fn bad_network_flags_are_usage_errors_naming_the_flag() {
    let dir = TempDir::new().unwrap();
    let module = write(dir.path(), "g.wat", &sock_open_guest());
    let cases: [(&[&str], &str); 8] = [
        (
            &["--allow-connect", "localhost"],
            "--allow-connect localhost: missing :PORT",
        ),
        (
            &["--allow-connect", "1.2.3.4:http"],
            "--allow-connect 1.2.3.4:http: bad port",
        ),
        (
            &["--allow-bind", "10.0.0.0/33:1"],
            "--allow-bind 10.0.0.0/33:1",
        ),
        (&["--allow-dns=bad name!"], "--allow-dns=bad name!"),
        (&["--listen", "http://x:1"], "--listen http://x:1"),
        (
            &["--listen", "tcp://127.0.0.1:80?backlog=-1"],
            "bad backlog",
        ),
        (
            &["--dial", "tcp6://127.0.0.1:1"],
            "--dial tcp6://127.0.0.1:1",
        ),
        (&["--sockets", "maybe"], "--sockets"),
    ];
    for (flags, want) in cases {
        let out = wasirun().args(flags).arg(&module).output().unwrap();
        assert_status(&out, 2);
        let err = text(&out.stderr);
        assert!(err.contains(want), "{flags:?}: {err}");
    }
}

#[test]
fn a_socket_that_cannot_be_opened_is_a_usage_error() {
    let dir = TempDir::new().unwrap();
    let module = write(dir.path(), "g.wat", &send_guest(3));
    let nowhere = dir.path().join("nobody-listens.sock");
    let spec = format!("unix://{}", nowhere.display());
    let out = wasirun()
        .args(["--dial", &spec])
        .arg(&module)
        .output()
        .unwrap();
    assert_status(&out, 2);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("--dial {spec}: No such file")),
        "{err}"
    );
}

#[test]
fn the_extension_is_off_without_a_grant_or_with_sockets_none() {
    let dir = TempDir::new().unwrap();
    let module = write(dir.path(), "g.wat", &sock_open_guest());
    let cases: [(&[&str], &str); 3] = [
        (&[], "--allow-connect"),
        (&["--sockets", "auto"], "--allow-connect"),
        (
            &["--sockets", "none", "--allow-connect", "127.0.0.1:*"],
            "--sockets wasmedge",
        ),
    ];
    for (flags, hint) in cases {
        let out = wasirun().args(flags).arg(&module).output().unwrap();
        assert_status(&out, 1);
        let err = text(&out.stderr);
        assert!(
            err.contains("imports sock_open from the WasmEdge socket extension")
                && err.contains(hint),
            "{flags:?}: {err}"
        );
    }
}

#[test]
fn the_extension_is_on_with_a_grant_or_sockets_wasmedge() {
    let dir = TempDir::new().unwrap();
    let module = write(dir.path(), "g.wat", &sock_open_guest());
    // auto + a grant: sock_open succeeds.
    let out = wasirun()
        .args(["--allow-connect", "127.0.0.1:*"])
        .arg(&module)
        .output()
        .unwrap();
    assert_status(&out, 100);
    // wasmedge without a grant: linked, but the policy refuses (EACCES = 2).
    let out = wasirun()
        .args(["--sockets", "wasmedge"])
        .arg(&module)
        .output()
        .unwrap();
    assert_status(&out, 102);
    // A DNS grant alone is a grant too, and inet sockets may then be opened.
    let out = wasirun().arg("--allow-dns").arg(&module).output().unwrap();
    assert_status(&out, 100);
}

/// Connects to `addr`, retrying while wasirun is still starting up (compiling the guest).
fn connect_retrying<T>(mut attempt: impl FnMut() -> std::io::Result<T>, child: &mut Child) -> T {
    for _ in 0..600 {
        match attempt() {
            Ok(s) => return s,
            Err(_) => {
                if let Some(status) = child.try_wait().unwrap() {
                    let mut err = String::new();
                    child
                        .stderr
                        .take()
                        .unwrap()
                        .read_to_string(&mut err)
                        .unwrap();
                    panic!("wasirun exited early with {status}: {err}");
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
    panic!("wasirun never started listening");
}

fn finish(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

#[test]
fn a_listen_socket_comes_after_the_directories_and_serves_a_connection() {
    let dir = TempDir::new().unwrap();
    // The directory is fd 3 wherever --dir appears; the listener is fd 4.
    let module = write(dir.path(), "echo.wat", &echo_guest(4));
    // Port 0: the kernel picks a free one and wasirun says which (no port to race for).
    let mut child = wasirun()
        .args(["--listen", "tcp4://127.0.0.1:0?backlog=4"])
        .args(["--dir", &format!("{}::/d", dir.path().display())])
        .arg(&module)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (port, stderr) = common::announced_port(child.stderr.take().unwrap());
    // Listening before the guest starts: the first attempt connects.
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.write_all(b"ping").unwrap();
    let mut back = Vec::new();
    conn.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"ping");
    let out = finish(child);
    assert_eq!(out.status.code(), Some(0), "{}", stderr.join().unwrap());
}

/// The announcement names the flag as given, the address bound and the guest fd.
#[test]
fn a_listen_port_of_zero_is_announced_on_stderr() {
    let dir = TempDir::new().unwrap();
    let module = write(
        dir.path(),
        "nop.wat",
        "(module (memory (export \"memory\") 1) (func (export \"_start\")))",
    );
    let out = wasirun()
        .args(["--listen", "tcp://127.0.0.1:0"])
        .arg(&module)
        .output()
        .unwrap();
    assert_status(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("wasirun: --listen tcp://127.0.0.1:0: listening on 127.0.0.1:")
            && err.trim_end().ends_with("(guest fd 3)"),
        "{err}"
    );
    // An address the user chose is known to them: nothing is printed.
    let out = wasirun()
        .arg("--listen")
        .arg(format!("unix://{}", dir.path().join("s.sock").display()))
        .arg(&module)
        .output()
        .unwrap();
    assert_status(&out, 0);
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_unix_listen_socket_serves_a_connection() {
    let dir = TempDir::new().unwrap();
    let module = write(dir.path(), "echo.wat", &echo_guest(3));
    let path = dir.path().join("echo.sock");
    let mut child = wasirun()
        .args(["--listen", &format!("unix://{}", path.display())])
        .arg(&module)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut conn = connect_retrying(
        || std::os::unix::net::UnixStream::connect(&path),
        &mut child,
    );
    conn.write_all(b"over unix").unwrap();
    let mut back = Vec::new();
    conn.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"over unix");
    assert_status(&finish(child), 0);
}

#[test]
fn a_dial_socket_is_connected_to_the_listener() {
    let dir = TempDir::new().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Two dialled sockets: fds 3 and 4 in command-line order; the guest writes on the second.
    let module = write(dir.path(), "send.wat", &send_guest(4));
    let spec = format!("tcp://127.0.0.1:{port}");
    let child = wasirun()
        .args(["--dial", &spec, "--dial", &spec])
        .arg(&module)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut first, _) = listener.accept().unwrap();
    let (mut second, _) = listener.accept().unwrap();
    let mut got = Vec::new();
    second.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"hello from the guest");
    let mut none = Vec::new();
    first.read_to_end(&mut none).unwrap();
    assert!(none.is_empty());
    assert_status(&finish(child), 0);
}

#[test]
fn help_teaches_the_network_flags() {
    let out = wasirun().arg("--help").output().unwrap();
    assert_status(&out, 0);
    let help = text(&out.stdout);
    for want in [
        "--sockets <MODE>",
        "--allow-connect <HOST:PORT>",
        "--allow-bind <ADDR:PORT>",
        "--allow-dns[=<PATTERN>]",
        "--listen <ADDR>",
        "--dial <ADDR>",
        "NETWORK:",
        "wasirun --dir ./www::/www --listen tcp://127.0.0.1:8080 server.wasm",
    ] {
        assert!(help.contains(want), "missing {want:?} in\n{help}");
    }
}
